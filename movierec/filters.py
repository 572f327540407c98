"""Catalog filters, evaluated as one boolean mask before any top-k cut."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from movierec.errors import UsageError
from movierec.settings import check_number

NAME_LISTS = ("genres", "exclude_genres", "languages")
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

    def __post_init__(self) -> None:
        for key in NAME_LISTS:
            object.__setattr__(self, key, _names(key, getattr(self, key)))
        for key, kind in (("year_min", int), ("year_max", int), ("min_votes", int)):
            if getattr(self, key) is not None:
                check_number(key, getattr(self, key), kind)
        if self.min_rating is not None:
            check_number("min_rating", self.min_rating, float)
            if not 0.0 <= self.min_rating <= MAX_RATING:
                raise UsageError(f"min_rating must be between 0 and 10, got {self.min_rating}")
        if self.min_votes is not None and self.min_votes < 0:
            raise UsageError(f"min_votes must be >= 0, got {self.min_votes}")
        if None not in (self.year_min, self.year_max) and self.year_min > self.year_max:
            raise UsageError(
                f"year_min {self.year_min} is after year_max {self.year_max}; nothing can match"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Filters:
        """Build from a JSON-style dict; unknown keys raise UsageError listing the valid ones."""
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
        self.language = catalog["original_language"].fillna("").str.lower().to_numpy()
        self.genre_rows = _genre_rows(catalog["genres"])

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
            mask &= np.isin(self.language, [lang.lower() for lang in f.languages])
        if f.genres:
            mask &= self._any_genre(f.genres)
        if f.exclude_genres:
            mask &= ~self._any_genre(f.exclude_genres)
        return mask

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
    for value in values:
        if not isinstance(value, str):
            raise UsageError(f"{key} must be a list of names such as ['Drama'], got {value!r}")
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
