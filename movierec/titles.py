"""Find a film by its title: exact, with a year, by prefix as one types, or fuzzy.

Normalized titles are kept sorted (Arrow strings, a few bytes per title), so an exact title or a
typed prefix is a binary search, and so is a prefix of any later word ("godf" finds "The
Godfather"): every title's word suffixes are sorted too. Fuzzy matching (rapidfuzz) scores every
title of a small catalog, and only candidates sharing a word start with the query in a large one.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

_YEAR_SUFFIX = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)\s*$")
FULL_SCAN_LIMIT = 10_000  # titles; above, fuzzy scoring (~7 µs a title) sees candidates only
CANDIDATES = 300  # most-voted rows taken per candidate source in a large catalog
_AFTER_ALL = "{"  # sorts after every character of a normalized title ([a-z0-9 ])


class TitleNotFoundError(LookupError):
    """No film matches a title; `suggestions` holds the closest ones."""

    def __init__(self, title: str, suggestions: list[str]):
        self.title = title
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no film titled {title!r} in the catalog.{hint}")


def normalize_title(title: str) -> str:
    """Lowercase, accent-free, punctuation-free form used for matching."""
    text = "".join(
        c for c in unicodedata.normalize("NFKD", title) if unicodedata.category(c) != "Mn"
    )
    text = re.sub(r"[^\x00-\x7f]", " ", text)  # accents are off; other non-ASCII separates words
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def normalize_titles(titles: pa.Array) -> pa.Array:
    """`normalize_title` of every title, computed by Arrow (about a second per million)."""
    text = pc.replace_substring_regex(pc.utf8_normalize(titles, "NFKD"), r"\p{Mn}", "")
    text = pc.replace_substring_regex(text, r"[^\x00-\x7f]", " ")
    text = pc.replace_substring_regex(pc.ascii_lower(text), r"[^a-z0-9]+", " ")
    return pc.ascii_trim(text, " ")


def split_year(title: str) -> tuple[str, int | None]:
    """'Heat (1995)' -> ('Heat', 1995); titles without a year come back unchanged."""
    match = _YEAR_SUFFIX.match(title)
    return (match["title"], int(match["year"])) if match else (title, None)


class _Sorted:
    """A sorted Arrow string array as a sequence `bisect` can search."""

    def __init__(self, strings: pa.Array):
        self.strings = strings

    def __len__(self) -> int:
        return len(self.strings)

    def __getitem__(self, i: int) -> str:
        return self.strings[i].as_py()

    def range(self, prefix: str) -> tuple[int, int]:
        """Positions of the strings that start with prefix."""
        return bisect_left(self, prefix), bisect_left(self, prefix + _AFTER_ALL)

    def equal(self, text: str) -> tuple[int, int]:
        return bisect_left(self, text), bisect_right(self, text)


def _sort(strings: pa.Array, votes: np.ndarray) -> np.ndarray:
    """Positions ordering strings ascending, the most voted first among equal ones."""
    table = pa.table({"s": strings, "v": votes})
    return pc.sort_indices(table, [("s", "ascending"), ("v", "descending")]).to_numpy()


def _word_suffixes(keys: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Every normalized title from its second word on ("the godfather" -> "godfather")."""
    suffixes: list[str] = []
    rows: list[int] = []
    for row, key in enumerate(keys.to_pylist()):
        start = key.find(" ")
        while start >= 0:
            suffixes.append(key[start + 1 :])
            rows.append(row)
            start = key.find(" ", start + 1)
    return pa.array(suffixes, pa.string()), np.asarray(rows, dtype=np.int32)


