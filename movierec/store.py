"""The profile store shared by the Streamlit app and the CLI.

Profiles live as an append-only event log (like / dislike / remove) in one SQLite file, or in a
PostgreSQL database given a `postgresql://` URL (so app replicas on several machines can share
users). A user's current profile is never stored: it is derived by folding that user's events in
log order with `derive_profiles`, the same function `ProfileStore.profile` uses, so replaying the
log reproduces every profile by construction.

The store is safe to use from several threads and several processes at once: on SQLite each
thread (and process) has its own connection, on PostgreSQL each operation borrows one from a
small per-process pool, and reads are single statements. On SQLite, writes run in
`BEGIN IMMEDIATE` transactions and the file is in WAL mode so readers never block the writer. On
PostgreSQL, a write holds a transaction-level advisory lock on each user it touches (and bulk
imports one on the whole log), so read-then-write operations such as undo see every earlier
change of that user, and a user's events get their `seq` in the order they commit.

`ProfileStore` holds the domain logic and the SQL they share; `_SQLite` and `_Postgres` hold what
differs: connecting, the schema, transactions, placeholders and error messages.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from movierec import config

APPLICATION = "movierec"
SCHEMA_VERSION = 1
EXPORT_FORMAT = "movierec-profile"
EXPORT_VERSION = 1
MAX_USER_LENGTH = 64
MAX_SOURCE_LENGTH = 32
ACTIONS = ("like", "dislike", "remove")
BUSY_TIMEOUT_S = 30.0

Action = Literal["like", "dislike", "remove"]

_INHERITED: list[Any] = []  # per-thread connections a forked child must not touch
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        movie_id INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('like', 'dislike', 'remove')),
        source TEXT NOT NULL DEFAULT 'app',
        context TEXT,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS events_user_seq ON events (user, seq)",
)
_PG_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE IF NOT EXISTS events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "user" TEXT NOT NULL,
        movie_id BIGINT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('like', 'dislike', 'remove')),
        source TEXT NOT NULL DEFAULT 'app',
        context TEXT,
        created_at DOUBLE PRECISION NOT NULL
    )""",
    'CREATE INDEX IF NOT EXISTS events_user_seq ON events ("user", seq)',
)
# `user` is a reserved word in PostgreSQL: the shared SQL always quotes it.
_EVENT_COLUMNS = 'seq, "user", movie_id, action, source, context, created_at'
_URL = re.compile(r"^\s*postgres(ql)?://", re.IGNORECASE)
# Advisory lock keys (classid, objid) of the PostgreSQL backend: one class per purpose.
_LOCK_SCHEMA, _LOCK_LOG, _LOCK_USER = 0x6D720001, 0x6D720002, 0x6D720003
PG_CONNECT_TIMEOUT_S = 10
PG_POOL_IDLE = 8  # idle PostgreSQL connections a store keeps open for reuse


class StoreError(ValueError):
    """A profile store problem the user can fix: a bad file, name, id or import."""


@dataclass(frozen=True)
class Profile:
    """A user's current taste: film ids, oldest first by when they got there."""

    user: str
    liked: list[int]
    disliked: list[int]


@dataclass(frozen=True)
class Event:
    """One entry of the event log."""

    seq: int
    user: str
    movie_id: int
    action: str
    source: str
    context: dict[str, Any] | None
    created_at: float


def is_url(location: object) -> bool:
    """Whether `location` is a PostgreSQL URL (`postgresql://…` or `postgres://…`)."""
    return isinstance(location, str) and bool(_URL.match(location))


def default_store_path() -> Path | str:
    """`$MOVIEREC_STORE` if set (a path, or a PostgreSQL URL returned unchanged), else
    profiles.db in the movierec home directory."""
    return config.resolve().store


def open_store(location: str | Path | None = None) -> ProfileStore:
    """The store at `location` (a path or a PostgreSQL URL), else the default store."""
    if location is None or (isinstance(location, str) and not location.strip()):
        return ProfileStore(default_store_path())
    return ProfileStore(location if is_url(location) else Path(location).expanduser())


