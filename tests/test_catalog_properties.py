"""Property tests: any frame of hostile cells, written as CSV or Parquet, loads as a valid catalog
or fails with a CatalogError, never another exception."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movierec.catalog import COLUMNS, CatalogError, catalog_fingerprint, load_catalog
from movierec.catalog_rules import RANGES
from movierec.ranking import quality_prior

NUMERIC = ("year", "runtime", "vote_average", "vote_count", "popularity")
SPECIAL = [math.nan, math.inf, -math.inf, 1e30, -1e30, 2.0**63, -(2.0**64), 0.5, -5.0, 1e20]

numbers = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**25), max_value=10**25).map(float),
    st.integers(min_value=0, max_value=3000).map(float),
)
texts = st.text(max_size=12)
cells = st.one_of(numbers.map(repr), numbers.map(str), texts, st.just(""))
ids = st.one_of(
    st.integers(min_value=-(10**22), max_value=10**22).map(str),
    st.integers(min_value=0, max_value=50).map(str),
    numbers.map(str),
    texts,
)
PROFILE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check_valid(catalog: pd.DataFrame) -> None:
    """What every loaded catalog guarantees."""
    assert tuple(catalog.columns) == COLUMNS
    assert catalog["id"].dtype == "int64" and catalog["id"].is_unique
    assert (catalog["title"].str.len() > 0).all()
    for name in NUMERIC:
        values = catalog[name].astype("float64").to_numpy(na_value=np.nan)
        known = values[~np.isnan(values)]
        rule = RANGES[name]
        assert np.isfinite(known).all()
        assert ((known >= rule.low) & (known <= rule.high)).all(), name
    assert catalog["vote_count"].dtype == "int64"
    catalog_fingerprint(catalog)
    prior = quality_prior(catalog)
    assert np.isfinite(prior).all() and ((prior >= 0) & (prior <= 1)).all()


def _load(path: Path) -> None:
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        assert path.name in str(error)
        return
    _check_valid(catalog)


@st.composite
def csv_frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(min_value=1, max_value=6))
    column = lambda strategy: draw(st.lists(strategy, min_size=size, max_size=size))  # noqa: E731
    frame = {"id": column(ids), "title": column(texts), "overview": column(texts)}
    frame.update({name: column(cells) for name in NUMERIC if draw(st.booleans())})
    return pd.DataFrame(frame)


@st.composite
def parquet_frames(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(min_value=1, max_value=6))
    column = lambda strategy: draw(st.lists(strategy, min_size=size, max_size=size))  # noqa: E731
    id_values = draw(
        st.one_of(
            st.lists(st.integers(-(2**63), 2**63 - 1), min_size=size, max_size=size),
            st.lists(numbers, min_size=size, max_size=size),
            st.lists(ids, min_size=size, max_size=size),
        )
    )
    frame = {"id": id_values, "title": column(texts), "genres": column(st.lists(texts, max_size=3))}
    frame.update({name: column(numbers) for name in NUMERIC if draw(st.booleans())})
    return pd.DataFrame(frame)


@PROFILE
@given(frame=csv_frames())
def test_any_csv_loads_validly_or_says_why(frame: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "movies.csv"
        frame.to_csv(path, index=False)
        _load(path)


@PROFILE
@given(frame=parquet_frames())
def test_any_parquet_loads_validly_or_says_why(frame: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "movies.parquet"
        frame.to_parquet(path)
        _load(path)


@pytest.mark.parametrize("cell", ["1e400", "-0", "١٢", "0x10", "1_000", "NaN", "\x00", "⁵"])
def test_odd_number_text(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "movies.csv"
    path.write_text(f"id,title,overview,year,vote_count\n1,A,x,{cell},{cell}\n")
    _load(path)
