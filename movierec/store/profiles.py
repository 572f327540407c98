"""`ProfileStore`: the domain operations (like, undo, bulk import, profiles) and the SQL both
backends share, over a `SQLiteBackend` or a `PostgresBackend`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from movierec import config
from movierec.store import bulk
from movierec.store.base import (
    EVENT_COLUMNS,
    Backend,
    BulkRows,
    PeopleProfilesError,
    StoreError,
)
from movierec.store.events import (
    COMMUNITY_SOURCE,
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
    undo_of,
)
from movierec.store.postgres import PostgresBackend, is_url
from movierec.store.runner import Runner
from movierec.store.sqlite import SQLiteBackend
from movierec.store.transfer import export_data, read_import


class ProfileStore:
    """Users' liked, disliked and seen films, kept as an append-only event log in a SQLite file
    or a PostgreSQL database.

    Community profiles (users imported from ratings with `import_events(..., COMMUNITY_SOURCE)`)
    are read-only to the user-facing writes: like, dislike, seen, remove, undo, clear,
    import_profile.
    """

    def __init__(self, location: str | Path, create: bool = True) -> None:
        """The store at `location`. Without `create` (for commands that only read), a missing
        or empty SQLite file reads as an empty store and is not created; a PostgreSQL database
        exists already and gets the schema either way."""
        self._backend: Backend
        if isinstance(location, str):
            location = config.store_location(location, config.home())
        if is_url(location):
            self._backend = PostgresBackend(str(location))
        else:
            self._backend = SQLiteBackend(location, create)
        self._run = Runner(self._backend)
        # SQLite: the file's Path. PostgreSQL: the URL with its password masked, for messages.
        self.path: Path | str = self._backend.path
        with self._run.errors():
            self._backend.initialise()

    @property
    def url(self) -> str | None:
        """The PostgreSQL URL (password included), or None for a SQLite file."""
        return self._backend.url if isinstance(self._backend, PostgresBackend) else None

    @property
    def read_only(self) -> str | None:
        """Why this store cannot be written (reads work), or None when it can."""
        return self._backend.read_only

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.path)!r})"

    def close(self) -> None:
        """Close the calling thread's SQLite connection, or the idle PostgreSQL connections.

        Optional: the store reopens a connection when it is used again.
        """
        self._backend.close()

    def _execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._backend.execute(conn, sql, params)

    # -- community profiles ------------------------------------------------------------------

    def _is_community(self, conn: Any, name: str) -> bool:
        query = 'SELECT 1 FROM events WHERE "user" = ? AND source = ? LIMIT 1'
        return self._execute(conn, query, (name, COMMUNITY_SOURCE)).fetchone() is not None

    def _check_writable(self, conn: Any, name: str) -> None:
        if self._is_community(conn, name):
            raise StoreError(
                f"{name!r} is a community profile imported from ratings; it is read-only here "
                "(a re-import of the ratings updates it); pick another name"
            )

    def is_community_user(self, user: str) -> bool:
        """Whether `user` is a community profile imported from ratings (read-only here)."""
        name = check_user(user)
        return self._run.read(lambda conn: self._is_community(conn, name))

    def check_writable(self, user: str) -> None:
        """StoreError unless the app and the profile command may change `user`'s profile."""
        name = check_user(user)
        self._run.read(lambda conn: self._check_writable(conn, name))

    def _check_no_people(self, conn: Any, users: Sequence[str], source: str) -> None:
        """PeopleProfilesError when a ratings import (`source` COMMUNITY_SOURCE) names users who
        have events but none from ratings: it would make people's profiles read-only. One query
        per USERS_PER_QUERY users."""
        if source != COMMUNITY_SOURCE:
            return
        query = (
            f'SELECT "user" FROM events WHERE {self._backend.user_in_sql()} GROUP BY "user" '
            "HAVING MAX(CASE WHEN source = ? THEN 1 ELSE 0 END) = 0"
        )
        people: list[str] = []
        for start in range(0, len(users), bulk.USERS_PER_QUERY):
            group = self._backend.users_param(users[start : start + bulk.USERS_PER_QUERY])
            people += [user for (user,) in self._execute(conn, query, (group, COMMUNITY_SOURCE))]
        if people:
            raise PeopleProfilesError(sorted(people))

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

        def work(conn: Any) -> None:
            self._check_writable(conn, name)
            self._append(conn, [(name, movie, action)], origin, encoded)

        self._run.write([name], work)

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

    def seen(
        self, user: str, movie_id: int, source: str = "app", context: dict | None = None
    ) -> None:
        """Record that `user` has seen the film without liking or disliking it (it leaves their
        likes and dislikes): it is no longer recommended to them and carries no taste."""
        self._record("seen", user, movie_id, source, context)

    def remove(
        self, user: str, movie_id: int, source: str = "app", context: dict | None = None
    ) -> None:
        """Take the film out of `user`'s likes, dislikes and seen films."""
        self._record("remove", user, movie_id, source, context)

    def undo(self, user: str, source: str = "app") -> Event | None:
        """Take back the user's latest change that is not itself undone; returns it, or None.

        The film goes back to where it was before that change. Undoing again steps further back.
        """
        name = check_user(user)
        origin = check_source(source)

        def work(conn: Any) -> Event | None:
            self._check_writable(conn, name)
            found = undo_of(self._events(conn, name))
            if found is None:
                return None
            target, action = found
            context = encode_context({"undoes": target.seq})
            self._append(conn, [(name, target.movie_id, action)], origin, context)
            return target

        return self._run.write([name], work)

    def clear(self, user: str, source: str = "app") -> int:
        """Remove every film from `user`'s profile in one transaction; how many were removed."""
        name = check_user(user)
        origin = check_source(source)

        def work(conn: Any) -> int:
            self._check_writable(conn, name)
            current = self._profile(conn, name)
            films = current.films
            self._append(conn, [(name, movie, "remove") for movie in films], origin, None)
            return len(films)

        return self._run.write([name], work)

    def import_events(
        self, rows: Iterable[tuple[str, int, str]], source: str = "import"
    ) -> tuple[int, int]:
        """Append many likes, dislikes and seen films at once: all or nothing, in one
        transaction.

        `rows` are (user, movie id, "like", "dislike", "seen" or "remove"); for a (user,
        film) given more than once the last row wins. An event is written only where it
        changes the user's current state of the film (a film never rated counts as removed),
        so importing the same rows again writes nothing, and "remove" takes a film out only
        where it is in. Every row is validated before anything is written. Returns (written,
        unchanged): the events appended, and the other rows (already in effect, or
        overridden by a later row for the same film). The bulk import of ratings: with
        `source=COMMUNITY_SOURCE` its users become community profiles, and
        PeopleProfilesError refuses it (nothing written) if one of them is a person's
        profile (events, none from ratings).
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

        def work(conn: Any) -> int:
            self._check_no_people(conn, users, origin)
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
            return len(changes)

        written = self._run.write(None, work)
        return written, count - written

    def import_arrays(
        self,
        names: Sequence[str],
        users: np.ndarray,
        movies: np.ndarray,
        actions: np.ndarray,
        source: str = "import",
    ) -> tuple[int, int]:
        """`import_events` for millions of rows: row r is (names[users[r]], movies[r],
        ACTIONS[actions[r]]). The same rules and result, all or nothing in one transaction;
        written with `executemany` (SQLite) or `COPY` (PostgreSQL) (movierec.store.bulk)."""
        origin = check_source(source)
        count = len(users)
        names, users, movies, actions = bulk.checked_arrays(names, users, movies, actions)
        sql = self._backend.latest_actions_sql()

        def work(conn: Any) -> int:
            def query(group: list[str]) -> list[tuple[Any, ...]]:
                return self._execute(conn, sql, (self._backend.users_param(group),)).fetchall()

            self._check_no_people(conn, names, origin)
            now = bulk.current_actions(query, names)
            mask = bulk.changed(now, names, users, movies, actions)
            rows = BulkRows(names, users[mask], movies[mask], actions[mask], origin, time.time())
            self._backend.append_arrays(conn, rows)
            return int(mask.sum())

        written = self._run.write(None, work)
        return written, count - written

    # -- reading -----------------------------------------------------------------------------

    def log_arrays(
        self, chunk: int = bulk.CHUNK_ROWS
    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """The whole log in seq order, read in chunks of `chunk` rows in one snapshot, as
        (user names, user codes into them, movie ids, action codes into ACTIONS)."""
        sql = f'SELECT "user", movie_id, {bulk.ACTION_CODES} FROM events ORDER BY seq'

        def work(conn: Any) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
            index: dict[str, int] = {}
            parts = [
                bulk.chunk_arrays(rows, index) for rows in self._backend.stream(conn, sql, chunk)
            ]
            empty = (np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int8))
            users, movies, actions = (
                (np.concatenate(column) for column in zip(*parts, strict=True)) if parts else empty
            )
            return list(index), users, movies, actions

        return self._run.read(work)

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
        return self._run.read(lambda conn: self._profile(conn, name))

    def has_user(self, user: str) -> bool:
        """Whether `user` has at least one event: a saved profile (perhaps emptied since)."""
        name = check_user(user)
        query = 'SELECT 1 FROM events WHERE "user" = ? LIMIT 1'
        found = self._run.read(lambda conn: self._execute(conn, query, (name,)).fetchone())
        return found is not None

    def users(self) -> list[str]:
        """Every user with at least one event, sorted."""
        query = 'SELECT DISTINCT "user" FROM events'
        # Sorted here, not by the database, so the order never depends on its collation.
        return sorted(self._run.read(lambda conn: [user for (user,) in self._execute(conn, query)]))

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

        def work(conn: Any) -> dict[str, dict[str, list[int]]]:
            state: dict[str, dict[str, list[int]]] = {}
            for user, movie_id, action in self._execute(conn, query, params):
                places = state.setdefault(user, {})  # a user whose films are all removed too
                places.setdefault(action, []).append(movie_id)
            return state

        state = self._run.read(work)
        return {user: Profile.of_places(user, state[user]) for user in sorted(state)}

    def events(self, user: str | None = None) -> list[Event]:
        """The event log (of one user, or of everybody) in seq order."""
        name = None if user is None else check_user(user)
        return self._run.read(lambda conn: self._events(conn, name))

    # -- export and import -------------------------------------------------------------------

    def export_profile(self, user: str) -> dict[str, Any]:
        """`user`'s profile as a JSON-ready dict that `import_profile` accepts."""
        return export_data(self.profile(user))

    def import_profile(
        self, data: dict[str, Any], user: str | None = None, replace: bool = False
    ) -> Profile:
        """Merge (or with `replace`, substitute) an exported profile; all or nothing.

        The profile goes to `user`; a merge without `user` restores the user named in `data`,
        but a replace needs `user` (it never picks what to overwrite from the file). Everything
        is validated before anything is written, and all events are appended in one transaction.
        """
        checked = read_import(data, user)
        if replace and user is None:
            raise StoreError(
                f"profile import: the file names user {checked.user!r}; to replace a profile, "
                "pass the user to replace (an import never picks what to overwrite from the file)"
            )

        def work(conn: Any) -> Profile:
            self._check_writable(conn, checked.user)
            current = self._profile(conn, checked.user) if replace else None
            self._append(conn, checked.rows(current), "import", checked.context)
            return self._profile(conn, checked.user)

        return self._run.write([checked.user], work)
