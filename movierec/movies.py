"""The catalog as the façade sees it: ids ↔ rows, titles, records and hits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from movierec.catalog import COLUMNS
from movierec.catalog_text import LongText
from movierec.errors import UsageError
from movierec.hits import Because, Hit, Scored
from movierec.titles import TitleResolver, normalize_title, split_year


class UnknownMovieError(LookupError):
    """An id that is not in the catalog."""


class RowsById(Mapping[int, int]):
    """id -> row over sorted arrays (16 bytes a film, where a dict takes about 100)."""

    def __init__(self, ids: np.ndarray):
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    def __getitem__(self, id: int) -> int:
        if not isinstance(id, (int, np.integer)):
            raise KeyError(id)
        at = int(np.searchsorted(self._sorted, id))
        if at == len(self._sorted) or self._sorted[at] != id:
            raise KeyError(id)
        return int(self._order[at])

    def __iter__(self) -> Iterator[int]:
        return iter(self._sorted.tolist())

    def __len__(self) -> int:
        return len(self._sorted)


class MovieTable:
    """Lookups over the normalized catalog (compact arrays: a million films fit in tens of MB)."""

    def __init__(self, catalog: pd.DataFrame, text: LongText | None = None):
        self.catalog = catalog
        self.text = text  # long text columns kept on disk, for large catalogs
        self.ids = catalog["id"].to_numpy(dtype=np.int64)
        self.row_of = RowsById(self.ids)
        self.titles = TitleResolver(catalog)
        self._genres = catalog["genres"]

    def row(self, id: int) -> int:
        try:
            return self.row_of[int(id)]
        except (KeyError, TypeError, ValueError):
            raise UnknownMovieError(f"no film with id {id!r} in the catalog") from None

    def rows(self, ids: Iterable[int]) -> np.ndarray:
        """Rows of the given ids (duplicates dropped); an unknown id raises UnknownMovieError."""
        rows = {self.row(i) for i in ids}
        return np.array(sorted(rows), dtype=np.int64)

    def find(self, title: str | None = None, id: int | None = None, year: int | None = None) -> int:
        """The row of a film given by id or by title (fuzzy suggestions when unknown); a title
        or year given beside an id must name the same film (UsageError otherwise)."""
        if id is not None:
            row = self.row(id)
            self._check_same_film(row, id, title if title and title.strip() else None, year)
            return row
        if title and title.strip():
            return self.titles.resolve(title, year)
        raise UsageError("give a title or an id")

    def _check_same_film(self, row: int, id: int, title: str | None, year: int | None) -> None:
        name, parsed_year = split_year(title.strip()) if title else (None, None)
        year = year if year is not None else parsed_year
        film_year = self.titles.years[row]
        title_differs = name is not None and normalize_title(name) != normalize_title(
            self.titles.titles[row].as_py()
        )
        year_differs = year is not None and not (np.isfinite(film_year) and int(film_year) == year)
        if title_differs or year_differs:
            given = " ".join(
                part for part in (title, None if year is None else f"year {year}") if part
            )
            raise UsageError(
                f"id {id} is {self.label(row)}, not {given}; give the title or the id, not both"
            )

    def label(self, row: int) -> str:
        return self.titles.label(row)

    def because(self, reason: Because) -> dict[str, Any]:
        """A `Hit.because` entry: the film's id and title, the similarity, and the relation."""
        row = reason.row
        entry = {
            "id": int(self.ids[row]),
            "title": self.label(row),
            "similarity": reason.similarity,
        }
        return entry if reason.relation is None else {**entry, "relation": reason.relation}

    def hit(self, scored: Scored) -> Hit:
        """The Hit for a ranked row, with its `because` rows turned into ids and titles."""
        row = scored.row
        return Hit(
            id=int(self.ids[row]),
            title=self.titles.titles[row].as_py(),
            year=None if np.isnan(year := self.titles.years[row]) else int(year),
            score=scored.score,
            vector_score=scored.vector_score,
            bm25_score=scored.bm25_score,
            prior=scored.prior,
            community_score=scored.community_score,
            matched_terms=list(scored.matched_terms),
            because=[self.because(reason) for reason in scored.because],
            genres=[str(g) for g in self._genres.iat[row]],
            boost=scored.boost,
            nobody_liked=scored.nobody_liked,
        )

    def record(self, row: int) -> dict[str, Any]:
        """Every field of one film, JSON-ready."""
        record = self.catalog.iloc[row].to_dict()
        if self.text is not None:
            record |= self.text.row(row)
            record = {column: record[column] for column in COLUMNS if column in record}
        for key, value in record.items():
            if isinstance(value, np.ndarray):
                record[key] = value.tolist()
            elif isinstance(value, np.generic):
                record[key] = value.item()
            elif value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                record[key] = None
        return record
