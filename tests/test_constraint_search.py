"""Parsed searches through the façade: the query set scores, and every result keeps every
constraint (default catalog, fake encoder); the caller's filters win; --no-parse and skips."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from movierec.build import build_bundle
from movierec.catalog import DEFAULT_CATALOG, load_catalog
from movierec.constraints import HIDDEN_GEM, Constraint
from movierec.errors import UsageError
from movierec.evaluation.constraints import load_queries, score
from movierec.filters import Filters
from movierec.recommender import Recommender
from tests.conftest import FakeEncoder
from tests.helpers import fixture_recommender


@pytest.fixture(scope="module")
def default_rec() -> Recommender:
    bundle, _ = build_bundle(load_catalog(DEFAULT_CATALOG), FakeEncoder())
    return Recommender(bundle, FakeEncoder())


@pytest.fixture
def rec(fake_encoder) -> Recommender:
    return fixture_recommender(fake_encoder)


def test_query_set_precision_and_recall(default_rec) -> None:
    queries = load_queries()
    assert len(queries) >= 80 and sum(not q["expected"] for q in queries) >= 20
    result = score(default_rec.understand, queries)
    assert result.precision >= 0.95 and result.recall >= 0.90, result.misses


def keeps(film: pd.Series, c: Constraint) -> bool:
    """Whether one catalog row satisfies one constraint (checked apart from FilterIndex)."""
    low, high = c.value if c.kind in ("year", "runtime") else (None, None)
    value = {"year": film["year"], "runtime": film["runtime"]}.get(c.kind)
    title_words = re.compile(rf"\b{re.escape(str(c.value))}\b", re.IGNORECASE)
    checks = {
        "year": lambda: (low is None or value >= low) and (high is None or value <= high),
        "runtime": lambda: (low is None or value >= low) and (high is None or value <= high),
        "language": lambda: film["original_language"] in c.filters.languages,
        "genre": lambda: c.value in list(film["genres"]),
        "not_genre": lambda: c.value not in list(film["genres"]),
        "cast": lambda: c.value in list(film["cast"]),
        "not_cast": lambda: c.value not in list(film["cast"]),
        "director": lambda: film["director"] == c.value,
        "not_title": lambda: not title_words.search(film["title"]),
        "rating": lambda: film["vote_average"] >= c.value,
        "hidden_gem": lambda: (
            film["vote_average"] >= HIDDEN_GEM.min_rating
            and HIDDEN_GEM.min_votes <= film["vote_count"] <= HIDDEN_GEM.max_votes
        ),
    }
    return bool(checks[c.kind]())


def test_every_result_of_a_parsed_query_keeps_its_constraints(default_rec) -> None:
    catalog = default_rec.bundle.catalog.set_index("id")
    answered = 0
    for query in load_queries():
        hits = default_rec.search(query["text"], k=10)
        understood = hits.understood
        broken = [
            (hit.title, c.label)
            for hit in hits
            for c in understood.constraints
            if not keeps(catalog.loc[hit.id], c)
        ]
        assert broken == [], query["text"]
        answered += bool(hits)
    assert answered >= 0.9 * len(load_queries())


def test_constraints_alone_rank_by_the_prior(rec) -> None:
    hits = rec.search("90s comedies")
    assert hits.understood.labels == ["1990–1999", "Comedy"] and hits.understood.residual == ""
    assert [h.title for h in hits] == [h.title for h in rec.popular(10, hits.understood.filters)]
    assert all(1990 <= h.year <= 1999 and "Comedy" in h.genres for h in hits)
    with pytest.raises(UsageError, match="alpha"):
        rec.search("90s comedies", alpha=2)


def test_residual_text_is_searched_within_the_constraints(rec) -> None:
    hits = rec.search("a heist thriller after 2000", k=5)
    assert hits.understood.residual == "heist"
    assert hits and all(h.year > 2000 and "Thriller" in h.genres for h in hits)
    assert "heist" in hits[0].matched_terms


def test_no_parse_searches_the_words_as_typed(rec) -> None:
    plain = rec.search("90s comedies", k=30, parse=False)
    assert plain.understood is None
    assert any(h.year and h.year >= 2000 for h in plain)


def test_the_callers_filters_win_and_skips_are_honoured(rec) -> None:
    hits = rec.search("90s comedies", k=30, filters=Filters(year_min=2000))
    assert [c.label for c in hits.understood.overridden] == ["1990–1999"]
    assert hits and all(h.year >= 2000 and "Comedy" in h.genres for h in hits)
    skipped = rec.search("90s comedies", k=30, skip=["1990–1999"])
    assert skipped.understood.labels == ["Comedy"] and skipped.understood.residual == "90s"
    assert {h.year for h in skipped} - set(range(1990, 2000))


def test_filters_added_for_free_text_mask_the_catalog(rec) -> None:
    mask = rec.filter_index.mask(
        Filters(runtime_max=120, exclude_title_words=("Batman",), cast=("Tom Cruise",))
    )
    titles = set(rec.bundle.catalog["title"][np.flatnonzero(mask)])
    assert titles == {"Collateral"}
    directed = rec.filter_index.mask(Filters(directors=("michael mann",), max_votes=2500))
    assert set(rec.bundle.catalog["title"][np.flatnonzero(directed)]) == {"Collateral"}
