"""Profiles scored against each like (power mean) rather than against the average liked vector."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from movierec import pipeline
from movierec.errors import UsageError
from movierec.index.dense import DenseIndex
from movierec.recommender import Recommender
from movierec.settings import Settings
from tests.helpers import fixture_recommender


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def crafted(encoder, lean: float = 0.0, d_to_b: float = 0.0) -> tuple[Recommender, list[int]]:
    """A catalog whose vectors are set by hand: liked films A (axis 0) and B (axis 1), C halfway
    between them, D close to A alone (plus `d_to_b` of B); every other film points elsewhere
    (axes 5+), leaning `lean` towards B."""
    rec = fixture_recommender(encoder)
    n, dim = rec.bundle.embeddings.shape
    rng = np.random.default_rng(0)
    vectors = np.zeros((n, dim), dtype=np.float32)
    vectors[:, 5:] = rng.normal(size=(n, dim - 5))
    vectors[:, 1] = lean * np.linalg.norm(vectors, axis=1)
    axis = np.eye(dim, dtype=np.float32)
    vectors[0], vectors[1] = axis[0], axis[1]
    vectors[2] = axis[0] + axis[1]
    vectors[3] = 0.95 * axis[0] + 0.31 * axis[2] + d_to_b * axis[1]
    vectors[4] = 0.2 * axis[1] + axis[3]  # the one film a dislike will point at
    vectors = np.array([_unit(v) for v in vectors], dtype=np.float32)
    bundle = rec.bundle
    dense = DenseIndex.build(vectors, kind="flat")
    films = Recommender(
        dataclasses.replace(bundle, embeddings=vectors, dense=dense),
        encoder,
        Settings(prior_weight=0.0),
    )
    return films, [int(i) for i in films.movies.ids[:5]]


@pytest.fixture
def two_tastes(fake_encoder):
    return crafted(fake_encoder)


def test_power_one_is_the_average_vector(two_tastes) -> None:
    films, (a, b, c, *_) = two_tastes
    hits = films.recommend([a, b], k=2, profile_power=1.0)
    assert hits[0].id == c  # the mean of A and B is C itself
    assert hits[0].score == pytest.approx(1.0, rel=1e-4)


def test_power_mean_prefers_a_film_close_to_one_taste(two_tastes) -> None:
    films, (a, b, c, d, _) = two_tastes
    hits = films.recommend([a, b], k=2, profile_power=5.0, profile_power_likes=0)
    assert [h.id for h in hits] == [d, c]
    # D's score is the power mean of its cosines to A (0.95) and B (0), 0.95 * 0.5 ** 0.2,
    # over the length of the mean of A and B (sqrt 0.5): the scale of power 1's cosines.
    expected = 0.95 / np.linalg.norm([0.95, 0.31]) * 0.5**0.2 / np.sqrt(0.5)
    assert hits[0].score == pytest.approx(expected, rel=1e-4)
    # Power 1 gives C its cosine to the unit mean vector, 1; power 5 gives it the same.
    assert hits[1].score == pytest.approx(1.0, rel=1e-4)


def test_neighbours_of_each_like_are_fetched(two_tastes, monkeypatch) -> None:
    # In a catalog too large to score every film, with one candidate, the search around the
    # mean vector only finds C; D comes from the search around A.
    monkeypatch.setattr(pipeline, "EXACT_PROFILE_FILMS", 0)
    films, (a, b, c, d, _) = two_tastes
    hits = films.recommend([a, b], k=1, profile_power=5.0, profile_power_likes=0, candidates=1)
    assert [h.id for h in hits] == [d]
    assert [h.id for h in films.recommend([a, b], k=1, profile_power=1.0, candidates=1)] == [c]


def test_a_small_catalog_scores_every_film(fake_encoder, monkeypatch) -> None:
    # Only B's neighbours are fetched (one seed like, the last), every other film leans towards
    # B and D, the film close to the earlier like A, points away from B: neither the mean
    # vector's pool nor B's neighbours hold D. Scoring every film finds it.
    films, (a, b, _, d, _) = crafted(fake_encoder, lean=0.6, d_to_b=-0.5)
    monkeypatch.setattr(pipeline, "PROFILE_SEEDS", 1)
    options = {"k": 1, "profile_power": 5.0, "profile_power_likes": 0, "candidates": 1}
    assert [h.id for h in films.recommend([a, b], **options)] == [d]
    monkeypatch.setattr(pipeline, "EXACT_PROFILE_FILMS", 0)
    assert [h.id for h in films.recommend([a, b], **options)] != [d]


def test_every_film_within_the_limits_and_the_filter(two_tastes, monkeypatch) -> None:
    films, _ = two_tastes
    n = len(films.movies.ids)
    prior = np.zeros(n)
    every = pipeline.Candidates(films.bundle, prior, None)
    assert every.exact_rows(likes=3).tolist() == list(range(n))
    mask = np.zeros(n, dtype=bool)
    mask[[1, 4, 7]] = True
    assert pipeline.Candidates(films.bundle, prior, mask).exact_rows(likes=3).tolist() == [1, 4, 7]
    monkeypatch.setattr(pipeline, "EXACT_PROFILE_PAIRS", 3 * n - 1)
    assert every.exact_rows(likes=3) is None  # films x likes over the budget: use the pool
    assert every.exact_rows(likes=2) is not None
    monkeypatch.setattr(pipeline, "EXACT_PROFILE_FILMS", n - 1)
    assert every.exact_rows(likes=1) is None  # too many films


def test_dislikes_lower_the_power_mean(two_tastes) -> None:
    films, (_, b, c, _, e) = two_tastes
    liked = films.recommend(
        [b], k=len(films.movies.ids) - 1, profile_power=5.0, profile_power_likes=0
    )
    pushed = films.recommend(
        [b], [e], k=len(films.movies.ids) - 2, profile_power=5.0, profile_power_likes=0
    )
    scores = {h.id: h.score for h in pushed}
    assert e not in scores  # rated films never come back
    # Every film loses dislike_weight x its cosine to the disliked film; the result is divided
    # by the length of (B - dislike_weight x E), as power 1 would.
    vectors = films.bundle.embeddings
    dislike = films.settings.dislike_weight * vectors[4]
    drop = float(vectors[2] @ dislike)
    before = next(h.score for h in liked if h.id == c)
    assert drop > 0 and before == pytest.approx(float(np.sqrt(0.5)), rel=1e-4)
    expected = (before - drop) / np.linalg.norm(vectors[1] - dislike)
    assert scores[c] == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("value", [0.5, 0.0, -1.0, 51.0, float("nan"), float("inf")])
def test_profile_power_is_validated(value) -> None:
    with pytest.raises(UsageError, match="profile_power"):
        Settings(profile_power=value)


def test_few_likes_lean_more_on_the_prior() -> None:
    settings = Settings(prior_weight=0.5, profile_prior_likes=20)
    assert settings.profile_prior_weight(20) == settings.profile_prior_weight(500) == 0.5
    assert settings.profile_prior_weight(5) == pytest.approx(1.0)  # 0.5 * sqrt(20 / 5)
    assert settings.profile_prior_weight(0) == pytest.approx(0.5 * np.sqrt(20))
    assert Settings(prior_weight=0.5, profile_prior_likes=0).profile_prior_weight(1) == 0.5


def test_a_one_like_profile_gets_the_scaled_prior(fake_encoder) -> None:
    rec = fixture_recommender(fake_encoder)
    liked = [int(rec.movies.ids[0])]
    n = len(rec.movies.ids) - 1
    shrunk = rec.recommend(liked, k=n, prior_weight=0.5, profile_prior_likes=16)
    fixed = rec.recommend(liked, k=n, prior_weight=2.0, profile_prior_likes=0)  # 0.5 * sqrt(16)
    plain = rec.recommend(liked, k=n, prior_weight=0.5, profile_prior_likes=0)
    assert [(h.id, h.score) for h in shrunk] == [(h.id, h.score) for h in fixed]
    assert [h.id for h in shrunk] != [h.id for h in plain]


@pytest.mark.parametrize("name", ["profile_prior_likes", "profile_power_likes"])
@pytest.mark.parametrize("value", [-1, 2.5])
def test_profile_likes_settings_are_validated(name, value) -> None:
    with pytest.raises(UsageError, match=name):
        Settings(**{name: value})


def test_the_power_rises_with_the_number_of_likes(two_tastes) -> None:
    settings = Settings(profile_power=3.0, profile_power_likes=20)
    assert [settings.profile_power_for(n) for n in (0, 2, 10, 20, 400)] == [1.0, 1.2, 2.0, 3.0, 3.0]
    assert Settings(profile_power=3.0, profile_power_likes=0).profile_power_for(2) == 3.0
    # Two likes with power 5 reached at 4 likes: the exponent is 3, and D still beats C.
    films, (a, b, c, d, _) = two_tastes
    hits = films.recommend([a, b], k=2, profile_power=5.0, profile_power_likes=4)
    assert [h.id for h in hits] == [d, c]
    expected = 0.95 / np.linalg.norm([0.95, 0.31]) * 0.5 ** (1 / 3) / np.sqrt(0.5)
    assert hits[0].score == pytest.approx(expected, rel=1e-4)
    # Reached at 40 likes, two likes give 1.2: close to the mean vector, C first.
    assert films.recommend([a, b], k=1, profile_power=5.0, profile_power_likes=40)[0].id == c


def test_unseen_boost_adds_to_profile_scores_only(two_tastes, caplog) -> None:
    films, (a, b, _, d, _) = two_tastes
    n = len(films.movies.ids) - 2
    before = {h.id: h.score for h in films.recommend([a, b], k=n)}
    assert films.unseen is None  # base vectors: nothing is marked, the boost does nothing
    assert {h.id: h.score for h in films.recommend([a, b], k=n, unseen_boost=0.5)} == before
    assert "unseen_boost has no effect" in caplog.text  # and the caller is told why, once
    films.recommend([a, b], k=n, unseen_boost=0.5)
    assert caplog.text.count("unseen_boost has no effect") == 1
    films.unseen = np.zeros(len(films.movies.ids), dtype=bool)
    films.unseen[films.movies.row(d)] = True  # D: a film the tuning saw no like of
    hits = films.recommend([a, b], k=n, unseen_boost=0.05)
    boosted = {h.id: h.score for h in hits}
    assert boosted[d] == pytest.approx(before[d] + 0.05, abs=1e-6)
    # The explanation says so, for D only, and the JSON carries the amount.
    said = {h.id: (h.boost, h.explain()) for h in hits}
    assert said[d][0] == pytest.approx(0.05) and "new to the tuned model" in said[d][1]
    assert all(b == 0.0 and "tuned model" not in e for i, (b, e) in said.items() if i != d)
    assert next(h for h in hits if h.id == d).to_dict()["boost"] == 0.05
    assert {i: s for i, s in boosted.items() if i != d} == pytest.approx(
        {i: s for i, s in before.items() if i != d}
    )
    # Search and "films like this" are not profiles: the boost leaves them alone.
    similar = [(h.id, h.score) for h in films.similar(id=a, k=5)]
    assert [(h.id, h.score) for h in films.similar(id=a, k=5, unseen_boost=0.5)] == similar


@pytest.mark.parametrize("value", [-0.01, 1.5, float("nan")])
def test_unseen_boost_is_validated(value) -> None:
    with pytest.raises(UsageError, match="unseen_boost"):
        Settings(unseen_boost=value)
