"""Fusion of ranked lists as pure functions over [(key, score)] pairs."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from movierec.scoring import min_max

__all__ = ["min_max", "reciprocal_rank_fusion", "weighted_sum"]  # min_max: movierec.scoring

K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(
    ranked_lists: Sequence[Sequence[tuple[K, float]]],
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Sum of weight / (k + rank) over the lists (ranks from 1); best first, ties by first seen."""
    weights = [1.0] * len(ranked_lists) if weights is None else list(weights)
    if len(weights) != len(ranked_lists):
        raise ValueError(f"got {len(weights)} weights for {len(ranked_lists)} ranked lists")
    fused: dict[K, float] = {}
    for weight, ranked in zip(weights, ranked_lists, strict=True):
        for rank, (key, _) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda item: -item[1])


def weighted_sum(
    dense: Sequence[tuple[K, float]], sparse: Sequence[tuple[K, float]], alpha: float
) -> list[tuple[K, float]]:
    """alpha * minmax(dense) + (1 - alpha) * minmax(sparse); a key missing from a side gets 0."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    fused: dict[K, float] = {}
    for weight, ranked in ((alpha, dense), (1.0 - alpha, sparse)):
        scaled = min_max([score for _, score in ranked])
        for (key, _), value in zip(ranked, scaled, strict=True):
            fused[key] = fused.get(key, 0.0) + weight * float(value)
    return sorted(fused.items(), key=lambda item: -item[1])
