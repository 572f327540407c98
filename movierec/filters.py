"""Catalog filters, evaluated as one boolean mask before any top-k cut."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from movierec.errors import UsageError
from movierec.settings import check_number
from movierec.vocabulary import LANGUAGE_ALIASES

NAME_LISTS = (  # every filter that is a list of names
    "genres",
    "exclude_genres",
    "languages",
    "all_genres",
    "cast",
    "exclude_cast",
    "directors",
    "exclude_title_words",
)
MAX_RATING = 10.0


@dataclass(frozen=True)
class Filters:
    """What a result may be. Empty tuples and None mean "no constraint"."""

    genres: tuple[str, ...] = ()
    exclude_genres: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    min_rating: float | None = None
    min_votes: int | None = None
    languages: tuple[str, ...] = ()
    all_genres: tuple[str, ...] = ()  # every one of these genres (genres: any of them)
    runtime_min: float | None = None  # minutes
    runtime_max: float | None = None
    max_votes: int | None = None
    cast: tuple[str, ...] = ()  # every one of these people in the cast
    exclude_cast: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()  # any of these directors
    exclude_title_words: tuple[str, ...] = ()  # no title containing one of these words

    def __post_init__(self) -> None:
        for key in NAME_LISTS:
            object.__setattr__(self, key, _names(key, getattr(self, key)))
        numbers = (
            ("year_min", int),
            ("year_max", int),
            ("min_votes", int),
            ("max_votes", int),
            ("runtime_min", float),
            ("runtime_max", float),
        )
        for key, kind in numbers:
            if getattr(self, key) is not None:
                check_number(key, getattr(self, key), kind)
        if self.min_rating is not None:
            check_number("min_rating", self.min_rating, float)
            if not 0.0 <= self.min_rating <= MAX_RATING:
                raise UsageError(f"min_rating must be between 0 and 10, got {self.min_rating}")
        for key in ("min_votes", "max_votes"):
            if getattr(self, key) is not None and getattr(self, key) < 0:
                raise UsageError(f"{key} must be >= 0, got {getattr(self, key)}")
        if None not in (self.year_min, self.year_max) and self.year_min > self.year_max:
            raise UsageError(
                f"year_min {self.year_min} is after year_max {self.year_max}; nothing can match"
            )
        if None not in (self.runtime_min, self.runtime_max) and self.runtime_min > self.runtime_max:
            raise UsageError(
                f"runtime_min {self.runtime_min:g} is above runtime_max {self.runtime_max:g}; "
                "nothing can match"
            )
        if None not in (self.min_votes, self.max_votes) and self.min_votes > self.max_votes:
            raise UsageError(
                f"min_votes {self.min_votes} is above max_votes {self.max_votes}; nothing can match"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Filters:
        """Build from a JSON-style dict; unknown keys raise UsageError listing the valid ones."""
        if data is not None and not isinstance(data, Mapping):
            raise UsageError(
                f"filters must be a dict such as {{'genres': ['Drama']}}, got {data!r}"
            )
        data = dict(data or {})
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - valid)
        if unknown:
            raise UsageError(f"unknown filter(s) {unknown}; valid filters are {sorted(valid)}")
        for key in NAME_LISTS:
            data[key] = () if data.get(key) is None else data[key]
        return cls(**data)

    def is_empty(self) -> bool:
        return self == Filters()


class FilterIndex:
    """Column arrays prepared once so that a filter mask costs a few vector operations."""

    def __init__(self, catalog: pd.DataFrame):
        self.size = len(catalog)
        self.year = catalog["year"].astype("float64").to_numpy(na_value=np.nan)
        self.rating = catalog["vote_average"].astype("float64").to_numpy(na_value=np.nan)
        self.votes = catalog["vote_count"].astype("float64").to_numpy(na_value=0.0)
        languages = catalog["original_language"].astype("category")  # codes: a byte a film
        self.language_codes = languages.cat.codes.to_numpy()
        self.language_names = [str(name).lower() for name in languages.cat.categories]
        self.genre_rows = _genre_rows(catalog["genres"])
        runtime = catalog["runtime"] if "runtime" in catalog else pd.Series(np.nan, catalog.index)
        self.runtime = runtime.astype("float64").to_numpy(na_value=np.nan)
        self._catalog = catalog

    @property
    def genre_names(self) -> list[str]:
        return sorted(self.genre_rows)

    def mask(self, filters: Filters | None, exclude_rows: Iterable[int] = ()) -> np.ndarray | None:
        """Rows allowed by the filters and not excluded; None when everything is allowed."""
        exclude_rows = np.fromiter(exclude_rows, dtype=np.int64)
        if (filters is None or filters.is_empty()) and len(exclude_rows) == 0:
            return None
        mask = np.ones(self.size, dtype=bool)
        if filters is not None:
            mask &= self._filter_mask(filters)
        mask[exclude_rows] = False
        return mask

    def _filter_mask(self, f: Filters) -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        with np.errstate(invalid="ignore"):
            if f.year_min is not None:
                mask &= self.year >= f.year_min
            if f.year_max is not None:
                mask &= self.year <= f.year_max
            if f.min_rating is not None:
                mask &= self.rating >= f.min_rating
        if f.min_votes is not None:
            mask &= self.votes >= f.min_votes
        if f.languages:
            wanted = {lang.strip().lower() for lang in f.languages}
            self._check_languages(wanted)
            codes = [i for i, name in enumerate(self.language_names) if name in wanted]
            mask &= np.isin(self.language_codes, codes)
        if f.genres:
            mask &= self._any_genre(f.genres)
        if f.exclude_genres:
            mask &= ~self._any_genre(f.exclude_genres)
        for name in f.all_genres:
            mask &= self._any_genre([name])
        return mask & self._detail_mask(f)

    def _detail_mask(self, f: Filters) -> np.ndarray:
        """Runtime, vote ceiling, people and title words (the filters free text can add)."""
        mask = np.ones(self.size, dtype=bool)
        with np.errstate(invalid="ignore"):
            if f.runtime_min is not None:
                mask &= self.runtime >= f.runtime_min
            if f.runtime_max is not None:
                mask &= self.runtime <= f.runtime_max
        if f.max_votes is not None:
            mask &= self.votes <= f.max_votes
        for name in f.cast:
            mask &= self._in_cast(name)
        for name in f.exclude_cast:
            mask &= ~self._in_cast(name)
        if f.directors:
            mask &= np.isin(self.director, [name.strip().lower() for name in f.directors])
        for word in f.exclude_title_words:
            pattern = rf"\b{re.escape(word.strip())}\b"
            mask &= ~self.title.str.contains(pattern, case=False, regex=True).to_numpy()
        return mask

    @cached_property
    def title(self) -> pd.Series:
        return self._catalog["title"].fillna("").astype(str).reset_index(drop=True)

    @cached_property
    def director(self) -> np.ndarray:
        return self._catalog["director"].fillna("").astype(str).str.lower().to_numpy()

    @cached_property
    def cast_lists(self) -> list[set[str]]:
        return [{str(n).lower() for n in names} for names in self._catalog["cast"]]

    def _in_cast(self, name: str) -> np.ndarray:
        key = name.strip().lower()
        return np.fromiter((key in names for names in self.cast_lists), bool, self.size)

    def _check_languages(self, wanted: set[str]) -> None:
        """UsageError for a language code no film of the catalog has (as for an unknown
        genre), unless it is another code of a language that is there ("no" and "nb")."""
        known = set(self.language_names)
        for code in sorted(wanted - known):
            same = next((set(g) for g in LANGUAGE_ALIASES.values() if code in g), set())
            if not same & wanted & known:
                codes = ", ".join(sorted(name for name in known if name and name != "nan"))
                raise UsageError(f"no film in the catalog is in language {code!r}; known: {codes}")

    def _any_genre(self, names: Iterable[str]) -> np.ndarray:
        hit = np.zeros(self.size, dtype=bool)
        for name in names:
            rows = self.genre_rows.get(name.strip().lower())
            if rows is None:
                known = ", ".join(self.genre_names)
                raise UsageError(f"unknown genre {name!r}; known genres: {known}")
            hit[rows] = True
        return hit


def _names(key: str, values: object) -> tuple[str, ...]:
    """`values` (one name or a list of them) as a tuple; UsageError naming `key` otherwise."""
    if isinstance(values, str):
        return (values,)
    if not isinstance(values, (list, tuple)):
        raise UsageError(f"{key} must be a list of names such as ['Drama'], got {values!r}")
    from movierec.checks import is_blank  # checks imports this module

    for value in values:
        if not isinstance(value, str):
            raise UsageError(f"{key} must be a list of names such as ['Drama'], got {value!r}")
        if is_blank(value):
            raise UsageError(f"{key} holds an empty name {value!r}; give a name or leave it out")
    return tuple(values)


def _genre_rows(genres: pd.Series) -> dict[str, np.ndarray]:
    exploded = genres.explode().dropna()
    exploded = exploded[exploded.astype(str).str.len() > 0]
    if exploded.empty:
        return {}
    keys = exploded.astype(str).str.lower()
    positions = pd.Series(genres.index.get_indexer(exploded.index))
    return {
        name: np.unique(group.to_numpy())
        for name, group in positions.groupby(keys.to_numpy(), sort=True)
    }
