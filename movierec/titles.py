"""Find a film by its title: exact, with a year, or fuzzy with suggestions."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

_YEAR_SUFFIX = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)\s*$")


class TitleNotFoundError(LookupError):
    """No film matches a title; `suggestions` holds the closest ones."""

    def __init__(self, title: str, suggestions: list[str]):
        self.title = title
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no film titled {title!r} in the catalog.{hint}")


def normalize_title(title: str) -> str:
    """Lowercase, accent-free, punctuation-free form used for matching."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def split_year(title: str) -> tuple[str, int | None]:
    """'Heat (1995)' -> ('Heat', 1995); titles without a year come back unchanged."""
    match = _YEAR_SUFFIX.match(title)
    return (match["title"], int(match["year"])) if match else (title, None)


class TitleResolver:
    """Maps user-typed titles to catalog rows."""

    def __init__(self, catalog: pd.DataFrame):
        self.titles = catalog["title"].astype(str).tolist()
        self.years = catalog["year"].astype("float64").to_numpy(na_value=np.nan)
        self.votes = catalog["vote_count"].astype("float64").to_numpy(na_value=0.0)
        keys = pd.Series([normalize_title(t) for t in self.titles])
        self.rows_by_key = {k: np.asarray(v) for k, v in keys.groupby(keys).groups.items()}
        self.keys = list(self.rows_by_key)

    def label(self, row: int) -> str:
        year = self.years[row]
        return f"{self.titles[row]} ({int(year)})" if np.isfinite(year) else self.titles[row]

    def resolve(self, title: str, year: int | None = None) -> int:
        """The row of the film; among remakes the given year, else the most-voted one."""
        name, parsed_year = split_year(title.strip())
        year = year if year is not None else parsed_year
        rows = self.rows_by_key.get(normalize_title(name))
        if rows is None:
            raise TitleNotFoundError(title, self.suggest(name))
        if year is not None:
            dated = rows[self.years[rows] == year]
            if len(dated) == 0:
                raise TitleNotFoundError(f"{name} ({year})", [self.label(r) for r in rows])
            rows = dated
        return int(rows[np.argmax(self.votes[rows])])

    def suggest(self, title: str, limit: int = 5) -> list[str]:
        """Closest catalog titles (with years), best first."""
        matches = process.extract(
            normalize_title(title), self.keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=60
        )
        rows = [int(r) for key, _, _ in matches for r in self.rows_by_key[key]]
        return [self.label(r) for r in rows[:limit]]
