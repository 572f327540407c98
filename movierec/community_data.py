"""The community's likes as a sparse users × films matrix, streamed from the event log.

`movierec retrain` trains on this: the log is read in chunks as arrays (`ProfileStore.log_arrays`),
each (user, film)'s latest event decides whether the film is liked (what `derive_profiles` and
`all_profiles` give), and the matrix is built once, so 20M likes never become 20M Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from movierec.errors import UsageError
from movierec.store import ACTIONS, ProfileStore

LIKE = ACTIONS.index("like")


def like_matrix(store: ProfileStore, ids: Sequence[int], min_likes: int = 1) -> sparse.csr_matrix:
    """users × len(ids) float32 ones where a user's current profile likes the film; users with
    fewer than `min_likes` liked films of the catalog left out; UsageError when none is left."""
    _, users, movies, actions = store.log_arrays()
    matrix = latest_likes(users, movies, actions, ids)
    per_user = np.diff(matrix.indptr)
    if not matrix.nnz:
        raise UsageError(
            f"no liked films of this catalog in {store.path} to train on; import ratings first "
            "(`movierec import-ratings ratings.csv --links links.csv`) or like films in the app "
            "or with `movierec profile USER --like TITLE`"
        )
    if not (per_user >= min_likes).any():
        raise UsageError(
            f"no user in {store.path} has {min_likes} or more liked films of this catalog; "
            "lower --min-likes"
        )
    return matrix[per_user >= max(1, min_likes)]


def latest_likes(
    users: np.ndarray, movies: np.ndarray, actions: np.ndarray, ids: Sequence[int]
) -> sparse.csr_matrix:
    """The like matrix of an event log given in seq order as arrays (user codes, movie ids,
    action codes): an entry where the latest event of a (user, catalog film) is a like."""
    ids = np.asarray(ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    position = np.minimum(np.searchsorted(ids[order], movies), max(len(ids) - 1, 0))
    known = (ids[order][position] == movies) if len(ids) else np.zeros(len(movies), bool)
    users, columns, actions = users[known], order[position[known]], actions[known]
    n_users = int(users.max()) + 1 if len(users) else 0
    key = users.astype(np.int64) * len(ids) + columns
    _, from_end = np.unique(key[::-1], return_index=True)
    latest = len(key) - 1 - from_end
    liked = latest[actions[latest] == LIKE]
    return sparse.csr_matrix(
        (np.ones(len(liked), dtype=np.float32), (users[liked], columns[liked])),
        shape=(n_users, len(ids)),
    )