def mask_url(url: str) -> str:
    """`url` with any password replaced by ***, fit for messages."""
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc
        if "@" in netloc:
            credentials, _, host = netloc.rpartition("@")
            if ":" in credentials:
                credentials = credentials.split(":", 1)[0] + ":***"
            netloc = f"{credentials}@{host}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode(
                [(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*:/"
            )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "the PostgreSQL URL (unparseable)"


def derive_profiles(events: Iterable[Event]) -> dict[str, Profile]:
    """Fold events (in seq order) into each user's current profile.

    `like` puts a film in liked and takes it out of disliked, `dislike` the reverse, `remove`
    takes it out of both. A film is ordered by the latest event that put it where it is.
    """
    state: dict[str, tuple[dict[int, None], dict[int, None]]] = {}
    for event in sorted(events, key=lambda e: e.seq):
        liked, disliked = state.setdefault(event.user, ({}, {}))
        liked.pop(event.movie_id, None)
        disliked.pop(event.movie_id, None)
        if event.action == "like":
            liked[event.movie_id] = None
        elif event.action == "dislike":
            disliked[event.movie_id] = None
        elif event.action != "remove":
            raise StoreError(f"event {event.seq} has unknown action {event.action!r}")
    return {
        user: Profile(user, list(liked), list(disliked))
        for user, (liked, disliked) in state.items()
    }


def check_user(user: object) -> str:
    """The user name, stripped; StoreError unless it is 1–64 characters."""
    if not isinstance(user, str):
        raise StoreError(f"user name {user!r} is not text; use 1–64 characters")
    name = user.strip()
    if not name or len(name) > MAX_USER_LENGTH:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise StoreError(
            f"user name {shown!r} is {'empty' if not name else f'{len(name)} characters long'}; "
            f"use 1–{MAX_USER_LENGTH} characters"
        )
    if any(not ch.isprintable() for ch in name):
        raise StoreError(
            f"user name {name!r} contains control characters; "
            f"use 1–{MAX_USER_LENGTH} printable characters"
        )
    return name


def check_movie_id(movie_id: object, what: str = "movie id") -> int:
    """The movie id; StoreError unless it is an int (not a bool) that fits SQLite."""
    if isinstance(movie_id, bool) or not isinstance(movie_id, int):
        raise StoreError(f"{what} {movie_id!r} is not an integer; use a TMDB id such as 862")
    if not _INT64_MIN <= movie_id <= _INT64_MAX:
        raise StoreError(f"{what} {movie_id} is out of range; use a TMDB id such as 862")
    return movie_id


def _check_source(source: object) -> str:
    if not isinstance(source, str) or not source.strip() or len(source) > MAX_SOURCE_LENGTH:
        raise StoreError(
            f"event source {source!r} is invalid; use 1–{MAX_SOURCE_LENGTH} characters, "
            "e.g. 'app', 'cli' or 'import'"
        )
    return source.strip()


def _encode_context(context: object) -> str | None:
    if context is None:
        return None
    if not isinstance(context, dict):
        raise StoreError(
            f"event context must be a dict such as {{'flow': 'mood', 'rank': 3}}, "
            f"not {type(context).__name__}"
        )
    try:
        return json.dumps(context, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise StoreError(
            f"event context {context!r} is not JSON-serialisable ({error}); "
            "use strings, numbers, booleans, lists and dicts"
        ) from None


def _decode_context(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"raw": text}
    return value if isinstance(value, dict) else {"value": value}


def _event(row: tuple[Any, ...]) -> Event:
    seq, user, movie_id, action, source, context, created_at = row
    return Event(seq, user, movie_id, action, source, _decode_context(context), created_at)


def _id_list(data: dict[str, Any], key: str) -> list[int]:
    if key not in data:
        raise StoreError(f"profile import: missing {key!r}; expected a list of TMDB ids")
    values = data[key]
    if not isinstance(values, list):
        raise StoreError(
            f"profile import: {key!r} is {type(values).__name__}, expected a list of TMDB ids"
        )
    ids: dict[int, None] = {}
    for position, value in enumerate(values):
        ids[check_movie_id(value, f"profile import: {key}[{position}] =")] = None
    return list(ids)


def _import_row(position: int, row: object, names: dict[str, str]) -> tuple[str, int, str]:
    """A checked (user, movie id, action) import row; StoreError naming the row otherwise."""
    try:
        user, movie_id, action = row  # type: ignore[misc]
    except (TypeError, ValueError):
        raise StoreError(
            f"import row {position} {_shown(row)}: expected (user, movie id, action)"
        ) from None
    try:
        name = names.get(user) if isinstance(user, str) else None
        if name is None:
            name = check_user(user)
            names[user] = name
        movie = check_movie_id(movie_id)
    except StoreError as error:
        raise StoreError(f"import row {position} {_shown(row)}: {error}") from None
    if action not in ("like", "dislike", "remove"):
        raise StoreError(
            f"import row {position} {_shown(row)}: action {action!r} is not 'like', 'dislike' "
            "or 'remove'"
        )
    return name, movie, action


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class _SQLite:
    """A SQLite file: WAL mode, `BEGIN IMMEDIATE` writes, schema version in PRAGMA user_version."""

    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a directory, not a profile database; "
                "pass a file path such as profiles.db"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the folder for the profile database {self.path}: {error}; "
                "pass another --store path"
            ) from None
        self._local = threading.local()

    # -- connections -------------------------------------------------------------------------

    def acquire(self) -> sqlite3.Connection:
        """The calling thread's connection, opened on first use (and again after a fork).

        One per thread: SQLite connections are cheap, and a thread's writes never wait on a
        connection another thread holds.
        """
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        if conn is not None:
            _INHERITED.append(conn)  # opened before a fork: never use (or close) it here
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
        """An autocommit connection that waits up to BUSY_TIMEOUT_S for locks."""
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.Error as error:
            raise StoreError(
                f"cannot open the profile database {self.path}: {error}; "
                "check the path and its permissions, or pass another --store path"
            ) from None
        return conn

    def execute(self, conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(sql, params)

    def executemany(
        self, conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]
    ) -> None:
        conn.executemany(sql, rows)

    def begin(self, conn: sqlite3.Connection, users: Sequence[str] | None) -> None:
        """Start a write transaction (SQLite has one writer at a time: no per-user locks)."""
        conn.execute("BEGIN IMMEDIATE")

    def in_transaction(self, conn: sqlite3.Connection) -> bool:
        return conn.in_transaction

    def latest_actions_sql(self) -> str:
        """(user, movie id, action) of the latest event of each film of the given users."""
        return (
            'SELECT "user", movie_id, action, MAX(seq) FROM events '
            'WHERE "user" IN (SELECT value FROM json_each(?)) GROUP BY "user", movie_id'
        )  # SQLite takes the bare columns from the row holding MAX(seq): the latest event

    def users_param(self, users: Sequence[str]) -> Any:
        return json.dumps(list(users))

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
                "pass another --store path or move the file away"
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
        """Check the file is a movierec profile database, creating the schema if it is empty."""
        with closing(self.connect()) as conn:
            if self._inspect(conn) == "empty":
                conn.execute("BEGIN IMMEDIATE")
                try:
                    # Somebody else may have initialised (or filled) it while we waited.
                    if self._inspect(conn) == "empty":
                        for statement in _SCHEMA:
                            conn.execute(statement)
                        conn.executemany(
                            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                            [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))],
                        )
                        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            self._enable_wal(conn)

    def _inspect(self, conn: sqlite3.Connection) -> Literal["empty", "ok"]:
        """'empty' for a database with no schema, 'ok' for ours; StoreError for anything else."""
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
        _check_schema(
            str(self.path),
            "--store path or move the file away",
            tables,
            found,
            meta,
            user_version,
            "move the file away",
        )
        return "ok"

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


