"""The SQLite backend: one file, WAL mode, `BEGIN IMMEDIATE` writes, one connection per thread,
schema version in `PRAGMA user_version` (and the meta table)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import numpy as np

from movierec.store.base import (
    APPEND_COLUMNS,
    APPLICATION,
    BUSY_TIMEOUT_S,
    INHERITED,
    SCHEMA_VERSION,
    BulkRows,
    StoreError,
    check_schema,
)
from movierec.store.events import ACTIONS, events_schema

SCHEMA = events_schema("INTEGER PRIMARY KEY AUTOINCREMENT", "user", "INTEGER", "REAL")
BULK_CACHE_KIB = 256 * 1024  # page cache of a bulk import (the index of users grows in it)
BULK_CHUNK = 200_000  # rows per statement of a bulk import
_ACTION_OF_CODE = " ".join(f"WHEN {code} THEN '{action}'" for code, action in enumerate(ACTIONS))
BULK_INSERT = f"""INSERT INTO events ({APPEND_COLUMNS})
SELECT (SELECT name FROM temp.bulk_names WHERE rowid = json_extract(j.value, '$[0]')),
    json_extract(j.value, '$[1]'), CASE json_extract(j.value, '$[2]') {_ACTION_OF_CODE} END,
    ?, NULL, ?
