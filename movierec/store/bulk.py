"""Bulk import and log streaming with arrays, for communities of millions of likes.

`import_arrays` is `ProfileStore.import_events` for (user, film, action) arrays: the same rules
(the last row of a (user, film) wins, only changes of the current state are written, all or
nothing in one transaction) without a Python object per row until the rows are written
(SQLite: JSON batches read by `json_each`; PostgreSQL: `COPY`). `log_arrays` reads the whole
log in chunks as arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from movierec.store.base import StoreError
from movierec.store.events import ACTIONS, actions_text, check_user

CHUNK_ROWS = 500_000
USERS_PER_QUERY = 5_000  # users per query of their current state
REMOVE = ACTIONS.index("remove")
ACTION_CODES = (
    "CASE action "
    + " ".join(f"WHEN '{action}' THEN {code}" for code, action in enumerate(ACTIONS))
    + " END"
)


def checked_arrays(
    names: Sequence[str], users: np.ndarray, movies: np.ndarray, actions: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Checked names and rows, the last row of each (user, film) kept, in the order of those last
    rows; StoreError naming the first bad value."""
    checked = [check_user(name) for name in names]
    if len(set(checked)) != len(checked):
        raise StoreError("bulk import: two user names are the same once stripped")
    users, movies, actions = (np.asarray(a) for a in (users, movies, actions))
    if not (len(users) == len(movies) == len(actions)):
        raise StoreError(
            f"bulk import: {len(users)} users, {len(movies)} films and {len(actions)} actions "
            "differ in length"
        )
    for what, array, top in (("user", users, len(checked)), ("action", actions, len(ACTIONS))):
        if array.dtype.kind not in "iu":
            raise StoreError(f"bulk import: {what} codes must be integers, not {array.dtype}")
        bad = np.flatnonzero((array < 0) | (array >= top))
        if len(bad):
            hint = f"is not {actions_text()}" if what == "action" else "names no user"
            raise StoreError(f"bulk import: row {bad[0] + 1}: {what} code {array[bad[0]]} {hint}")
    if not np.can_cast(movies.dtype, np.int64):
        raise StoreError(f"bulk import: movie ids must be 64-bit integers, not {movies.dtype}")
    last = _last_rows(users.astype(np.int64), movies.astype(np.int64))
    return checked, users[last].astype(np.int64), movies[last].astype(np.int64), actions[last]


def _last_rows(users: np.ndarray, movies: np.ndarray) -> np.ndarray:
    """Positions of the last row of each (user, movie), ascending."""
    order = np.lexsort((np.arange(len(users)), movies, users))
    sorted_users, sorted_movies = users[order], movies[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (sorted_users[1:] != sorted_users[:-1]) | (sorted_movies[1:] != sorted_movies[:-1])
    return np.sort(order[last])


def changed(
    current: Iterator[tuple[str, int, str]],
    names: list[str],
    users: np.ndarray,
    movies: np.ndarray,
    actions: np.ndarray,
) -> np.ndarray:
    """Mask of the rows that change their (user, film)'s current action (none means removed)."""
    index = {name: i for i, name in enumerate(names)}
    found = [(index[user], movie, ACTIONS.index(action)) for user, movie, action in current]
    if not found:
        return actions != REMOVE
    have = np.array(found, dtype=np.int64).reshape(-1, 3)
    keys = np.concatenate([np.stack([users, movies], 1), have[:, :2]])
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    now = np.full(inverse.max() + 1, REMOVE, dtype=np.int64)
    now[inverse[len(users) :]] = have[:, 2]
    return now[inverse[: len(users)]] != actions


def current_actions(
    query: Callable[[list[str]], list[tuple[Any, ...]]], names: list[str]
) -> Iterator[tuple[str, int, str]]:
    """(user, movie id, action) of the latest event of every film of `names`, queried in
    groups of USERS_PER_QUERY users."""
    for start in range(0, len(names), USERS_PER_QUERY):
        for user, movie, action, *_ in query(names[start : start + USERS_PER_QUERY]):
            yield user, movie, action


def chunk_arrays(
    rows: list[tuple[str, int, int]], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user codes, movie ids, action codes) of streamed rows; `index` numbers the user names
    across chunks in order of appearance."""
    users, movies, actions = zip(*rows, strict=True)
    codes = np.fromiter((index.setdefault(u, len(index)) for u in users), np.int32, len(users))
    return codes, np.array(movies, dtype=np.int64), np.array(actions, dtype=np.int8)
