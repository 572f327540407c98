"""The PostgreSQL backend: a `postgresql://` URL, a small per-process connection pool, advisory
locks for writes, schema version in the meta table; URL checks and password masking."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import threading
import weakref
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing, suppress
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
from movierec.store.events import ACTIONS, actions_sql, events_schema

SCHEMA = events_schema(
    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", '"user"', "BIGINT", "DOUBLE PRECISION"
)
_URL = re.compile(r"^\s*postgres(ql)?://", re.IGNORECASE)
# Advisory lock keys (classid, objid): one class per purpose.
_LOCK_SCHEMA, _LOCK_LOG, _LOCK_USER = 0x6D720001, 0x6D720002, 0x6D720003
PG_CONNECT_TIMEOUT_S = 10
PG_POOL_IDLE = 8  # idle PostgreSQL connections a store keeps open for reuse
BULK_CHUNK = 100_000  # rows per COPY write of a bulk import


def is_url(location: object) -> bool:
    """Whether `location` is a PostgreSQL URL (`postgresql://…` or `postgres://…`)."""
    return isinstance(location, str) and bool(_URL.match(location))


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


class PostgresBackend:
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
        self.read_only: str | None = None  # the server says so when it is, on the first write
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

    def acquire(self, fresh: bool = False) -> Any:
        """An idle pooled connection (unless `fresh`), or a new one.

        A shared pool rather than one connection per thread: the Streamlit app runs every rerun
        in a new thread, and each would otherwise open (and leak) a server connection.
        """
        if fresh:
            return self.connect()
        with self._pool_lock:
            if self._pool_pid != os.getpid():  # forked: the parent's sockets are not ours
                INHERITED.extend(self._idle)
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

    def append_arrays(self, conn: Any, rows: BulkRows) -> None:
        """Append rows with `COPY … FROM STDIN` (CSV, BULK_CHUNK rows per write) in the caller's
        transaction."""
        sql = f"COPY events ({APPEND_COLUMNS}) FROM STDIN WITH (FORMAT csv)"
        names = np.array(rows.names, dtype=object)
        actions = np.array(ACTIONS, dtype=object)
        with conn.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(rows.users), BULK_CHUNK):
                part = slice(start, start + BULK_CHUNK)
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(
                    zip(
                        names[rows.users[part]].tolist(),
                        rows.movies[part].tolist(),
                        actions[rows.actions[part]].tolist(),
                        itertools.repeat(rows.source),
                        itertools.repeat(None),
                        itertools.repeat(repr(rows.created_at)),
                        strict=False,
                    )
                )
                copy.write(buffer.getvalue())

    def stream(self, conn: Any, sql: str, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of one query (one snapshot: a server-side cursor in a read-only
        transaction), `chunk` at a time."""
        with conn.transaction(), conn.cursor(name="movierec_stream") as cursor:
            cursor.itersize = chunk
            cursor.execute(sql.replace("?", "%s"))
            while rows := cursor.fetchmany(chunk):
                yield rows

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

    def lost(self, conn: Any, error: BaseException) -> bool:
        """Whether `error` means the connection itself died (a server restart or failover, an
        administrator ending it): the operation may run again on a fresh one."""
        return isinstance(error, self._psycopg.OperationalError) and bool(
            conn.broken or conn.closed
        )

    def latest_actions_sql(self) -> str:
        """(user, movie id, action) of the latest event of each film of the given users."""
        return (
            'SELECT DISTINCT ON ("user", movie_id) "user", movie_id, action, seq FROM events '
            'WHERE "user" = ANY(?) ORDER BY "user", movie_id, seq DESC'
        )

    def users_param(self, users: Sequence[str]) -> Any:
        return list(users)

    def user_in_sql(self) -> str:
        """A condition: the event's user is one of `users_param`'s users."""
        return '"user" = ANY(?)'

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
        if isinstance(error, errors.ReadOnlySqlTransaction):
            return (
                f"the profile database {self.path} is read-only ({text}); reads work but nothing "
                "can be saved; point the URL at the primary (writable) server"
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
        """Check the database is a movierec profile database, creating the schema if empty and
        upgrading an older schema."""
        with closing(self.connect()) as conn:
            state = self._inspect(conn)
            if state == "ok":
                return
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_SCHEMA,))
                # Somebody else may have initialised, filled or upgraded it while we waited.
                if self._inspect(conn) == state:
                    (self._create if state == "empty" else self._upgrade)(conn)
            except BaseException:
                if self.in_transaction(conn):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _create(self, conn: Any) -> None:
        for statement in SCHEMA:
            conn.execute(statement)
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION))],
            )

    def _upgrade(self, conn: Any) -> None:
        """Version 1 → 2: the events table's CHECK on its actions replaced by one that admits
        the new actions; then the version."""
        checks = conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass "
            "AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%action%'"
        ).fetchall()
        for (name,) in checks:
            conn.execute(f'ALTER TABLE events DROP CONSTRAINT "{name}"')
        conn.execute(
            "ALTER TABLE events ADD CONSTRAINT events_action_check "
            f"CHECK (action IN ({actions_sql()}))"
        )
        conn.execute(
            "UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )

    def _inspect(self, conn: Any) -> Literal["empty", "ok", "old"]:
        """'empty' for a schema with no tables, 'ok' for ours, 'old' for ours at an older
        schema version; StoreError for anything else."""
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

        version = check_schema(
            self.path,
            "database URL or use an empty database",
            tables,
            f"tables {', '.join(tables)}",
            meta,
            0,
            "use another database",
        )
        return "ok" if version == SCHEMA_VERSION else "old"
