"""Title lookup and type-ahead: exact, year, prefix, later words, accents, fuzzy, no match."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from movierec import titles
from movierec.catalog import load_catalog
from movierec.movies import RowsById
from movierec.titles import TitleNotFoundError, TitleResolver, normalize_title, normalize_titles
from tests.helpers import FIXTURE_CATALOG

FILMS = [  # title, year, votes
    ("The Godfather", 1972, 900),
    ("The Godfather Part II", 1974, 700),
    ("Godzilla", 1954, 300),
    ("Godzilla", 2014, 500),
    ("Amélie", 2001, 400),
    ("Heat", 1995, 600),
    ("Heat", 1986, 50),
    ("Heathers", 1989, 200),
    ("Léon: The Professional", 1994, 650),
    ("The Good, the Bad and the Ugly", 1966, 800),
]


FILM_COLUMNS = ["title", "year", "vote_count"]


def make_resolver() -> TitleResolver:
    return TitleResolver(pd.DataFrame(FILMS, columns=FILM_COLUMNS))


@pytest.fixture(scope="module")
def resolver() -> TitleResolver:
    return make_resolver()


def labels(resolver: TitleResolver, rows: list[int]) -> list[str]:
    return [resolver.label(r) for r in rows]


def test_arrow_normalization_equals_normalize_title() -> None:
    names = [t for t, _, _ in FILMS] + ["  Ça   va?! ", "Ærø straße", "ΑΒΓ", "", "WALL·E"]
    names += load_catalog(FIXTURE_CATALOG)["title"].tolist()
    assert normalize_titles(pa.array(names)).to_pylist() == [normalize_title(t) for t in names]


def test_punctuation_outside_ascii_separates_words_as_ascii_punctuation_does() -> None:
    resolver = TitleResolver(
        pd.DataFrame([("WALL·E", 2008, 9000), ("Léon", 1994, 650)], columns=FILM_COLUMNS)
    )
    for typed in ("WALL-E", "wall e", "WALL·E", "Wall•E (2008)"):
        assert resolver.resolve(typed) == 0, typed
    assert resolver.resolve("leon") == resolver.resolve("LÉON") == 1  # accents still drop
    assert normalize_title("Ærø straße") == normalize_title("Ærø  straße") == "r stra e"


def test_prefix_completion_is_most_voted_first(resolver) -> None:
    assert labels(resolver, resolver.complete("god")) == [
        "Godzilla (2014)",
        "Godzilla (1954)",
        "The Godfather (1972)",  # a later word starts with "god": after the title prefixes
        "The Godfather Part II (1974)",
    ]
    assert labels(resolver, resolver.complete("the g")) == [
        "The Godfather (1972)",
        "The Good, the Bad and the Ugly (1966)",
        "The Godfather Part II (1974)",
    ]
    assert labels(resolver, resolver.complete("Heat", limit=2)) == [
        "Heat (1995)",
        "Heathers (1989)",
    ]


def test_completion_ignores_accents_case_punctuation_and_a_year_suffix(resolver) -> None:
    assert labels(resolver, resolver.complete("AMEL")) == ["Amélie (2001)"]
    assert labels(resolver, resolver.complete("leon the pro")) == ["Léon: The Professional (1994)"]
    assert labels(resolver, resolver.complete("professional")) == ["Léon: The Professional (1994)"]
    assert labels(resolver, resolver.complete("Godfather Part II (1974)")) == [
        "The Godfather Part II (1974)"
    ]


def test_no_match_and_empty_text_complete_to_nothing(resolver) -> None:
    assert resolver.complete("zzz") == []
    assert resolver.complete("  ?! ") == []
    assert resolver.complete("heat", limit=0) == []


def test_resolve_by_title_and_year(resolver) -> None:
    assert resolver.label(resolver.resolve("heat")) == "Heat (1995)"  # most voted remake
    assert resolver.label(resolver.resolve("Heat (1986)")) == "Heat (1986)"
    assert resolver.label(resolver.resolve("godzilla", year=1954)) == "Godzilla (1954)"
    with pytest.raises(TitleNotFoundError, match=r"Heat \(1995\)"):
        resolver.resolve("Heat", year=2000)


@pytest.mark.parametrize("full_scan", [True, False])
def test_fuzzy_suggestions_in_small_and_large_catalogs(resolver, monkeypatch, full_scan) -> None:
    if not full_scan:  # candidates only, as in a catalog above FULL_SCAN_LIMIT titles
        monkeypatch.setattr(titles, "FULL_SCAN_LIMIT", 0)
        monkeypatch.setattr(titles, "CANDIDATES", 2)
        resolver = make_resolver()
    assert resolver.suggest("Godfathr")[0] == "The Godfather (1972)"
    assert resolver.suggest("amelei")[0] == "Amélie (2001)"
    with pytest.raises(TitleNotFoundError, match="Did you mean: Heathers"):
        resolver.resolve("Heathrs")
    assert resolver.suggest("qqqqqqq") == []


def test_rows_by_id_is_a_mapping() -> None:
    rows = RowsById(np.array([30, 10, 20], dtype=np.int64))
    assert rows[10] == 1 and rows.get(20) == 2 and rows.get(99) is None
    assert 30 in rows and 99 not in rows and len(rows) == 3
    assert dict(rows) == {10: 1, 20: 2, 30: 0}
    with pytest.raises(KeyError):
        rows["10"]
