"""`ProfileStore`: the domain operations (like, undo, bulk import, profiles) and the SQL both
backends share, over a `SQLiteBackend` or a `PostgresBackend`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from movierec.store.base import EVENT_COLUMNS, Backend, StoreError
from movierec.store.events import (
    Action,
    Event,
    Profile,
    check_import_row,
    check_movie_id,
    check_source,
    check_user,
    derive_profiles,
    encode_context,
    event_of_row,
)
from movierec.store.postgres import PostgresBackend, is_url
from movierec.store.sqlite import SQLiteBackend
from movierec.store.transfer import export_data, read_import


class ProfileStore:
    """Users' liked and disliked films, kept as an append-only event log in a SQLite file or a
    PostgreSQL database."""

    def __init__(self, location: str | Path) -> None:
        self._backend: Backend
        if is_url(location):
            self._backend = PostgresBackend(str(location))
        else:
            self._backend = SQLiteBackend(location)
        # SQLite: the file's Path. PostgreSQL: the URL with its password masked, for messages.
        self.path: Path | str = self._backend.path
        with self._errors():
            self._backend.initialise()

    @property
    def url(self) -> str | None:
        """The PostgreSQL URL (password included), or None for a SQLite file."""
        return self._backend.url if isinstance(self._backend, PostgresBackend) else None

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
        origin = check_source(source)
        encoded = encode_context(context)
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
        origin = check_source(source)
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
            context = encode_context({"undoes": target.seq})
            self._append(conn, [(name, target.movie_id, action)], origin, context)
            return target

    def clear(self, user: str, source: str = "app") -> int:
        """Remove every film from `user`'s profile in one transaction; how many were removed."""
        name = check_user(user)
        origin = check_source(source)
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
        origin = check_source(source)
        wanted: dict[tuple[str, int], str] = {}
        names: dict[str, str] = {}
        count = 0
        for count, row in enumerate(rows, start=1):
            name, movie, action = check_import_row(count, row, names)
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
            rows = self._execute(conn, f"SELECT {EVENT_COLUMNS} FROM events ORDER BY seq")
        else:
            rows = self._execute(
                conn, f'SELECT {EVENT_COLUMNS} FROM events WHERE "user" = ? ORDER BY seq', (user,)
            )
        return [event_of_row(row) for row in rows]

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
        return export_data(self.profile(user))

    def import_profile(
        self, data: dict[str, Any], user: str | None = None, replace: bool = False
    ) -> Profile:
        """Merge (or with `replace`, substitute) an exported profile; all or nothing.

        The profile goes to `user`, or to the user named in `data`. Everything is validated
        before anything is written, and all events are appended in one transaction.
        """
        checked = read_import(data, user)
        with self._write([checked.user]) as conn:
            current = self._profile(conn, checked.user) if replace else None
            self._append(conn, checked.rows(current), "import", checked.context)
            return self._profile(conn, checked.user)
