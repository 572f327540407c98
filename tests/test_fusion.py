"""Fusion functions on hand-written ranked lists."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.index.fusion import min_max, reciprocal_rank_fusion, weighted_sum


def test_rrf_sums_reciprocal_ranks():
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
    sparse = [("c", 12.0), ("a", 3.0)]
    fused = dict(reciprocal_rank_fusion([dense, sparse], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert [key for key, _ in reciprocal_rank_fusion([dense, sparse], k=60)] == ["a", "c", "b"]


def test_rrf_ignores_raw_scores_and_uses_weights():
    one = [("x", 1000.0), ("y", 0.001)]
    two = [("y", 5.0), ("x", 4.0)]
    equal = reciprocal_rank_fusion([one, two], k=1)
    assert equal[0][1] == pytest.approx(equal[1][1])  # symmetric ranks, same fused score
    weighted = reciprocal_rank_fusion([one, two], k=1, weights=[2.0, 1.0])
    assert weighted[0][0] == "x"
    assert weighted[0][1] == pytest.approx(2 / 2 + 1 / 3)


def test_rrf_rejects_wrong_number_of_weights():
    with pytest.raises(ValueError, match="2 ranked lists"):
        reciprocal_rank_fusion([[("a", 1.0)], [("b", 1.0)]], weights=[1.0])


def test_rrf_of_nothing_is_empty():
    assert reciprocal_rank_fusion([[], []]) == []


def test_min_max_scales_to_unit_interval():
    np.testing.assert_allclose(min_max([2.0, 4.0, 3.0]), [0.0, 1.0, 0.5])
    np.testing.assert_allclose(min_max([7.0, 7.0]), [1.0, 1.0])
    assert min_max([]).size == 0


def test_weighted_sum_hand_computed():
    dense = [("a", 0.9), ("b", 0.5), ("c", 0.7)]  # scaled: a 1.0, b 0.0, c 0.5
    sparse = [("b", 10.0), ("d", 0.0)]  # scaled: b 1.0, d 0.0
    fused = dict(weighted_sum(dense, sparse, alpha=0.6))
    assert fused == pytest.approx({"a": 0.6, "b": 0.4, "c": 0.3, "d": 0.0})
    order = [key for key, _ in weighted_sum(dense, sparse, alpha=0.6)]
    assert order == ["a", "b", "c", "d"]


@pytest.mark.parametrize(("alpha", "winner"), [(1.0, "a"), (0.0, "b")])
def test_weighted_sum_alpha_extremes_pick_one_side(alpha, winner):
    dense = [("a", 0.9), ("b", 0.1)]
    sparse = [("b", 9.0), ("a", 1.0)]
    assert weighted_sum(dense, sparse, alpha=alpha)[0][0] == winner


def test_weighted_sum_rejects_alpha_outside_unit_interval():
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        weighted_sum([("a", 1.0)], [], alpha=1.5)
