"""Satisfaction of each member with each film, and the aggregations that order films for a
group: pure functions over a members × films matrix in [0, 1], best first."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from movierec.errors import UsageError
from movierec.hits import Hit
from movierec.scoring import min_max

RANK_C = 2.0  # c of the "rank" satisfaction c / (rank + c): the third film is half as good
MEAN_WEIGHT = 2.0  # λ of "min_mean": min + λ · mean (two members: 2 · min + max)
SCALES = ("rank", "score")


def least_misery(matrix: np.ndarray, k: int) -> np.ndarray:
    """Films by their least happy member's satisfaction; ties by the mean."""
    return _by(matrix.min(axis=0), matrix.mean(axis=0), k)


def min_mean(matrix: np.ndarray, k: int, weight: float = MEAN_WEIGHT) -> np.ndarray:
    """Films by min + weight · mean: least misery that still counts the others' joy."""
    return _by(matrix.min(axis=0) + weight * matrix.mean(axis=0), matrix.mean(axis=0), k)


def average(matrix: np.ndarray, k: int) -> np.ndarray:
    """Films by mean satisfaction (utilitarian; can leave one member out)."""
    return _by(matrix.mean(axis=0), matrix.min(axis=0), k)


def greedy(matrix: np.ndarray, k: int) -> np.ndarray:
    """Pick one film at a time, maximizing the least served member's total satisfaction so
    far (ties by the film's mean): a list fair as a whole, not only film by film."""
    served = np.zeros(matrix.shape[0])
    free = np.ones(matrix.shape[1], dtype=bool)
    chosen: list[int] = []
    for _ in range(min(k, matrix.shape[1])):
        totals = (served[:, None] + matrix).min(axis=0)
        best = _by(np.where(free, totals, -np.inf), matrix.mean(axis=0), 1)[0]
        chosen.append(int(best))
        served += matrix[:, best]
        free[best] = False
    return np.array(chosen, dtype=np.int64)


def _by(primary: np.ndarray, tie: np.ndarray, k: int) -> np.ndarray:
    order = np.lexsort((-tie, -primary))
    return order[np.isfinite(primary[order])][:k]


AGGREGATIONS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "least_misery": least_misery,
    "min_mean": min_mean,
    "greedy": greedy,
    "average": average,
}
DEFAULT = "min_mean"


def satisfaction(
    lists: Sequence[Sequence[Hit]], scale: str = "rank"
) -> tuple[np.ndarray, np.ndarray]:
    """(pool ids, members × pool matrix in [0, 1]): by place in each member's own list, or by
    score min-max scaled over it (see the module docstring); 0 where a film is not listed."""
    if scale not in SCALES:
        raise UsageError(f"unknown satisfaction scale {scale!r}; use one of {', '.join(SCALES)}")
    pool = np.array(sorted({h.id for hits in lists for h in hits}), dtype=np.int64)
    column = {int(i): j for j, i in enumerate(pool)}
    matrix = np.zeros((len(lists), len(pool)))
    for m, hits in enumerate(lists):
        if not hits:
            continue
        if scale == "rank":
            values = RANK_C / (np.arange(len(hits)) + RANK_C)
        else:
            values = min_max(np.array([h.score for h in hits], dtype=np.float64))
        for hit, value in zip(hits, values, strict=True):
            matrix[m, column[hit.id]] = value
    return pool, matrix
