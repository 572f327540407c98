"""Quality prior, top-k selection and MMR diversity, on hand-made data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movierec.ranking import mmr, quality_prior, top_k


def test_prior_prefers_many_votes_over_few_perfect_votes() -> None:
    catalog = pd.DataFrame(
        {"vote_count": [3, 10_000, 50, 0], "vote_average": [9.5, 8.3, 5.0, np.nan]}
    )
    prior = quality_prior(catalog)
    assert prior.shape == (4,)
    assert prior.min() >= 0 and prior.max() <= 1
    assert prior[1] == prior.max()
    assert prior[1] > prior[0] > prior[3]


def test_top_k_orders_and_masks() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3])
    assert top_k(scores, 3).tolist() == [1, 3, 2]
    mask = np.array([True, False, True, False, True])
    assert top_k(scores, 2, mask).tolist() == [2, 4]
    assert top_k(scores, 10, np.zeros(5, dtype=bool)).tolist() == []


def test_mmr_zero_diversity_keeps_relevance_order() -> None:
    vectors = np.eye(4, dtype=np.float32)
    relevance = np.array([0.2, 0.9, 0.5, 0.7])
    assert mmr(relevance, vectors, 4, 0.0).tolist() == [1, 3, 2, 0]


def test_mmr_skips_near_duplicates() -> None:
    a = np.array([1.0, 0.0], dtype=np.float32)
    b = np.array([0.0, 1.0], dtype=np.float32)
    vectors = np.stack([a, a, b])  # 0 and 1 are the same film twice
    relevance = np.array([1.0, 0.95, 0.5])
    assert mmr(relevance, vectors, 2, 0.0).tolist() == [0, 1]
    assert mmr(relevance, vectors, 2, 0.5).tolist() == [0, 2]


def test_mmr_rejects_bad_diversity() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        mmr(np.ones(2), np.eye(2), 1, 1.5)


def test_top_k_of_a_million_scores_equals_a_full_sort() -> None:
    rng = np.random.default_rng(7)
    scores = rng.random(1_000_000)
    scores[rng.random(len(scores)) < 0.3] = 0.0  # many ties at zero, as BM25 gives
    mask = rng.random(len(scores)) < 0.5
    for k, m in ((10, None), (500, None), (500, mask), (3, mask)):
        masked = scores if m is None else np.where(m, scores, -np.inf)
        expected = np.lexsort((np.arange(len(scores)), -masked))[:k]
        assert top_k(scores, k, m).tolist() == expected.tolist()
    few = np.zeros(1_000_000)
    few[[5, 900_000]] = [2.0, 1.0]
    assert top_k(few, 3, few > 0).tolist() == [5, 900_000]


def test_likes_prior_orders_films_by_how_many_liked_them() -> None:
    from movierec.ranking import likes_prior

    prior = likes_prior(np.array([0, 1, 10, 100]))
    assert prior.dtype == np.float32 and prior[0] == 0.0 and prior[-1] == 1.0
    assert np.all(np.diff(prior) > 0)  # log counts: 1 -> 10 -> 100 in equal steps
    assert prior[2] - prior[1] == pytest.approx(np.log(11 / 2) / np.log(101), rel=1e-5)


def test_likes_prior_places_films_nobody_liked_by_their_quality() -> None:
    from movierec.ranking import likes_prior

    counts = np.array([0, 1, 10, 100, 0, 0])
    quality = np.array([0.9, 0.1, 0.5, 0.8, 0.0, 0.6])
    prior = likes_prior(counts, quality)
    liked = likes_prior(counts)[1:4]  # log(1 + count) / log(101)
    np.testing.assert_allclose(prior[1:4], liked)  # liked films keep their counts' prior
    assert prior[0] == 1.0  # better than every liked film: the top of theirs
    assert prior[4] == pytest.approx(np.log(2) / np.log(101))  # worse than all: their bottom
    assert prior[5] == pytest.approx(np.quantile(liked, 2 / 3))  # above two of the three
    np.testing.assert_allclose(likes_prior(counts[1:4], quality[1:4]), likes_prior(counts[1:4]))


def test_prior_likes_outside_unit_interval_is_refused() -> None:
    from movierec.errors import UsageError
    from movierec.settings import Settings

    with pytest.raises(UsageError, match="prior_likes must be between 0 and 1"):
        Settings(prior_likes=1.5)
