"""Bad values given to the Python API (Settings, Filters, the façade): a UsageError that names the
field, never a silent match-nothing, a NaN score or a numpy message."""

from __future__ import annotations

import math

import pytest

from movierec.errors import UsageError
from movierec.filters import Filters
from movierec.settings import Settings
from tests.helpers import fixture_recommender

TOY_STORY, NEMO = 862, 12


@pytest.fixture(scope="module")
def rec():
    from tests.conftest import FakeEncoder

    return fixture_recommender(FakeEncoder())


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", [n for n, kind in Settings.tunables() if kind is float])
def test_settings_refuse_non_finite_numbers(name: str, value: float) -> None:
    with pytest.raises(UsageError, match=f"{name} must be a finite number"):
        Settings(**{name: value})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"candidates": 1.5}, "candidates must be a whole number"),
        ({"rrf_k": True}, "rrf_k must be a whole number"),
        ({"alpha": "0.5"}, "alpha must be a number"),
        ({"rrf_k": -1}, "rrf_k must be >= 0"),
        ({"community_rank_k": -1}, "community_rank_k must be >= 0"),
        ({"community_fusion": "max"}, "unknown community_fusion 'max'; choose one of sum, rank"),
    ],
)
def test_settings_refuse_wrong_types(overrides: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Settings().with_overrides(**overrides)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"min_rating": math.nan}, "min_rating must be a finite number"),
        ({"min_rating": math.inf}, "min_rating must be a finite number"),
        ({"min_rating": 11}, "min_rating must be between 0 and 10"),
        ({"min_rating": "7"}, "min_rating must be a number"),
        ({"year_min": 1990.5}, "year_min must be a whole number"),
        ({"year_max": "2000"}, "year_max must be a whole number"),
        ({"min_votes": -1}, "min_votes must be >= 0"),
        ({"year_min": 2010, "year_max": 2000}, "year_min 2010 is after year_max 2000"),
        ({"genres": [1]}, "genres must be a list of names"),
        ({"languages": [1]}, "languages must be a list of names"),
        ({"exclude_genres": {"a": 1}}, "exclude_genres must be a list of names"),
    ],
)
def test_filters_refuse_bad_values_naming_the_field(values: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Filters.from_dict(values)


def test_filters_keep_accepting_good_values() -> None:
    f = Filters(genres=["Drama"], languages="en", min_rating=7, year_min=1990)  # type: ignore[arg-type]
    assert f.genres == ("Drama",) and f.languages == ("en",) and f.min_rating == 7


def test_non_finite_settings_never_reach_the_scores(rec) -> None:
    with pytest.raises(UsageError, match="prior_weight must be a finite number"):
        rec.search("heist", prior_weight=math.nan)
    with pytest.raises(UsageError, match="min_rating must be a finite number"):
        rec.search("heist", filters=Filters(min_rating=math.nan))


def test_a_film_both_liked_and_disliked_is_an_error_naming_it(rec) -> None:
    with pytest.raises(UsageError, match=r"Toy Story \(1995\) \(id 862\) is both liked and"):
        rec.recommend([TOY_STORY, NEMO], [TOY_STORY])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.recommend("862"), "liked must be a list of film ids"),
        (lambda r: r.recommend([862.9]), "liked must hold whole-number film ids"),
        (lambda r: r.recommend([True]), "liked must hold whole-number film ids"),
        (lambda r: r.recommend([862], disliked=["12"]), "disliked must hold whole-number"),
        (lambda r: r.search("heist", k=1.9), "k must be a whole number"),
        (lambda r: r.search("heist", k=True), "k must be a whole number"),
        (lambda r: r.search({"a": 1}), "text must be text"),
        (lambda r: r.search("heist", exclude="862"), "exclude must be a list of film ids"),
        (lambda r: r.similar(title=123), "title must be text"),
        (lambda r: r.similar(id=949, text=5), "text must be text"),
        (lambda r: r.similar(id=949.0), "id must be a whole number"),
        (lambda r: r.search("heist", filters={"genres": ["Drama"]}), "filters must be a Filters"),
        (lambda r: r.popular(k=0), "k must be at least 1"),
    ],
)
def test_the_facade_refuses_wrong_types_naming_the_argument(rec, call, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call(rec)


@pytest.mark.parametrize("name", ["prior_weight", "dislike_weight", "steer_weight"])
def test_huge_weights_are_refused_before_they_overflow_the_scores(rec, name: str) -> None:
    with pytest.raises(UsageError, match=f"{name} must be >= 0 and at most 1,000,000"):
        rec.recommend([TOY_STORY], [NEMO], **{name: 1e308})
    assert rec.recommend([TOY_STORY], [NEMO], k=3, **{name: 1e6})  # the largest still ranks