FROM json_each(?) AS j"""


class SQLiteBackend:
    """A SQLite file: WAL mode, `BEGIN IMMEDIATE` writes, schema version in PRAGMA user_version."""

    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """Without `create`, a missing (or empty) file reads as an empty store and nothing is
        created: no file, no folder, no schema."""
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a directory, not a profile database; "
                "pass a file path such as profiles.db"
            )
        self.create = create
        self._local = threading.local()
        self.read_only: str | None = None
        self.empty = False  # read as an empty store, in memory: the file is not there
        if not create and not self.path.exists():
            self._read_as_empty()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the folder for the profile database {self.path}: {error}; "
                "pass another --store path (MOVIEREC_STORE for the app)"
            ) from None
        self.read_only = read_only_reason(self.path)
        if self.read_only and not self.path.exists():
            raise StoreError(
                f"cannot create the profile database {self.path}: the location is read-only "
                f"({self.read_only}); pass another --store path (MOVIEREC_STORE for the app)"
            )

    def _read_as_empty(self) -> None:
        self.empty = True
        self.read_only = f"{self.path} holds no profiles yet and was opened only to read"

    # -- connections -------------------------------------------------------------------------

    def acquire(self, fresh: bool = False) -> sqlite3.Connection:
        """The calling thread's connection, opened on first use (and again after a fork).

        One per thread: SQLite connections are cheap, and a thread's writes never wait on a
        connection another thread holds.
        """
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            if not fresh:
                return conn
            self.close()
            conn = None
        if conn is not None:
            INHERITED.append(conn)  # opened before a fork: never use (or close) it here
        conn = self.connect()
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                # Safe in WAL mode: a power cut may lose the last commits, never corrupt it.
                conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        local.conn, local.pid = conn, os.getpid()
        return conn

    def release(self, conn: sqlite3.Connection, failed: bool) -> None:
        """Keep the thread's connection for its next call, unless the database failed on it."""
        if failed:
            self.close()

    def close(self) -> None:
        """Close the calling thread's connection (other threads' close when those threads end)."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        local.conn = None
        if conn is not None and local.pid == os.getpid():
            conn.close()

    def connect(self) -> sqlite3.Connection:
        """An autocommit connection that waits up to BUSY_TIMEOUT_S for locks; a read-only one
        (`mode=ro`, or `immutable` on a read-only filesystem) if the file cannot be written."""
        if self.empty:
            conn = sqlite3.connect(":memory:", isolation_level=None)
            for statement in SCHEMA:
                conn.execute(statement)
            return conn
        target: str | Path = self.path
        if self.read_only:
            target = f"file:{quote(str(self.path.absolute()))}?mode=ro"
            wal = self.path.with_name(self.path.name + "-wal")
            if _read_only_filesystem(self.path.parent) and not (
                wal.exists() and wal.stat().st_size
            ):
                target += "&immutable=1"  # nobody can change it: no -shm file needed
        try:
            conn = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=self.read_only is not None
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.Error as error:
            raise StoreError(
                f"cannot open the profile database {self.path}: {error}; "
                "check the path and its permissions, or pass another --store path "
                "(MOVIEREC_STORE for the app)"
            ) from None
        return conn

    def execute(self, conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(sql, params)

    def executemany(
        self, conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]
    ) -> None:
        conn.executemany(sql, rows)

    def append_arrays(self, conn: sqlite3.Connection, rows: BulkRows) -> None:
        """Append rows in the caller's transaction: the names into a temporary table, then
        BULK_CHUNK rows per statement as one JSON array read by `json_each` (a third of the CPU
        of `executemany`, which binds every value from Python), with a larger page cache."""
        (cache,) = conn.execute("PRAGMA cache_size").fetchone()
        conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        try:
            conn.execute("CREATE TEMP TABLE bulk_names (name TEXT NOT NULL)")
            conn.executemany(
                "INSERT INTO temp.bulk_names (rowid, name) VALUES (?, ?)",
                enumerate(rows.names, start=1),
            )
            for start in range(0, len(rows.users), BULK_CHUNK):
                part = slice(start, start + BULK_CHUNK)
                columns = [rows.users[part] + 1, rows.movies[part], rows.actions[part]]
                text = json.dumps(np.column_stack(columns).tolist(), separators=(",", ":"))
                conn.execute(BULK_INSERT, (rows.source, rows.created_at, text))
            conn.execute("DROP TABLE temp.bulk_names")
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache)}")

    def stream(
        self, conn: sqlite3.Connection, sql: str, chunk: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of one query (one snapshot), `chunk` at a time."""
        cursor = conn.execute(sql)
        while rows := cursor.fetchmany(chunk):
            yield rows

    def begin(self, conn: sqlite3.Connection, users: Sequence[str] | None) -> None:
        """Start a write transaction (SQLite has one writer at a time: no per-user locks)."""
        conn.execute("BEGIN IMMEDIATE")

    def in_transaction(self, conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    def lost(self, conn: sqlite3.Connection, error: BaseException) -> bool:
        """A SQLite connection is never lost to a server: nothing to retry."""
        return False

    def latest_actions_sql(self) -> str:
        """(user, movie id, action) of the latest event of each film of the given users."""
        return (
            'SELECT "user", movie_id, action, MAX(seq) FROM events '
            'WHERE "user" IN (SELECT value FROM json_each(?)) GROUP BY "user", movie_id'
        )  # SQLite takes the bare columns from the row holding MAX(seq): the latest event

    def users_param(self, users: Sequence[str]) -> Any:
        return json.dumps(list(users))

    def user_in_sql(self) -> str:
        """A condition: the event's user is one of `users_param`'s users."""
        return '"user" IN (SELECT value FROM json_each(?))'

    def latest_per_film_sql(self, where: str) -> str:
        """Each (user, film)'s latest event as (user, movie id, action), oldest first."""
        return (
            'SELECT "user", movie_id, action FROM ('
            f'SELECT "user", movie_id, action, MAX(seq) AS last FROM events {where} '
            'GROUP BY "user", movie_id) ORDER BY last'
        )

    def describe(self, error: BaseException) -> str:
        text = str(error)
        if "not a database" in text or "malformed" in text:
            return (
                f"{self.path} is corrupted or is not a SQLite database ({text}); "
                "pass another --store path (MOVIEREC_STORE for the app) or move the file away"
            )
        if "locked" in text or "busy" in text:
            return (
                f"the profile database {self.path} stayed locked for {BUSY_TIMEOUT_S:.0f} s "
                f"({text}); another movierec process may be stuck; try again"
            )
        if "readonly" in text or "read-only" in text:
            return f"the profile database {self.path} is read-only ({text}); check its permissions"
        return f"profile database {self.path}: {text}"

    # -- opening and validation --------------------------------------------------------------

    def initialise(self) -> None:
        """Check the file is a movierec profile database, creating the schema if it is empty
        (unless opened without `create`: then it reads as an empty store) and upgrading an
        older schema when opened to write (with `create`)."""
        if self.empty:
            return
        with closing(self.connect()) as conn:
            if not self.create and self._inspect(conn) == "empty":
                self._read_as_empty()
                return
            if self.read_only:
                if self._inspect(conn) == "empty":
                    raise StoreError(
                        f"the profile database {self.path} is empty and read-only "
                        f"({self.read_only}); pass another --store path "
                        "(MOVIEREC_STORE for the app)"
                    )
                return
            if self._inspect(conn) == "empty":
                self._in_transaction(conn, "empty", self._create)
            elif self.create and self._inspect(conn) == "old":
                self._in_transaction(conn, "old", self._upgrade)
            self._enable_wal(conn)

    def _in_transaction(
        self, conn: sqlite3.Connection, state: str, work: Callable[[sqlite3.Connection], None]
    ) -> None:
        """`work` in one write transaction, if the file is still in `state` once it holds the
        lock (somebody else may have initialised or upgraded it while we waited)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self._inspect(conn) == state:
                work(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _create(self, conn: sqlite3.Connection) -> None:
        for statement in SCHEMA:
            conn.execute(statement)
        conn.executemany(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
            [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))],
        )
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Version 1 → 2: the events table again with the new actions in its CHECK (SQLite
        cannot alter a constraint), every event copied with its seq; then the version."""
        last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        conn.execute("DROP INDEX IF EXISTS events_user_seq")
        conn.execute("ALTER TABLE events RENAME TO events_v1")
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute("INSERT INTO events SELECT * FROM events_v1 ORDER BY seq")
        conn.execute("DROP TABLE events_v1")
        if last is not None:  # AUTOINCREMENT: never hand out a seq the old table gave
            conn.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'events'", (last[0],)
            )
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'events', ? "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')",
                (last[0],),
            )
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _inspect(self, conn: sqlite3.Connection) -> Literal["empty", "ok", "old"]:
        """'empty' for a database with no schema, 'ok' for ours, 'old' for ours at an older
        schema version (readable as it is; `_upgrade` before writing); StoreError for anything
        else."""
        objects = dict(
            conn.execute(
                "SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            ).fetchall()
        )
        if not objects:
            return "empty"
        tables = sorted(name for name, kind in objects.items() if kind == "table")
        found = f"tables {', '.join(tables)}" if tables else ", ".join(sorted(objects))

        def meta() -> dict[str, str]:
            try:
                return dict(conn.execute("SELECT key, value FROM meta"))
            except sqlite3.OperationalError:
                return {}

        (user_version,) = conn.execute("PRAGMA user_version").fetchone()
        version = check_schema(
            str(self.path),
            "--store path or move the file away",
            tables,
            found,
            meta,
            user_version,
            "move the file away",
        )
        return "ok" if version == SCHEMA_VERSION else "old"

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL (persistent in the file). Best effort: the store is correct without."""
        deadline = time.monotonic() + 5.0
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                busy = "locked" in str(error) or "busy" in str(error)
                if not busy or time.monotonic() > deadline:
                    return
                time.sleep(0.02)


def _read_only_filesystem(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): permissions decide
        return False


def read_only_reason(path: Path) -> str | None:
    """Why the database at `path` cannot be written (None if it can): a read-only filesystem,
    or permissions on the file or its folder (SQLite writes its journal beside the file)."""
    folder = path.parent
    if not folder.is_dir():
        return None
    if _read_only_filesystem(folder):
        return f"{folder} is on a read-only filesystem"
    if path.exists() and not os.access(path, os.W_OK):
        return f"no permission to write {path}"
    if not os.access(folder, os.W_OK):
        return f"no permission to write in {folder}"
    return None
