"""The catalog as the façade sees it: ids ↔ rows, titles, records and hits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from movierec.errors import UsageError
from movierec.hits import Because, Hit, Scored
from movierec.titles import TitleResolver


class UnknownMovieError(LookupError):
    """An id that is not in the catalog."""


class MovieTable:
    """Lookups over the normalized catalog."""

    def __init__(self, catalog: pd.DataFrame):
        self.catalog = catalog
        self.ids = catalog["id"].to_numpy(dtype=np.int64)
        self.row_of = {int(i): r for r, i in enumerate(self.ids)}
        self.titles = TitleResolver(catalog)
        # Plain lists: a hit reads a few fields, and pandas per-cell access costs microseconds.
        self._title = catalog["title"].astype(str).tolist()
        self._year = [None if pd.isna(y) else int(y) for y in catalog["year"]]
        self._genres = [[str(g) for g in names] for names in catalog["genres"]]

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
        """The row of a film given by id or by title (fuzzy suggestions when unknown)."""
        if id is not None:
            return self.row(id)
        if title and title.strip():
            return self.titles.resolve(title, year)
        raise UsageError("give a title or an id")

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
            title=self._title[row],
            year=self._year[row],
            score=scored.score,
            vector_score=scored.vector_score,
            bm25_score=scored.bm25_score,
            prior=scored.prior,
            community_score=scored.community_score,
            matched_terms=list(scored.matched_terms),
            because=[self.because(reason) for reason in scored.because],
            genres=list(self._genres[row]),
        )

    def record(self, row: int) -> dict[str, Any]:
        """Every field of one film, JSON-ready."""
        record = self.catalog.iloc[row].to_dict()
        for key, value in record.items():
            if isinstance(value, np.ndarray):
                record[key] = value.tolist()
            elif isinstance(value, np.generic):
                record[key] = value.item()
            elif value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                record[key] = None
        return record