def _check_schema(
    where: str,
    instead: str,
    tables: list[str],
    found: str,
    meta: Any,
    extra_version: int,
    damaged_fix: str,
) -> None:
    """StoreError unless `tables` and the meta table (read by `meta()`) are movierec's."""
    not_ours = (
        f"{where} is not a movierec profile database (it has {found}); pass another {instead}"
    )
    if "meta" not in tables:
        raise StoreError(not_ours)
    values = meta()
    if values.get("application") != APPLICATION:
        raise StoreError(not_ours)
    try:
        version = int(values.get("schema_version", ""))
    except ValueError:
        raise StoreError(
            f"{where} has an unreadable schema_version "
            f"{values.get('schema_version')!r}; it is corrupted; {damaged_fix}"
        ) from None
    if max(version, extra_version) > SCHEMA_VERSION:
        raise StoreError(
            f"{where} uses profile schema version {max(version, extra_version)}, newer "
            f"than this movierec understands ({SCHEMA_VERSION}); upgrade movierec to open it"
        )
    if "events" not in tables:
        raise StoreError(
            f"{where} is a movierec profile database without its events table; "
            f"it is damaged; {damaged_fix}"
        )


def _user_key(user: str) -> int:
    """A stable signed 32-bit advisory lock key for a user name."""
    return zlib.crc32(user.encode("utf-8")) - 2**31


