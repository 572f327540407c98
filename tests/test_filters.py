"""Filters from dicts and as masks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movierec.errors import UsageError
from movierec.filters import FilterIndex, Filters

CATALOG = pd.DataFrame(
    {
        "year": pd.array([1990, None, 2010], dtype="Int64"),
        "vote_average": [7.0, 8.0, 5.0],
        "vote_count": [10, 100, 1000],
        "original_language": ["en", "fr", "EN"],
        "genres": [["Drama"], ["Comedy", "Drama"], []],
    }
)


def test_from_dict_accepts_strings_and_rejects_unknown_keys() -> None:
    f = Filters.from_dict({"genres": "Drama", "year_min": 1990})
    assert f.genres == ("Drama",) and f.year_min == 1990
    with pytest.raises(ValueError, match="valid filters are"):
        Filters.from_dict({"genre": "Drama"})
    assert Filters.from_dict(None).is_empty()


def test_mask_combines_filters_and_exclusions() -> None:
    index = FilterIndex(CATALOG)
    assert index.mask(None) is None
    assert index.mask(Filters(genres=("drama",))).tolist() == [True, True, False]
    assert index.mask(Filters(year_min=2000)).tolist() == [False, False, True]  # unknown year out
    assert index.mask(Filters(languages=("en",))).tolist() == [True, False, True]
    assert index.mask(Filters(min_rating=6), exclude_rows=[0]).tolist() == [False, True, False]
    assert index.mask(None, exclude_rows=np.array([2])).tolist() == [True, True, False]
    assert index.genre_names == ["comedy", "drama"]


@pytest.mark.parametrize("data", ["x", [], [("genres", "Drama")], 5])
def test_from_dict_needs_a_dict(data) -> None:
    with pytest.raises(UsageError, match=r"filters must be a dict such as \{'genres'"):
        Filters.from_dict(data)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_votes": -1}, "max_votes must be >= 0, got -1"),
        ({"runtime_min": 200, "runtime_max": 100}, "runtime_min 200 is above runtime_max 100"),
        ({"min_votes": 5, "max_votes": 1}, "min_votes 5 is above max_votes 1"),
        ({"exclude_title_words": [""]}, "exclude_title_words holds an empty name ''"),
        ({"exclude_title_words": [" "]}, "exclude_title_words holds an empty name"),
        ({"cast": ["  "]}, "cast holds an empty name"),
        ({"languages": [""]}, "languages holds an empty name"),
        ({"directors": ["\u200b"]}, "directors holds an empty name"),
    ],
)
def test_values_that_could_only_match_nothing_are_refused(values, message) -> None:
    with pytest.raises(UsageError, match=message):
        Filters(**values)
    with pytest.raises(UsageError, match=message):
        Filters.from_dict(values)


def test_a_language_no_film_has_is_refused_like_an_unknown_genre() -> None:
    index = FilterIndex(CATALOG)
    with pytest.raises(
        UsageError, match="no film in the catalog is in language 'zz'; known: en, fr"
    ):
        index.mask(Filters(languages=("zz",)))
    with pytest.raises(UsageError, match="language 'de'"):
        index.mask(Filters(languages=("fr", "de")))
    assert index.mask(Filters(languages=("EN ",))).tolist() == [True, False, True]
    # another code of a language the catalog has (Norwegian: "no" and "nb") is fine
    norwegian = FilterIndex(CATALOG.assign(original_language=["no", "fr", "en"]))
    assert norwegian.mask(Filters(languages=("no", "nb"))).tolist() == [True, False, False]
    with pytest.raises(UsageError, match="language 'nb'"):
        norwegian.mask(Filters(languages=("nb",)))
