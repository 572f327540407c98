"""The profile store shared by the Streamlit app and the CLI.

Profiles live in one SQLite file as an append-only event log (like / dislike / remove). A user's
current profile is never stored: it is derived by folding that user's events in log order with
`derive_profiles`, the same function `ProfileStore.profile` uses, so replaying the log reproduces
every profile by construction.

The store is safe to use from several threads and several processes at once: each thread (and
process) has its own connection, writes run in `BEGIN IMMEDIATE` transactions, reads are single
statements, and the file is in WAL mode so readers never block the writer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from movierec.paths import home

APPLICATION = "movierec"
SCHEMA_VERSION = 1
EXPORT_FORMAT = "movierec-profile"
EXPORT_VERSION = 1
MAX_USER_LENGTH = 64
MAX_SOURCE_LENGTH = 32
ACTIONS = ("like", "dislike", "remove")
BUSY_TIMEOUT_S = 30.0

Action = Literal["like", "dislike", "remove"]

_INHERITED: list[sqlite3.Connection] = []  # per-thread connections a forked child must not touch
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
_EVENT_COLUMNS = "seq, user, movie_id, action, source, context, created_at"


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


def default_store_path() -> Path:
    """`$MOVIEREC_STORE` if set, else profiles.db in the movierec home directory."""
    configured = os.environ.get("MOVIEREC_STORE", "").strip()
    return Path(configured).expanduser() if configured else home() / "profiles.db"


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
            f"import row {position} {_shown(row)}: expected (user, movie id, 'like' or 'dislike')"
        ) from None
    try:
        name = names.get(user) if isinstance(user, str) else None
        if name is None:
            name = check_user(user)
            names[user] = name
        movie = check_movie_id(movie_id)
    except StoreError as error:
        raise StoreError(f"import row {position} {_shown(row)}: {error}") from None
    if action not in ("like", "dislike"):
        raise StoreError(
            f"import row {position} {_shown(row)}: action {action!r} is not 'like' or 'dislike'"
        )
    return name, movie, action


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class ProfileStore:
    """Users' liked and disliked films, kept as an append-only event log in a SQLite file."""

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
        self._open()

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.path)!r})"

    # -- connections -------------------------------------------------------------------------

    def _new_connection(self) -> sqlite3.Connection:
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

    def _thread_connection(self) -> sqlite3.Connection:
        """The calling thread's connection, opened on first use (and again after a fork)."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        if conn is not None:
            _INHERITED.append(conn)  # opened before a fork: never use (or close) it here
        conn = self._new_connection()
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            # Safe in WAL mode: a power cut may lose the last commits, never corrupt the file.
            conn.execute("PRAGMA synchronous = NORMAL")
        local.conn, local.pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        """Close the calling thread's connection (other threads' close when those threads end).

        Optional: the store reopens a connection when it is used again.
        """
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        local.conn = None
        if conn is not None and local.pid == os.getpid():
            conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite errors into StoreError, dropping the thread's connection to be safe."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            self.close()
            raise StoreError(self._describe(error)) from error

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """The calling thread's connection; SQLite errors become StoreError."""
        with self._errors():
            yield self._thread_connection()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside a `BEGIN IMMEDIATE` transaction: committed, or rolled back."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _describe(self, error: sqlite3.DatabaseError) -> str:
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

    def _open(self) -> None:
        """Check the file is a movierec profile database, creating the schema if it is empty."""
        with self._errors(), closing(self._new_connection()) as conn:
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
        names = set(objects)
        if not names:
            return "empty"
        tables = sorted(name for name, kind in objects.items() if kind == "table")
        found = f"tables {', '.join(tables)}" if tables else ", ".join(sorted(names))
        not_ours = (
            f"{self.path} is not a movierec profile database (it has {found}); "
            "pass another --store path or move the file away"
        )
        if "meta" not in tables:
            raise StoreError(not_ours)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError:
            raise StoreError(not_ours) from None
        if meta.get("application") != APPLICATION:
            raise StoreError(not_ours)
        try:
            version = int(meta.get("schema_version", ""))
        except ValueError:
            raise StoreError(
                f"{self.path} has an unreadable schema_version "
                f"{meta.get('schema_version')!r}; it is corrupted; move the file away"
            ) from None
        (user_version,) = conn.execute("PRAGMA user_version").fetchone()
        if max(version, user_version) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} uses profile schema version {max(version, user_version)}, newer "
                f"than this movierec understands ({SCHEMA_VERSION}); upgrade movierec to open it"
            )
        if "events" not in tables:
            raise StoreError(
                f"{self.path} is a movierec profile database without its events table; "
                "it is damaged; move the file away"
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

    # -- writing -----------------------------------------------------------------------------

    def _append(
        self,
        conn: sqlite3.Connection,
        rows: Iterable[tuple[str, int, str]],
        source: str,
        context: str | None,
    ) -> None:
        now = time.time()
        conn.executemany(
            "INSERT INTO events (user, movie_id, action, source, context, created_at) "
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
        with self._write() as conn:
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
        with self._write() as conn:
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
        with self._write() as conn:
            current = self._profile(conn, name)
            films = current.liked + current.disliked
            self._append(conn, [(name, movie, "remove") for movie in films], origin, None)
        return len(films)

    def import_events(
        self, rows: Iterable[tuple[str, int, str]], source: str = "import"
    ) -> tuple[int, int]:
        """Append many likes and dislikes at once: all or nothing, in one transaction.

        `rows` are (user, movie id, "like" or "dislike"); for a (user, film) given more than once
        the last row wins. An event is written only where it changes the user's current state of
        the film, so importing the same rows again writes nothing. Every row is validated before
        anything is written. Returns (written, unchanged): the events appended, and the other
        rows (already in effect, or overridden by a later row for the same film).
        """
        origin = _check_source(source)
        wanted: dict[tuple[str, int], str] = {}
        names: dict[str, str] = {}
        count = 0
        for count, row in enumerate(rows, start=1):
            name, movie, action = _import_row(count, row, names)
            wanted.pop((name, movie), None)  # re-inserted: ordered by its last row
            wanted[(name, movie)] = action
        with self._write() as conn:
            current = {
                (user, movie): action
                for user, movie, action, _ in conn.execute(
                    "SELECT user, movie_id, action, MAX(seq) FROM events "
                    "WHERE user IN (SELECT value FROM json_each(?)) GROUP BY user, movie_id",
                    (json.dumps(sorted(set(names.values()))),),
                )
            }  # SQLite takes the bare columns from the row holding MAX(seq): the latest event
            changes = [
                (name, movie, action)
                for (name, movie), action in wanted.items()
                if current.get((name, movie)) != action
            ]
            self._append(conn, changes, origin, None)
        return len(changes), count - len(changes)

    # -- reading -----------------------------------------------------------------------------

    def _events(self, conn: sqlite3.Connection, user: str | None) -> list[Event]:
        if user is None:
            rows = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY seq")
        else:
            rows = conn.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE user = ? ORDER BY seq", (user,)
            )
        return [_event(row) for row in rows]

    def _profile(self, conn: sqlite3.Connection, user: str) -> Profile:
        return derive_profiles(self._events(conn, user)).get(user, Profile(user, [], []))

    def profile(self, user: str) -> Profile:
        """`user`'s current profile (empty for a user with no events)."""
        name = check_user(user)
        with self._connect() as conn:
            return self._profile(conn, name)

    def users(self) -> list[str]:
        """Every user with at least one event, sorted."""
        with self._connect() as conn:
            return [
                user for (user,) in conn.execute("SELECT DISTINCT user FROM events ORDER BY user")
            ]

    def all_profiles(self, prefix: str | None = None) -> dict[str, Profile]:
        """Every user's current profile (only users whose name starts with `prefix`, if given),
        sorted by user, in one query; the same as `profile(user)` for each of `users()`."""
        if prefix is not None and not isinstance(prefix, str):
            raise StoreError(f"user name prefix {prefix!r} is not text")
        where, params = "", ()
        if prefix:
            where, params = "WHERE substr(user, 1, ?) = ?", (len(prefix), prefix)
        # The latest event of each (user, film) decides where the film is, and its seq is the
        # film's place in that list: exactly what folding the log with derive_profiles gives.
        query = (
            "SELECT user, movie_id, action FROM ("
            f"SELECT user, movie_id, action, MAX(seq) AS last FROM events {where} "
            "GROUP BY user, movie_id) ORDER BY last"
        )
        state: dict[str, tuple[list[int], list[int]]] = {}
        with self._connect() as conn:
            for user, movie_id, action in conn.execute(query, params):
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
        with self._write() as conn:
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
