"""The two protocols: held-out likes of a profile, and co-liked films of a film."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from movierec.movielens import Interactions


@dataclass(frozen=True)
class ProfileCase:
    """A user's profile (80 % of likes, all dislikes, and the films they rated in between as
    seen: watched, neither liked nor disliked) and the held-out likes to find."""

    user: int
    liked: list[int]
    disliked: list[int]
    held_out: list[int]
    seen: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SimilarCase:
    """A film and the films whose likers overlap most with its own (gain = Jaccard)."""

    movie: int
    truth: dict[int, float]


def profile_cases(
    data: Interactions,
    seed: int = 0,
    min_likes: int = 10,
    train_share: float = 0.8,
    seen: bool = True,
) -> list[ProfileCase]:
    """A seeded random split of each user's likes; users with fewer than `min_likes` skipped.
    With `seen`, each profile holds the user's films rated in between (`Interactions.neutral`)
    as seen, as `movierec import-ratings` stores them."""
    rng = np.random.default_rng(seed)
    cases = []
    for user in data.users:
        likes = np.array(sorted(data.likes[user]), dtype=np.int64)
        if len(likes) < min_likes:
            continue
        order = rng.permutation(len(likes))
        cut = round(train_share * len(likes))
        cases.append(
            ProfileCase(
                user=user,
                liked=sorted(likes[order[:cut]].tolist()),
                disliked=list(data.dislikes.get(user, [])),
                held_out=sorted(likes[order[cut:]].tolist()),
                seen=_seen(data, user, seen),
            )
        )
    return cases


def profile_folds(
    data: Interactions, seed: int = 0, folds: int = 5, min_likes: int = 10, seen: bool = True
) -> list[ProfileCase]:
    """Each user's likes in `folds` seeded parts, each held out once (the rest is the profile):
    `folds` cases a user, so every like is looked for once and a user's figure does not hang on
    one draw of which likes were held out. Five folds hold out 20 %, as `profile_cases` does;
    `seen` as there."""
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    rng = np.random.default_rng(seed)
    cases = []
    for user in data.users:
        likes = np.array(sorted(data.likes[user]), dtype=np.int64)
        if len(likes) < max(min_likes, folds):
            continue
        for part in np.array_split(rng.permutation(len(likes)), folds):
            held = np.zeros(len(likes), dtype=bool)
            held[part] = True
            cases.append(
                ProfileCase(
                    user=user,
                    liked=likes[~held].tolist(),
                    disliked=list(data.dislikes.get(user, [])),
                    held_out=likes[held].tolist(),
                    seen=_seen(data, user, seen),
                )
            )
    return cases


def held_out_profiles(
    data: Interactions, seed: int = 0, folds: int = 1, seen: bool = True
) -> list[ProfileCase]:
    """The profile protocol's cases: one 80/20 draw a user (`profile_cases`), or with `folds`
    ≥ 2 each of `folds` parts held out in turn (`profile_folds`). With `seen` (the protocol
    since 2026-11-30) a profile holds the user's films rated in between as seen, and no system
    may recommend them; without it, the protocol before that."""
    if folds >= 2:
        return profile_folds(data, seed, folds, seen=seen)
    return profile_cases(data, seed=seed, seen=seen)


def _seen(data: Interactions, user: int, seen: bool) -> list[int]:
    """The user's films rated in between (none without `seen`)."""
    return list(data.neutral.get(user, [])) if seen else []


def user_means(cases: list[ProfileCase], values: list[float]) -> tuple[list[int], list[float]]:
    """The mean of each user's values over their cases (folds), users in first-seen order."""
    if len(cases) != len(values):
        raise ValueError(f"{len(cases)} cases but {len(values)} values")
    sums: dict[int, list[float]] = {}
    for case, value in zip(cases, values, strict=True):
        sums.setdefault(case.user, []).append(value)
    return list(sums), [float(np.mean(v)) for v in sums.values()]


def similar_cases(
    data: Interactions, min_likers: int = 20, truth_size: int = 20, min_co_likers: int = 5
) -> list[SimilarCase]:
    """For each film liked by ≥ `min_likers` users, its `truth_size` most co-liked films
    (Jaccard of the sets of likers, at least `min_co_likers` in common)."""
    users = data.users
    movies = sorted({m for u in users for m in data.likes[u]})
    column = {m: j for j, m in enumerate(movies)}
    rows = [i for i, u in enumerate(users) for _ in data.likes[u]]
    cols = [column[m] for u in users for m in data.likes[u]]
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(users), len(movies))
    )
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    co = (matrix.T @ matrix).tocsr()
    cases = []
    for j in np.flatnonzero(counts >= min_likers):
        start, end = co.indptr[j], co.indptr[j + 1]
        others, shared = co.indices[start:end], co.data[start:end]
        keep = (others != j) & (shared >= min_co_likers)
        others, shared = others[keep], shared[keep]
        if len(others) == 0:
            continue
        jaccard = shared / (counts[j] + counts[others] - shared)
        order = np.lexsort((others, -jaccard))[:truth_size]  # ties: lower column first
        truth = {int(movies[others[i]]): float(jaccard[i]) for i in order}
        cases.append(SimilarCase(movie=int(movies[j]), truth=truth))
    return cases