def _close_idle(idle: list[Any], pid: int) -> None:
    """Close and forget the pooled connections in `idle`, if this process opened them."""
    if pid == os.getpid():
        for conn in idle:
            with suppress(Exception):  # closing a dead connection
                conn.close()
    idle.clear()


class _Postgres:
    """A PostgreSQL database: advisory locks for writes, schema version in the meta table."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a PostgreSQL profile store needs psycopg; pip install 'psycopg[binary]'"
            ) from None
        self._psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.url = url.strip()
        self.path = mask_url(self.url)  # for messages: never shows the password
        try:
            parts = urlsplit(self.url)
        except ValueError as error:
            raise StoreError(
                f"the profile database URL is invalid ({error}); "
                "use postgresql://user:password@host:5432/database"
            ) from None
        raw = parts.netloc.rpartition("@")[0].partition(":")[2]  # as typed, maybe %-encoded
        secrets = {parts.password or "", raw} | {
            v for k, v in parse_qsl(parts.query) if k.lower() == "password"
        }
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)
        self._idle: list[Any] = []  # changed in place only: the finalizer holds it
        self._pool_lock = threading.Lock()
        self._pool_pid = os.getpid()
        weakref.finalize(self, _close_idle, self._idle, self._pool_pid)

    def _hide(self, text: str) -> str:
        """`text` (a driver message) on one line, with any password replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())

    # -- connections -------------------------------------------------------------------------

    def connect(self) -> Any:
        """An autocommit connection; lock waits give up after BUSY_TIMEOUT_S."""
        extra: dict[str, Any] = {}
        if "connect_timeout" not in self.url:
            extra["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        try:
            conn = self._psycopg.connect(self.url, autocommit=True, **extra)
        except self._psycopg.Error as error:
            raise StoreError(
                f"cannot connect to the profile database {self.path}: "
                f"{self._hide(str(error)).strip()}; check the URL (host, port, database, user "
                "and password) and that the PostgreSQL server is running and reachable"
            ) from None
        except (ValueError, TypeError) as error:
            raise StoreError(
                f"the profile database URL {self.path} is invalid ({self._hide(str(error))}); "
                "use postgresql://user:password@host:5432/database"
            ) from None
        try:
            conn.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
        except self._psycopg.Error:
            conn.close()
            raise
        return conn

    def acquire(self) -> Any:
        """An idle pooled connection, or a new one.

        A shared pool rather than one connection per thread: the Streamlit app runs every rerun
        in a new thread, and each would otherwise open (and leak) a server connection.
        """
        with self._pool_lock:
            if self._pool_pid != os.getpid():  # forked: the parent's sockets are not ours
                _INHERITED.extend(self._idle)
                self._idle.clear()
                self._pool_pid = os.getpid()
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed and not conn.broken:
                    return conn
        return self.connect()

    def release(self, conn: Any, failed: bool) -> None:
        """Return `conn` to the pool, or close it if it failed, is busy or the pool is full."""
        healthy = (
            not failed
            and not conn.closed
            and conn.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE
        )
        with self._pool_lock:
            if healthy and self._pool_pid == os.getpid() and len(self._idle) < PG_POOL_IDLE:
                self._idle.append(conn)
                return
        with suppress(self._psycopg.Error):  # closing a dead connection
            conn.close()

    def close(self) -> None:
        """Close the pooled idle connections (ones in use close when they come back)."""
        with self._pool_lock:
            if self._pool_pid == os.getpid():
                _close_idle(self._idle, self._pool_pid)

    def execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(sql.replace("?", "%s"), params)

    def executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with conn.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)

    def begin(self, conn: Any, users: Sequence[str] | None) -> None:
        """Start a write transaction holding the advisory locks of `users` (None: everybody).

        Writes of one user take the log's lock shared and the user's lock exclusive (in key
        order, so two writers never wait on each other in a cycle); bulk writes take the log's
        lock exclusive. Locks are released when the transaction ends.
        """
        conn.execute("BEGIN")
        if users is None:
            conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_LOG,))
            return
        conn.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", (_LOCK_LOG,))
        for key in sorted({_user_key(user) for user in users}):
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_USER, key))

    def in_transaction(self, conn: Any) -> bool:
        return conn.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE

    def latest_actions_sql(self) -> str:
        """(user, movie id, action) of the latest event of each film of the given users."""
        return (
            'SELECT DISTINCT ON ("user", movie_id) "user", movie_id, action, seq FROM events '
            'WHERE "user" = ANY(?) ORDER BY "user", movie_id, seq DESC'
        )

    def users_param(self, users: Sequence[str]) -> Any:
        return list(users)

    def latest_per_film_sql(self, where: str) -> str:
        """Each (user, film)'s latest event as (user, movie id, action), oldest first."""
        return (
            'SELECT "user", movie_id, action FROM ('
            'SELECT DISTINCT ON ("user", movie_id) "user", movie_id, action, seq FROM events '
            f'{where} ORDER BY "user", movie_id, seq DESC) AS latest ORDER BY seq'
        )

    def describe(self, error: BaseException) -> str:
        text = self._hide(str(error)).strip()
        errors = self._psycopg.errors
        if isinstance(error, (errors.LockNotAvailable, errors.QueryCanceled)):
            return (
                f"the profile database {self.path} stayed locked for {BUSY_TIMEOUT_S:.0f} s "
                f"({text}); another movierec process may be stuck; try again"
            )
        if isinstance(error, errors.InsufficientPrivilege):
            return (
                f"the profile database {self.path} refused access ({text}); grant the user "
                "the rights to create and use tables there, or use another database"
            )
        if isinstance(error, self._psycopg.OperationalError):
            return (
                f"lost the connection to the profile database {self.path} ({text}); check that "
                "the PostgreSQL server is running and reachable, then try again"
            )
        return f"profile database {self.path}: {text}"

    # -- opening and validation --------------------------------------------------------------

    def initialise(self) -> None:
        """Check the database is a movierec profile database, creating the schema if empty."""
        with closing(self.connect()) as conn:
            if self._inspect(conn) == "empty":
                conn.execute("BEGIN")
                try:
                    conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_SCHEMA,))
                    # Somebody else may have initialised (or filled) it while we waited.
                    if self._inspect(conn) == "empty":
                        for statement in _PG_SCHEMA:
                            conn.execute(statement)
                        with conn.cursor() as cursor:
                            cursor.executemany(
                                "INSERT INTO meta (key, value) VALUES (%s, %s) "
                                "ON CONFLICT (key) DO NOTHING",
                                [
                                    ("application", APPLICATION),
                                    ("schema_version", str(SCHEMA_VERSION)),
                                ],
                            )
                except BaseException:
                    if self.in_transaction(conn):
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")

    def _inspect(self, conn: Any) -> Literal["empty", "ok"]:
        """'empty' for a schema with no tables, 'ok' for ours; StoreError for anything else."""
        (schema,) = conn.execute("SELECT current_schema()").fetchone()
        if schema is None:
            raise StoreError(
                f"the profile database {self.path} has no schema to keep profiles in (its "
                "search_path names no existing schema); create the schema (CREATE SCHEMA …) "
                "or fix search_path in the URL"
            )
        tables = sorted(
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        )
        if not tables:
            return "empty"

        def meta() -> dict[str, str]:
            try:
                with conn.transaction():
                    return dict(conn.execute("SELECT key, value FROM meta").fetchall())
            except self._psycopg.Error:
                return {}

        _check_schema(
            self.path,
            "database URL or use an empty database",
            tables,
            f"tables {', '.join(tables)}",
            meta,
            0,
            "use another database",
        )
        return "ok"