class TitleResolver:
    """Maps user-typed titles to catalog rows, and typed prefixes to titles."""

    def __init__(self, catalog: pd.DataFrame):
        self.titles = pa.array(catalog["title"].astype(str).to_numpy(), pa.string())
        self.years = catalog["year"].astype("float64").to_numpy(na_value=np.nan)
        self.votes = catalog["vote_count"].astype("float64").to_numpy(na_value=0.0)
        keys = normalize_titles(self.titles)
        order = _sort(keys, self.votes)
        self.keys, self.key_rows = _Sorted(keys.take(order)), order.astype(np.int64)
        suffixes, suffix_rows = _word_suffixes(keys)
        order = _sort(suffixes, self.votes[suffix_rows])
        self.words, self.word_rows = _Sorted(suffixes.take(order)), suffix_rows[order]
        self.row_keys = keys  # by row, for fuzzy scoring
        self.popular = self._most_voted(np.arange(len(keys)), 0, len(keys), CANDIDATES)

    def __len__(self) -> int:
        return len(self.titles)

    def label(self, row: int) -> str:
        year, title = self.years[row], self.titles[row].as_py()
        return f"{title} ({int(year)})" if np.isfinite(year) else title

    def resolve(self, title: str, year: int | None = None) -> int:
        """The row of the film; among remakes the given year, else the most-voted one."""
        name, parsed_year = split_year(title.strip())
        year = year if year is not None else parsed_year
        lo, hi = self.keys.equal(normalize_title(name))
        if lo == hi:
            raise TitleNotFoundError(title, self.suggest(name))
        rows = self.key_rows[lo:hi]
        if year is not None:
            dated = rows[self.years[rows] == year]
            if len(dated) == 0:
                raise TitleNotFoundError(f"{name} ({year})", [self.label(r) for r in rows])
            rows = dated
        return int(rows[np.argmax(self.votes[rows])])

    def namesakes(self, title: str) -> list[int]:
        """Rows of every film with this title (a year in it ignored), most voted first."""
        lo, hi = self.keys.equal(normalize_title(split_year(title.strip())[0]))
        rows = self.key_rows[lo:hi]
        return rows[np.argsort(-self.votes[rows], kind="stable")].tolist()

    def complete(self, text: str, limit: int = 10) -> list[int]:
        """Rows for a type-ahead: titles starting with the typed text, then titles with a later
        word starting with it; each group most voted first."""
        query = normalize_title(split_year(text)[0])
        if not query or limit <= 0:
            return []
        first = self._most_voted(self.key_rows, *self.keys.range(query), limit)
        later = self._most_voted(self.word_rows, *self.words.range(query), 2 * limit)
        return list(dict.fromkeys([*first.tolist(), *later.tolist()]))[:limit]

    def suggest(self, title: str, limit: int = 5) -> list[str]:
        """Closest catalog titles (with years), best first."""
        query = normalize_title(title)
        rows = self._fuzzy_candidates(query)
        choices = dict(zip(rows.tolist(), pc.take(self.row_keys, rows).to_pylist(), strict=True))
        matches = process.extract(query, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=60)
        keys = list(dict.fromkeys(key for key, _, _ in matches))[:limit]
        found = [int(r) for key in keys for r in self.key_rows[slice(*self.keys.equal(key))]]
        return [self.label(r) for r in found[:limit]]

    def _fuzzy_candidates(self, query: str) -> np.ndarray:
        """Every row of a small catalog; in a large one the most voted titles and those with a
        word starting like a word of the query (its first three letters)."""
        if len(self) <= FULL_SCAN_LIMIT:
            return np.arange(len(self))
        parts = [self.popular]
        for word in {query, *(w[:3] for w in query.split() if len(w) >= 3)}:
            parts.append(self._most_voted(self.key_rows, *self.keys.range(word), CANDIDATES))
            parts.append(self._most_voted(self.word_rows, *self.words.range(word), CANDIDATES))
        return np.unique(np.concatenate(parts))

    def _most_voted(self, rows: np.ndarray, lo: int, hi: int, limit: int) -> np.ndarray:
        rows = rows[lo:hi]
        if len(rows) > limit:
            rows = rows[np.argpartition(-self.votes[rows], limit - 1)[:limit]]
        return rows[np.argsort(-self.votes[rows], kind="stable")]
