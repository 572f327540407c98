"""Ranking metrics at a cut-off k."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    """Share of the relevant items found in the top k."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence[int], gains: Mapping[int, float], k: int) -> float:
    """Normalized discounted cumulative gain with graded gains (1.0 each for binary relevance)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = sum(gains.get(item, 0.0) * discounts[i] for i, item in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = float(np.dot(ideal, discounts[: len(ideal)]))
    return dcg / idcg if idcg > 0 else 0.0


def paired_ratio_interval(
    numerator: Sequence[float],
    denominator: Sequence[float],
    level: float = 0.95,
    rounds: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """mean(numerator) / mean(denominator) and its paired bootstrap interval at `level`: the
    cases (e.g. users) are resampled with replacement, each keeping both of its values, so the
    interval says how much the ratio owes to which cases happened to be drawn."""
    a = np.asarray(numerator, dtype=np.float64)
    b = np.asarray(denominator, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or not len(a):
        raise ValueError(
            "need two equally long, non-empty lists of per-case values, "
            f"got {a.shape} and {b.shape}"
        )
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    if b.sum() <= 0:
        raise ValueError("the denominator's values sum to 0: the ratio is undefined")
    draws = np.random.default_rng(seed).integers(0, len(a), size=(rounds, len(a)))
    sums_b = b[draws].sum(axis=1)
    ratios = a[draws].sum(axis=1)[sums_b > 0] / sums_b[sums_b > 0]
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ratios, [tail, 1.0 - tail])
    return float(a.sum() / b.sum()), float(low), float(high)
