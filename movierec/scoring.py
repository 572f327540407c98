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


def top_k(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k largest scores (best first), among rows where mask is True."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[np.isfinite(scores[top])]
