"""The first-visit picker: a grid of well-known films spread over the taste space.

A new user rates a few films on one screen. To learn the most from a few clicks the grid holds
films people recognise (the most voted of the catalog) that differ from each other: the pool of
recognisable films is cut into `n` clusters (seeded spherical k-means over the catalog vectors)
and each cluster gives its best-known film. "Show others" passes the films already shown, so the
next grid is drawn from the next pool and never repeats one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from movierec.checks import check_filters, film_ids
from movierec.errors import UsageError
from movierec.filters import Filters
from movierec.scoring import min_max
from movierec.settings import check_number

if TYPE_CHECKING:
    from movierec.recommender import Recommender

GRID = 12
KMEANS_ITERATIONS = 30


@dataclass(frozen=True)
class PickerOptions:
    """How a grid is drawn.

    `pool`: how many of the most voted films not shown yet a grid is drawn from, per grid film;
    `recognition`: 1 picks the most voted film of each cluster, 0 the one nearest its centre,
    between the two a weighted sum of both (each min-max scaled within the cluster).
    """

    pool: int = 10
    recognition: float = 1.0

    def __post_init__(self) -> None:
        check_number("pool", self.pool, int)
        if self.pool < 1:
            raise UsageError(f"pool must be at least 1 film per grid film, got {self.pool}")
        check_number("recognition", self.recognition, float)
        if not 0.0 <= self.recognition <= 1.0:
            raise UsageError(f"recognition must be between 0 and 1, got {self.recognition}")


def picker_grid(
    recommender: Recommender,
    shown: Iterable[int] = (),
    n: int = GRID,
    seed: int = 0,
    filters: Filters | None = None,
    options: PickerOptions | None = None,
) -> list[int]:
    """Ids of `n` recognisable films spread over the catalog, none of them in `shown`
    (unknown ids there are ignored), most voted first; fewer when the catalog runs out.
    A bad argument is a UsageError naming it."""
    shown = film_ids("shown", shown)
    _check_size(n)
    check_number("seed", seed, int)
    if seed < 0:
        raise UsageError(f"seed must be a whole number of at least 0, got {seed}")
    if options is not None and not isinstance(options, PickerOptions):
        raise UsageError(
            f"options must be a PickerOptions such as PickerOptions(pool=10), got {options!r}"
        )
    movies = recommender.movies
    excluded = [movies.row_of[i] for i in shown if i in movies.row_of]
    allowed = recommender.filter_index.mask(check_filters(filters), excluded)
    rows = pick_rows(
        np.asarray(recommender.bundle.embeddings, dtype=np.float32),
        recommender.filter_index.votes,
        n,
        seed,
        allowed,
        options or PickerOptions(),
    )
    return [int(movies.ids[r]) for r in rows]


def candidate_pool(votes: np.ndarray, size: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """Rows of the `size` most voted allowed films (ties: lower row first)."""
    rows = np.arange(len(votes)) if allowed is None else np.flatnonzero(allowed)
    order = np.lexsort((rows, -np.asarray(votes, dtype=np.float64)[rows]))
    return rows[order[:size]]


def pick_rows(
    vectors: np.ndarray,
    votes: np.ndarray,
    n: int,
    seed: int = 0,
    allowed: np.ndarray | None = None,
    options: PickerOptions | None = None,
) -> list[int]:
    """The grid as catalog rows: one film per cluster of the candidate pool, most voted first."""
    _check_size(n)
    options = options or PickerOptions()
    pool = candidate_pool(votes, n * options.pool, allowed)
    if len(pool) <= n:
        return pool.tolist()
    points = _unit_rows(vectors[pool])
    labels, centres = spherical_kmeans(points, n, seed)
    recognised = np.log1p(np.asarray(votes, dtype=np.float64)[pool])
    picked = []
    for cluster in range(n):
        members = np.flatnonzero(labels == cluster)
        if len(members) == 0:
            continue
        central = points[members] @ centres[cluster]
        score = options.recognition * min_max(recognised[members])
        score += (1.0 - options.recognition) * min_max(central)
        picked.append(members[int(np.argmax(score))])  # ties: the more voted (pool order)
    return pool[sorted(picked)].tolist()


def _check_size(n: object) -> None:
    check_number("n", n, int)
    if n < 1:
        raise UsageError(f"a grid needs at least one film, got n={n}")


def spherical_kmeans(
    points: np.ndarray, k: int, seed: int = 0, iterations: int = KMEANS_ITERATIONS
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster unit vectors by cosine similarity: (label per point, unit centre per cluster).

    Seeded k-means++ start, then Lloyd steps; a cluster left empty takes the point worst served
    by its own centre, so every cluster keeps at least one point."""
    rng = np.random.default_rng(seed)
    centres = points[_kmeans_plus_plus(points, k, rng)].astype(np.float64)
    labels = np.full(len(points), -1)
    for _ in range(iterations):
        similarity = points @ centres.T
        new = similarity.argmax(axis=1)
        served = similarity[np.arange(len(points)), new]
        for empty in sorted(set(range(k)) - set(new.tolist())):
            worst = int(np.argmin(served))
            new[worst], served[worst] = empty, np.inf
        if np.array_equal(new, labels):
            break
        labels = new
        for cluster in range(k):
            centres[cluster] = points[labels == cluster].sum(axis=0)
        centres = _unit_rows(centres)
    return labels, centres


def _kmeans_plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> list[int]:
    chosen = [int(rng.integers(len(points)))]
    distance = 1.0 - points @ points[chosen[0]]
    for _ in range(1, k):
        weights = np.clip(distance, 0.0, None)
        total = float(weights.sum())
        if total <= 0:
            pick = int(rng.choice(np.setdiff1d(np.arange(len(points)), chosen)))
        else:
            pick = int(rng.choice(len(points), p=weights / total))
        chosen.append(pick)
        distance = np.minimum(distance, 1.0 - points @ points[pick])
    return chosen


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)
