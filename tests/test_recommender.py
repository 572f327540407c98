"""The façade's plumbing (filters, exclusions, titles, fusion, explanations) with a fake encoder."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.errors import UsageError
from movierec.filters import Filters
from movierec.movies import UnknownMovieError
from movierec.titles import TitleNotFoundError
from tests.helpers import fixture_recommender

HEAT, COLLATERAL, OCEANS, INCEPTION, DARK_KNIGHT = 949, 1538, 161, 27205, 155
TOY_STORY, NEMO, ALIEN, ALIENS = 862, 12, 348, 679


@pytest.fixture
def rec(fake_encoder):
    return fixture_recommender(fake_encoder)


def ids(hits) -> list[int]:
    return [h.id for h in hits]


def test_similar_never_returns_the_film_itself(rec) -> None:
    hits = rec.similar("Heat", k=10)
    assert len(hits) == 10
    assert HEAT not in ids(hits)
    assert all(h.because[0]["id"] == HEAT for h in hits)
    assert ids(rec.similar(id=HEAT, k=10)) == ids(hits)


def test_similar_title_year_and_suggestions(rec) -> None:
    assert rec.movies.ids[rec.movies.find("Total Recall")] == 861  # most voted
    assert rec.movies.ids[rec.movies.find("Total Recall", year=2012)] == 64635
    assert rec.movies.ids[rec.movies.find("total recall (2012)")] == 64635
    assert rec.movies.ids[rec.movies.find("AMELIE")] == 194
    with pytest.raises(TitleNotFoundError, match="Did you mean: Inception"):
        rec.similar("Incepton")
    with pytest.raises(TitleNotFoundError, match=r"Total Recall \(1990\)"):
        rec.similar("Total Recall", year=1999)


def test_a_title_or_year_beside_an_id_must_name_the_same_film(rec) -> None:
    assert rec.movies.ids[rec.movies.find("Total Recall (2012)", id=64635)] == 64635
    assert rec.movies.ids[rec.movies.find("total recall", id=861, year=1990)] == 861
    with pytest.raises(UsageError, match=r"id 861 is Total Recall \(1990\), not Heat; give the"):
        rec.similar("Heat", id=861)
    with pytest.raises(UsageError, match=r"not Total Recall year 2012; give the title or the id"):
        rec.similar("Total Recall", id=861, year=2012)


def test_recommend_excludes_every_rated_film(rec) -> None:
    hits = rec.recommend([TOY_STORY, NEMO], [ALIEN], k=27)
    assert len(hits) == 27  # 30 films - 3 rated
    assert not {TOY_STORY, NEMO, ALIEN} & set(ids(hits))
    assert {b["id"] for h in hits for b in h.because} <= {TOY_STORY, NEMO}


def test_dislikes_push_the_profile_away(rec) -> None:
    liked, disliked = rec.movies.rows([ALIEN]), rec.movies.rows([ALIENS])
    aliens = rec.bundle.embeddings[disliked[0]]
    plain = rec._profile_vector(liked, np.empty(0, dtype=np.int64), 0.5)
    pushed = rec._profile_vector(liked, disliked, 0.5)
    assert pushed @ aliens < plain @ aliens
    assert np.linalg.norm(pushed) == pytest.approx(1.0, abs=1e-5)


def test_profile_errors(rec) -> None:
    with pytest.raises(ValueError, match="like at least one film"):
        rec.recommend([])
    with pytest.raises(UnknownMovieError, match="no film with id 424242"):
        rec.recommend([424242])


def test_keyword_match_is_explained(rec) -> None:
    hits = rec.search("casino", k=5)
    assert hits[0].id == OCEANS
    assert hits[0].matched_terms == ["casino"]
    assert hits[0].bm25_score > 0
    assert hits[0].vector_score is not None
    assert "matches casino" in hits[0].explain()


def test_alpha_zero_ranks_by_keywords_only(rec) -> None:
    hits = rec.search("gotham vigilante", k=2, alpha=0.0, prior_weight=0.0)
    assert set(ids(hits)) == {DARK_KNIGHT, 272}


def test_rrf_fusion_runs_and_differs_from_weighted(rec) -> None:
    weighted = rec.search("heist twist los angeles", k=8)
    rrf = rec.search("heist twist los angeles", k=8, fusion="rrf")
    assert len(rrf) == 8
    assert rrf[0].score > 0
    assert {OCEANS, HEAT} <= set(ids(rrf[:5]))
    assert ids(rrf) != ids(weighted)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(genres=("Animation",)), lambda m: "Animation" in m["genres"]),
        (Filters(exclude_genres=("horror",)), lambda m: "Horror" not in m["genres"]),
        (Filters(year_min=2000, year_max=2005), lambda m: 2000 <= m["year"] <= 2005),
        (Filters(min_rating=7.8), lambda m: m["vote_average"] >= 7.8),
        (Filters(languages=("fr", "ja")), lambda m: m["original_language"] in ("fr", "ja")),
        (Filters(min_votes=5000), lambda m: m["vote_count"] >= 5000),
    ],
)
def test_filters_apply_before_the_cut(rec, filters, check) -> None:
    allowed = [m for m in map(rec.movie, rec.movies.ids.tolist()) if check(m)]
    for hits in (
        rec.search("a story", k=30, filters=filters),
        rec.similar("Heat", k=30, filters=filters),
        rec.recommend([HEAT, COLLATERAL], k=30, filters=filters),
    ):
        assert all(check(rec.movie(h.id)) for h in hits)
        expected = {m["id"] for m in allowed} - {HEAT, COLLATERAL}
        assert set(ids(hits)) - {HEAT, COLLATERAL} <= expected
    assert len(rec.similar("Up", k=30, filters=filters)) == len(
        {m["id"] for m in allowed} - {14160}
    )


def test_unknown_genre_lists_known_ones(rec) -> None:
    with pytest.raises(ValueError, match="known genres: action, adventure, animation"):
        rec.search("x", filters=Filters(genres=("Westerns",)))


def test_diversity_reorders_but_keeps_size(rec) -> None:
    plain = rec.recommend([DARK_KNIGHT], k=6)
    diverse = rec.recommend([DARK_KNIGHT], k=6, diversity=0.9)
    assert len(diverse) == 6
    assert ids(diverse) != ids(plain)
    assert ids(diverse)[0] == ids(plain)[0]


def test_prior_weight_moves_popular_films_up(rec) -> None:
    flat = rec.similar("Scream", k=29, prior_weight=0.0)
    heavy = rec.similar("Scream", k=29, prior_weight=1000.0)
    assert ids(heavy)[0] == max(flat, key=lambda h: h.prior).id


def test_bad_arguments(rec) -> None:
    with pytest.raises(ValueError, match="empty"):
        rec.search("   ")
    with pytest.raises(ValueError, match="k must be at least 1"):
        rec.search("heist", k=0)
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        rec.search("heist", alpha=2)
    with pytest.raises(ValueError, match="unknown setting"):
        rec.search("heist", alfa=0.3)
    with pytest.raises(ValueError, match="give a title or an id"):
        rec.similar()


def test_hits_are_json_ready(rec) -> None:
    import json

    data = [h.to_dict() for h in rec.recommend([HEAT], k=3)]
    assert json.loads(json.dumps(data)) == data
    assert {"id", "title", "year", "score", "vector_score", "because"} <= set(data[0])


def test_popular_ranks_by_prior_and_respects_filters_and_exclusions(rec) -> None:
    hits = rec.popular(5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score == pytest.approx(float(rec.prior.max()))
    animated = rec.popular(3, Filters(genres=("Animation",)), exclude=[TOY_STORY])
    assert animated and all("Animation" in h.genres for h in animated)
    assert TOY_STORY not in ids(animated)
    with pytest.raises(ValueError, match="k must be at least 1"):
        rec.popular(0)


def test_facets_and_title_options(rec) -> None:
    facets = rec.facets()
    assert "Animation" in facets["genres"] and facets["genres"] == sorted(facets["genres"])
    assert facets["languages"][0][0] == "en"
    assert facets["years"][0] <= 1979 and facets["years"][1] >= 2015
    options = rec.title_options()
    assert len(options) == len(rec.bundle.catalog)
    labels = dict(options)
    assert labels["Total Recall (1990)"] == 861 and labels["Total Recall (2012)"] == 64635
    votes = [rec.movie(i)["vote_count"] for _, i in options]
    assert votes == sorted(votes, reverse=True)


def test_taste_map_places_every_film_and_is_cached(rec, isolated_home) -> None:
    points = rec.taste_map()
    assert len(points) == len(rec.bundle.catalog)
    assert points[["x", "y"]].abs().to_numpy().max() <= 1.0
    cached = list((isolated_home / "maps").glob("*.npy"))
    assert len(cached) == 1
    np.testing.assert_array_equal(rec.taste_map()[["x", "y"]], points[["x", "y"]])


def test_explanations_name_the_seed_or_the_liked_films(rec) -> None:
    similar = rec.similar("Heat", k=3)
    assert all(h.explain().startswith("like Heat (1995)") for h in similar)
    profile = rec.recommend([HEAT, COLLATERAL], k=3)
    assert all("because you liked" in h.explain() for h in profile)
    assert all({b["id"] for b in h.because} <= {HEAT, COLLATERAL} for h in profile)


def test_steering_text_lifts_films_near_the_text(rec) -> None:
    plain = ids(rec.similar("Alien", k=3, prior_weight=0.0))
    steered = rec.similar("Alien", text="a cowboy doll", k=3, prior_weight=0.0, steer_weight=3.0)
    assert 862 not in plain and 862 in ids(steered)  # Toy Story: its plot has the cowboy doll
    assert steered[0].because[0]["relation"] == "seed"  # still explained by the chosen film


def test_steered_scores_mix_min_max_scaled_similarities() -> None:
    from movierec.pipeline import Candidates

    vectors = np.eye(3, dtype=np.float32)

    class Dense:
        def search(self, vector, n, mask):
            scores = vectors @ vector
            order = np.argsort(-scores)[:n]
            return order, scores[order]

    class Bundle:
        dense = Dense()
        embeddings = vectors

    rows, scores = Candidates(Bundle(), np.zeros(3), None).steered(
        vectors[0], vectors[1], weight=1.0, n=1
    )
    assert rows.tolist() == [0, 1]  # pooled from the seed's and the text's neighbours
    assert scores.tolist() == [0.5, 0.5]  # each side scaled to [0, 1], then averaged


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda rec: rec.understand(None), "text must be text, got None"),
        (lambda rec: rec.understand(5), "text must be text, got 5"),
        (lambda rec: rec.understand("\ud800"), "not valid UTF-8"),
        (lambda rec: rec.understand("90s", {"year_min": 1}), "filters must be a Filters"),
        (lambda rec: rec.understand("90s", None, None), "skip must be a list of texts"),
        (lambda rec: rec.search("90s heist", skip=None), "skip must be a list of texts"),
        (lambda rec: rec.search("90s heist", skip=[1]), "skip must be a list of texts"),
        (lambda rec: rec.search("heist", parse="no"), "parse must be True or False"),
    ],
)
def test_bad_understand_and_search_arguments_name_what_to_give(rec, call, message) -> None:
    with pytest.raises(UsageError, match=message):
        call(rec)


def test_one_skipped_label_may_be_given_as_text(rec) -> None:
    understood = rec.understand("90s comedies", skip="1990–1999")  # not its characters
    assert understood.labels == ["Comedy"] and understood.residual == "90s"
    assert rec.understand("90s comedies", skip=("1990–1999",)) == understood
    assert rec.search("heist", parse=np.bool_(False)).understood is None


def test_a_query_that_contradicts_itself_keeps_both_constraints_to_remove(rec) -> None:
    from movierec.constraints import ConflictingConstraints

    with pytest.raises(ConflictingConstraints, match="'2000s' and 'before 1990'") as error:
        rec.search("heist 2000s before 1990")
    assert error.value.understood.labels == ["2000–2009", "≤ 1989"]  # the app's chips
    kept = rec.search("heist 2000s before 1990", skip=["≤ 1989"])  # one chip removed
    assert kept and all(2000 <= h.year <= 2009 for h in kept)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda rec: rec.movie("862"), "id must be a whole number, got '862'"),
        (lambda rec: rec.movie(862.7), "id must be a whole number, got 862.7"),
        (lambda rec: rec.movie(True), "id must be a whole number"),
        (lambda rec: rec.title_options("5"), "limit must be a whole number"),
        (lambda rec: rec.title_options(2.5), "limit must be a whole number"),
        (lambda rec: rec.title_options(-1), "limit must be at least 1, got -1"),
        (lambda rec: rec.title_options(0), "limit must be at least 1, got 0"),
        (lambda rec: rec.title_suggestions("He", 0), "limit must be at least 1"),
        (lambda rec: rec.with_community("x"), "model must be a CommunityModel"),
        (lambda rec: rec.with_community(["x"]), "model must be a CommunityModel"),
    ],
)
def test_bad_catalog_access_arguments_name_what_to_give(rec, call, message) -> None:
    with pytest.raises(UsageError, match=message):
        call(rec)


def test_movie_takes_numpy_ids_and_title_options_a_limit(rec) -> None:
    assert rec.movie(np.int64(862))["title"] == rec.movie(862)["title"] == "Toy Story"
    top = rec.title_options(3)
    assert top == rec.title_options()[:3] and len(rec.title_options(10**9)) == len(rec.movies.ids)


def test_filters_that_match_nothing_are_refused_before_a_search(rec) -> None:
    with pytest.raises(UsageError, match="no film in the catalog is in language 'zz'"):
        rec.search("heist", filters=Filters(languages=("zz",)))
    assert rec.search("heist", k=3, filters=Filters(exclude_title_words=("the",)))


def test_recommend_never_gives_a_seen_film_and_refuses_one_also_liked(rec) -> None:
    first = [h.id for h in rec.recommend([949], k=6)]
    seen = first[:2]
    assert [h.id for h in rec.recommend([949], k=4, seen=seen)] == first[2:6]
    with pytest.raises(UsageError, match="both liked and seen"):
        rec.recommend([949, seen[0]], seen=seen)
