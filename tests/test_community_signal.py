"""The community signal inside the recommender: blending, cold start, hot reload on retrain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from movierec.community import DISLIKE_WEIGHT, fit_ease, fit_item_knn, save_version
from movierec.community_signal import CommunitySignal, CommunitySource
from movierec.errors import UsageError
from movierec.settings import Settings
from movierec.store import ProfileStore
from tests.helpers import fixture_recommender

ALIEN, AMELIE, NOTEBOOK, SHINING, WALL_E = 348, 194, 11036, 694, 10681


@pytest.fixture
def rec(fake_encoder):
    return fixture_recommender(fake_encoder)


def community(n_users: int = 12) -> dict[int, list[int]]:
    """Synthetic users: whoever likes Alien also likes Amélie (an odd pair content won't find)."""
    likes = {u: [ALIEN, AMELIE] for u in range(n_users)}
    likes.update({100 + u: [SHINING, NOTEBOOK] for u in range(4)})
    return likes


def ids(hits) -> list[int]:
    return [h.id for h in hits]


def test_co_liked_film_is_recommended_only_with_the_community(rec) -> None:
    before = rec.recommend([ALIEN], k=3)
    assert AMELIE not in ids(before)
    model = fit_item_knn(community(), rec.movies.ids)
    after = rec.with_community(model).recommend([ALIEN], k=3)
    assert ids(after)[0] == AMELIE
    assert after[0].community_score == pytest.approx(1.0)
    assert "liked by people with your taste" in after[0].explain()
    assert ids(rec.with_community(model).similar(id=ALIEN, k=1)) == [AMELIE]


def test_community_weight_zero_is_the_content_engine(rec) -> None:
    blended = rec.with_community(fit_item_knn(community(), rec.movies.ids))
    plain = ids(rec.recommend([ALIEN], k=5))
    assert ids(blended.recommend([ALIEN], k=5, community_weight=0.0)) == plain


def test_rank_fusion_sums_the_ranks_of_content_and_community() -> None:
    from movierec.pipeline import rank_sum

    content = np.array([0.9, 0.8, 0.1, 0.1])
    community = np.array([0.0, 0.5, 1.0, 0.0])
    k = 10

    def at(rank: int) -> float:
        return (k + 1) / (k + rank)

    expected = [
        at(1) + 2 * at(3),  # content first; community third (the tied zeros share rank 3)
        at(2) + 2 * at(2),
        at(3) + 2 * at(1),  # content third (tied with the last row), community first
        at(3) + 2 * at(3),
    ]
    assert rank_sum(content, community, 2.0, k) == pytest.approx(expected)
    # Scale does not matter, only order: a community score 1000x larger changes nothing.
    assert rank_sum(content, 1000 * community, 2.0, k) == pytest.approx(expected)


def test_rank_fusion_blends_content_and_community(rec) -> None:
    blended = rec.with_community(fit_ease(community(), rec.movies.ids))
    n = len(rec.movies.ids) - 1
    content = ids(rec.recommend([ALIEN], k=n))

    def ranked(weight: float) -> list[int]:
        options = {"community_fusion": "rank", "community_rank_k": 1}
        return ids(blended.recommend([ALIEN], k=n, community_weight=weight, **options))

    assert ranked(0.0) == content
    places = [ranked(w).index(AMELIE) for w in (0.0, 0.5, 1.0, 3.0)]
    assert places == sorted(places, reverse=True) and places[0] > 5  # climbs with the weight
    assert places[-1] == 0  # first for the community, far down on content


def test_rank_fusion_ranks_content_with_the_community_prior_weight(rec) -> None:
    blended = rec.with_community(fit_ease(community(), rec.movies.ids))
    options = {"community_fusion": "rank", "community_weight": 1e-6, "community_rank_k": 1}
    plain = ids(blended.recommend([ALIEN], k=5, community_prior_weight=0.0, **options))
    assert plain == ids(rec.recommend([ALIEN], k=5, prior_weight=0.0))
    leaning = ids(blended.recommend([ALIEN], k=5, community_prior_weight=1000.0, **options))
    prior = dict(zip(map(int, rec.movies.ids), rec.prior.tolist(), strict=True))
    del prior[ALIEN]
    assert leaning == sorted(prior, key=prior.get, reverse=True)[:5]


def test_profiles_the_model_does_not_know_fall_back_to_content(rec) -> None:
    blended = rec.with_community(fit_item_knn(community(), rec.movies.ids))
    hits = blended.recommend([WALL_E], k=5)  # nobody in the community liked WALL·E
    assert ids(hits) == ids(rec.recommend([WALL_E], k=5))
    assert all(h.community_score is None for h in hits)


def test_new_catalog_titles_stay_recommendable(rec) -> None:
    # The model was trained before WALL·E joined the catalog: it never heard of it.
    older = [i for i in rec.movies.ids.tolist() if i != WALL_E]
    model = fit_item_knn(community() | {200: [ALIEN, WALL_E]}, older)
    assert WALL_E not in model.row_of
    blended = rec.with_community(model)
    everything = blended.recommend([ALIEN], k=len(rec.movies.ids) - 1)
    assert WALL_E in ids(everything)
    wall_e = next(h for h in everything if h.id == WALL_E)
    assert wall_e.community_score == 0.0


def test_filters_and_exclusions_hold_for_community_candidates(rec) -> None:
    blended = rec.with_community(fit_item_knn(community(), rec.movies.ids))
    assert AMELIE not in ids(blended.recommend([ALIEN], k=5, exclude=[AMELIE]))
    from movierec.filters import Filters

    horror = blended.recommend([ALIEN], k=3, filters=Filters(genres=("Horror",)))
    assert horror and all("Horror" in h.genres for h in horror)


def test_profile_uses_ease_and_films_use_item_knn(rec) -> None:
    likes = community()
    signal = CommunitySignal(
        [fit_item_knn(likes, rec.movies.ids), fit_ease(likes, rec.movies.ids)], rec.movies
    )
    assert signal.profile_model.kind == "ease"
    assert signal.film_model.kind == "item_knn"
    scores = signal.for_profile([ALIEN], [])
    assert scores is not None and scores.max() == pytest.approx(1.0)
    assert int(np.argmax(scores)) == rec.movies.row_of[AMELIE]
    assert signal.for_profile([WALL_E], []) is None


def test_community_dislike_weight_sets_how_far_dislikes_count_on_the_community_side(rec) -> None:
    # Wall-E is liked with Alien by a few people and with The Shining by more
    likes = {u: [ALIEN, AMELIE] for u in range(12)} | {20 + u: [ALIEN, WALL_E] for u in range(3)}
    likes |= {30 + u: [SHINING, WALL_E] for u in range(6)}
    model = fit_item_knn(likes, rec.movies.ids, shrink=0.0)
    signal = CommunitySignal(model, rec.movies)
    wall_e = rec.movies.row_of[WALL_E]
    ignored = signal.for_profile([ALIEN], [SHINING], dislike_weight=0.0)
    counted = signal.for_profile([ALIEN], [SHINING], dislike_weight=0.5)
    assert ignored[wall_e] > 0.0 and counted[wall_e] < ignored[wall_e]
    np.testing.assert_allclose(ignored, signal.for_profile([ALIEN], []))
    np.testing.assert_allclose(counted, signal.for_profile([ALIEN], [SHINING]))  # the default
    blended = rec.with_community(model)
    score = {
        weight: next(
            h.community_score
            for h in blended.recommend([ALIEN], [SHINING], k=28, community_dislike_weight=weight)
            if h.id == WALL_E
        )
        for weight in (0.0, 0.5)
    }
    assert score[0.0] == pytest.approx(ignored[wall_e]) and score[0.5] < score[0.0]
    assert SHINING not in ids(blended.recommend([ALIEN], [SHINING], k=28))
    assert Settings().community_dislike_weight == DISLIKE_WEIGHT  # one default, both places
    with pytest.raises(UsageError, match="community_dislike_weight must be >= 0"):
        blended.recommend([ALIEN], [SHINING], k=3, community_dislike_weight=-1)


def test_half_confidence_damps_rarely_liked_films(rec) -> None:
    likes = {u: [ALIEN, AMELIE] for u in range(20)} | {50: [ALIEN, SHINING]}
    model = fit_item_knn(likes, rec.movies.ids, shrink=0.0)
    raw = CommunitySignal(model, rec.movies).for_film(ALIEN)
    damped = CommunitySignal(model, rec.movies, half_confidence=5.0).for_film(ALIEN)
    row = rec.movies.row_of
    assert damped[row[SHINING]] / damped[row[AMELIE]] < raw[row[SHINING]] / raw[row[AMELIE]]


def test_a_film_nobody_liked_keeps_what_collective_ease_reads_into_it(rec) -> None:
    row = rec.movies.row_of
    content = np.eye(len(rec.movies.ids))  # every film reads like itself only ...
    content[row[WALL_E]] = content[row[ALIEN]]  # ... and WALL-E exactly like Alien
    model = fit_ease(community(), rec.movies.ids, content=content)
    assert model.counts[model.row_of[WALL_E]] == 0  # nobody liked it
    scores = CommunitySignal(model, rec.movies).for_profile([ALIEN], [])
    assert scores[row[WALL_E]] > 0 and scores[row[AMELIE]] > 0
    plain = CommunitySignal(fit_ease(community(), rec.movies.ids), rec.movies)
    assert plain.for_profile([ALIEN], [])[row[WALL_E]] == 0.0  # plain EASE cannot read it
    hits = rec.with_community(model).recommend([ALIEN], k=3)
    assert WALL_E in ids(hits)  # a blended profile reaches the film nobody liked
    wall_e = next(h for h in hits if h.id == WALL_E)
    assert wall_e.community_score == pytest.approx(scores[row[WALL_E]])
    assert wall_e.nobody_liked and "nobody has liked it yet" in wall_e.explain()
    nobody = CommunitySignal(model, rec.movies).nobody_liked()
    assert nobody[row[WALL_E]] and not nobody[row[AMELIE]] and not nobody[row[ALIEN]]
    assert "people with your taste" in wall_e.explain()
    with pytest.raises(ValueError, match="half_confidence must be >= 0"):
        CommunitySignal(model, rec.movies, half_confidence=-1.0)


def test_a_retrain_reaches_a_running_recommender_on_its_next_call(rec, tmp_path: Path) -> None:
    root = tmp_path / "index.community"
    rec.community = CommunitySource(root, rec.movies)
    assert rec.community_signal() is None  # no retrain yet: content only
    assert AMELIE not in ids(rec.recommend([ALIEN], k=3))
    save_version(fit_item_knn(community(), rec.movies.ids), root / "item_knn")
    assert ids(rec.recommend([ALIEN], k=3))[0] == AMELIE  # same object, new model


def test_an_unreadable_new_version_keeps_the_previous_model(rec, tmp_path: Path) -> None:
    root = tmp_path / "index.community"
    rec.community = CommunitySource(root, rec.movies)
    save_version(fit_item_knn(community(), rec.movies.ids), root / "item_knn")
    assert ids(rec.recommend([ALIEN], k=1)) == [AMELIE]
    (root / "item_knn" / "CURRENT").write_text("20990101T000000Z-deadbeef\n")  # missing folder
    assert ids(rec.recommend([ALIEN], k=1)) == [AMELIE]


def test_the_loop_from_stored_likes_to_recommendations(rec, tmp_path: Path) -> None:
    """Likes in a real SQLite store → community model → a new user's recommendations."""
    store = ProfileStore(tmp_path / "profiles.db")
    for user, films in community().items():
        for film in films:
            store.like(f"user{user}", film)
    store.like("newcomer", ALIEN)
    root = tmp_path / "index.community"
    rec.community = CommunitySource(root, rec.movies)
    newcomer = store.profile("newcomer").liked
    assert AMELIE not in ids(rec.recommend(newcomer, k=3))  # before retrain
    likes = {name: store.profile(name).liked for name in store.users()}
    save_version(fit_item_knn(likes, rec.movies.ids), root / "item_knn")
    assert ids(rec.recommend(newcomer, k=3))[0] == AMELIE  # after retrain