class ProfileStore:
    """Users' liked and disliked films, kept as an append-only event log in a SQLite file or a
    PostgreSQL database."""

    def __init__(self, location: str | Path) -> None:
        self._backend: _SQLite | _Postgres
        if is_url(location):
            self._backend = _Postgres(str(location))
        else:
            self._backend = _SQLite(location)
        # SQLite: the file's Path. PostgreSQL: the URL with its password masked, for messages.
        self.path: Path | str = self._backend.path
        with self._errors():
            self._backend.initialise()

    @property
    def url(self) -> str | None:
        """The PostgreSQL URL (password included), or None for a SQLite file."""
        return self._backend.url if isinstance(self._backend, _Postgres) else None

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.path)!r})"

    # -- connections -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the calling thread's SQLite connection, or the idle PostgreSQL connections.

        Optional: the store reopens a connection when it is used again.
        """
        self._backend.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn database errors into StoreError."""
        try:
            yield
        except self._backend.errors as error:
            raise StoreError(self._backend.describe(error)) from error

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        """A connection for one operation; database errors become StoreError, and a connection
        the database failed on is dropped rather than reused."""
        backend = self._backend
        with self._errors():
            conn = backend.acquire()
            try:
                yield conn
            except backend.errors:
                backend.release(conn, failed=True)
                raise
            except BaseException:
                backend.release(conn, failed=False)
                raise
            backend.release(conn, failed=False)

    @contextmanager
    def _write(self, users: Sequence[str] | None) -> Iterator[Any]:
        """A connection inside a write transaction that holds `users` (None: all users) against
        concurrent writers: committed, or rolled back."""
        backend = self._backend
        with self._connect() as conn:
            try:
                backend.begin(conn, users)
                yield conn
            except BaseException:
                if backend.in_transaction(conn):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._backend.execute(conn, sql, params)

    # -- writing -----------------------------------------------------------------------------

    def _append(
        self,
        conn: Any,
        rows: Iterable[tuple[str, int, str]],
        source: str,
        context: str | None,
    ) -> None:
        now = time.time()
        self._backend.executemany(
            conn,
            'INSERT INTO events ("user", movie_id, action, source, context, created_at) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(user, movie_id, action, source, context, now) for user, movie_id, action in rows],
        )

    def _record(
        self, action: Action, user: str, movie_id: int, source: str, context: object
    ) -> None:
        name = check_user(user)
        movie = check_movie_id(movie_id)
        origin = _check_source(source)
        encoded = _encode_context(context)
        with self._write([name]) as conn:
            self._append(conn, [(name, movie, action)], origin, encoded)

    def like(
        self, user: str, movie_id: int, source: str = "app", context: dict | None = None
    ) -> None:
        """Record that `user` likes the film (it leaves their dislikes)."""
        self._record("like", user, movie_id, source, context)

    def dislike(
        self, user: str, movie_id: int, source: str = "app", context: dict | None = None
    ) -> None:
        """Record that `user` dislikes the film (it leaves their likes)."""
        self._record("dislike", user, movie_id, source, context)

    def remove(
        self, user: str, movie_id: int, source: str = "app", context: dict | None = None
    ) -> None:
        """Take the film out of `user`'s likes and dislikes."""
        self._record("remove", user, movie_id, source, context)

    def undo(self, user: str, source: str = "app") -> Event | None:
        """Take back the user's latest change that is not itself undone; returns it, or None.

        The film goes back to where it was before that change. Undoing again steps further back.
        """
        name = check_user(user)
        origin = _check_source(source)
        with self._write([name]) as conn:
            history = self._events(conn, name)
            undone = {e.context["undoes"] for e in history if e.context and "undoes" in e.context}
            target = next(
                (
                    e
                    for e in reversed(history)
                    if e.seq not in undone and not (e.context and "undoes" in e.context)
                ),
                None,
            )
            if target is None:
                return None
            before = [e for e in history if e.movie_id == target.movie_id and e.seq < target.seq]
            previous = derive_profiles(before).get(name)
            action: Action = "remove"
            if previous is not None and target.movie_id in previous.liked:
                action = "like"
            elif previous is not None and target.movie_id in previous.disliked:
                action = "dislike"
            context = _encode_context({"undoes": target.seq})
            self._append(conn, [(name, target.movie_id, action)], origin, context)
            return target

    def clear(self, user: str, source: str = "app") -> int:
        """Remove every film from `user`'s profile in one transaction; how many were removed."""
        name = check_user(user)
        origin = _check_source(source)
        with self._write([name]) as conn:
            current = self._profile(conn, name)
            films = current.liked + current.disliked
            self._append(conn, [(name, movie, "remove") for movie in films], origin, None)
        return len(films)

    def import_events(
        self, rows: Iterable[tuple[str, int, str]], source: str = "import"
    ) -> tuple[int, int]:
        """Append many likes and dislikes at once: all or nothing, in one transaction.

        `rows` are (user, movie id, "like", "dislike" or "remove"); for a (user, film) given more
        than once the last row wins. An event is written only where it changes the user's current
        state of the film (a film never rated counts as removed), so importing the same rows again
        writes nothing, and "remove" takes a film out only where it is in. Every row is validated
        before anything is written. Returns (written, unchanged): the events appended, and the
        other rows (already in effect, or overridden by a later row for the same film).
        """
        origin = _check_source(source)
        wanted: dict[tuple[str, int], str] = {}
        names: dict[str, str] = {}
        count = 0
        for count, row in enumerate(rows, start=1):
            name, movie, action = _import_row(count, row, names)
            wanted.pop((name, movie), None)  # re-inserted: ordered by its last row
            wanted[(name, movie)] = action
        users = sorted(set(names.values()))
        with self._write(None) as conn:
            current = {
                (user, movie): action
                for user, movie, action, _ in self._execute(
                    conn,
                    self._backend.latest_actions_sql(),
                    (self._backend.users_param(users),),
                )
            }
            changes = [
                (name, movie, action)
                for (name, movie), action in wanted.items()
                if current.get((name, movie), "remove") != action
            ]
            self._append(conn, changes, origin, None)
        return len(changes), count - len(changes)

    # -- reading -----------------------------------------------------------------------------

    def _events(self, conn: Any, user: str | None) -> list[Event]:
        if user is None:
            rows = self._execute(conn, f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY seq")
        else:
            rows = self._execute(
                conn, f'SELECT {_EVENT_COLUMNS} FROM events WHERE "user" = ? ORDER BY seq', (user,)
            )
        return [_event(row) for row in rows]

    def _profile(self, conn: Any, user: str) -> Profile:
        return derive_profiles(self._events(conn, user)).get(user, Profile(user, [], []))

    def profile(self, user: str) -> Profile:
        """`user`'s current profile (empty for a user with no events)."""
        name = check_user(user)
        with self._connect() as conn:
            return self._profile(conn, name)

    def users(self) -> list[str]:
        """Every user with at least one event, sorted."""
        with self._connect() as conn:
            # Sorted here, not by the database, so the order never depends on its collation.
            return sorted(
                user for (user,) in self._execute(conn, 'SELECT DISTINCT "user" FROM events')
            )

    def all_profiles(self, prefix: str | None = None) -> dict[str, Profile]:
        """Every user's current profile (only users whose name starts with `prefix`, if given),
        sorted by user, in one query; the same as `profile(user)` for each of `users()`."""
        if prefix is not None and not isinstance(prefix, str):
            raise StoreError(f"user name prefix {prefix!r} is not text")
        where, params = "", ()
        if prefix:
            where, params = 'WHERE substr("user", 1, ?) = ?', (len(prefix), prefix)
        # The latest event of each (user, film) decides where the film is, and its seq is the
        # film's place in that list: exactly what folding the log with derive_profiles gives.
        query = self._backend.latest_per_film_sql(where)
        state: dict[str, tuple[list[int], list[int]]] = {}
        with self._connect() as conn:
            for user, movie_id, action in self._execute(conn, query, params):
                liked, disliked = state.setdefault(user, ([], []))
                if action == "like":
                    liked.append(movie_id)
                elif action == "dislike":
                    disliked.append(movie_id)
        return {user: Profile(user, *state[user]) for user in sorted(state)}

    def events(self, user: str | None = None) -> list[Event]:
        """The event log (of one user, or of everybody) in seq order."""
        name = None if user is None else check_user(user)
        with self._connect() as conn:
            return self._events(conn, name)

    # -- export and import -------------------------------------------------------------------

    def export_profile(self, user: str) -> dict[str, Any]:
        """`user`'s profile as a JSON-ready dict that `import_profile` accepts."""
        current = self.profile(user)
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "user": current.user,
            "liked": list(current.liked),
            "disliked": list(current.disliked),
        }

    def import_profile(
        self, data: dict[str, Any], user: str | None = None, replace: bool = False
    ) -> Profile:
        """Merge (or with `replace`, substitute) an exported profile; all or nothing.

        The profile goes to `user`, or to the user named in `data`. Everything is validated
        before anything is written, and all events are appended in one transaction.
        """
        if not isinstance(data, dict):
            raise StoreError(
                f"profile import: expected a JSON object, got {type(data).__name__}; "
                "use a file written by the profile export"
            )
        for key in ("format", "version"):
            if key not in data:
                raise StoreError(
                    f"profile import: missing {key!r}; use a file written by the profile export"
                )
        if data.get("format") != EXPORT_FORMAT:
            raise StoreError(
                f"profile import: 'format' is {data.get('format')!r}, expected {EXPORT_FORMAT!r}; "
                "use a file written by the profile export"
            )
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise StoreError(f"profile import: 'version' is {version!r}, expected {EXPORT_VERSION}")
        if version > EXPORT_VERSION:
            raise StoreError(
                f"profile import: 'version' {version} is newer than this movierec understands "
                f"({EXPORT_VERSION}); upgrade movierec"
            )
        if version < 1:
            raise StoreError(f"profile import: 'version' {version} is invalid; expected 1")
        liked = _id_list(data, "liked")
        disliked = _id_list(data, "disliked")
        both = sorted(set(liked) & set(disliked))
        if both:
            raise StoreError(
                f"profile import: ids {both} are in both 'liked' and 'disliked'; keep each once"
            )
        origin_user = data.get("user")
        if user is None:
            if origin_user is None:
                raise StoreError(
                    "profile import: missing 'user' and no user given; pass the user to import into"
                )
            user = origin_user
        name = check_user(user)
        context = None
        if isinstance(origin_user, str) and origin_user.strip() != name:
            context = _encode_context({"flow": "import", "from_user": origin_user.strip()})
        wanted = set(liked) | set(disliked)
        with self._write([name]) as conn:
            rows: list[tuple[str, int, str]] = []
            if replace:
                current = self._profile(conn, name)
                rows += [
                    (name, movie, "remove")
                    for movie in current.liked + current.disliked
                    if movie not in wanted
                ]
            rows += [(name, movie, "like") for movie in liked]
            rows += [(name, movie, "dislike") for movie in disliked]
            self._append(conn, rows, "import", context)
            return self._profile(conn, name)
