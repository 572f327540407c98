"""Score helpers every ranking step shares: min-max scaling and top-k selection."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def min_max(values: np.ndarray | Sequence[float]) -> np.ndarray:
    """Scale to [0, 1], keeping a float dtype (ints become float64); empty stays empty.

    All-equal values are all the best, so each becomes 1.0: a lone keyword hit still counts
    fully in fusion, and a constant prior or relevance shifts every film alike.
    """
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.ones_like(values)


LARGE_TOP_K = 200_000  # above this many scores, top_k first drops the ones below a threshold


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k largest scores (best first), among rows where mask is True."""
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if len(scores) > LARGE_TOP_K:
        return _top_k_large(scores, k, mask)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[np.isfinite(scores[top])]


def _top_k_large(scores: np.ndarray, k: int, mask: np.ndarray | None) -> np.ndarray:
    """top_k for a million scores: a strided sample sets a threshold about 4k scores from the
    top, and only the scores above it are partitioned (exact: the threshold is used only when at
    least k scores pass it). Ties go to the lower index."""
    rows = np.flatnonzero(mask) if mask is not None else None
    values = scores if rows is None else scores[rows]
    kept = None
    if len(values) > 8 * k:
        sample = np.sort(values[:: max(1, len(values) // 20_000)])
        position = max(0, len(sample) - 1 - len(sample) * 4 * k // len(values))
        above = np.flatnonzero(values >= sample[position])
        kept = above if len(above) >= k else None
    if kept is None:
        kept = np.arange(len(values))
    part = kept[np.argpartition(-values[kept], k - 1)[:k]] if len(kept) > k else kept
    top = np.sort(part)
    top = top[np.argsort(-values[top], kind="stable")][:k]
    top = top[np.isfinite(values[top])]
    return top if rows is None else rows[top]
