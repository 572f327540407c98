"""Filters from dicts and as masks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
