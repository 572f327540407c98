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
