"""The catalog's input rules (docs/reliability.md): numbers that cannot be used are refused naming
the row and column; out-of-range values that only touch their own film are cleaned with a warning
naming the rows; one cell never moves every film's score."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from movierec.catalog import CatalogError, load_catalog
from movierec.ranking import quality_prior
from tests.helpers import FIXTURE_CATALOG

HEADER = "id,title,overview,year,runtime,vote_average,vote_count,popularity\n"
GOOD = "1,Alpha,first plot,1999,100,7.5,1000,10\n"


def _csv(tmp_path, *rows: str, header: str = HEADER, name: str = "movies.csv"):
    path = tmp_path / name
    path.write_text(header + "".join(rows))
    return path


def _row(**cells: object) -> str:
    values = {
        "id": 2,
        "title": "Beta",
        "overview": "second plot",
        "year": 2005,
        "runtime": 120,
        "vote_average": 6.5,
        "vote_count": 200,
        "popularity": 5,
    }
    values.update(cells)
    return ",".join(str(v) for v in values.values()) + "\n"


# -- item 1: infinite and huge numbers are refused, naming the row and column --------------------


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"year": "inf"}, "year"),
        ({"year": "-inf"}, "year"),
        ({"year": "1e30"}, "year"),
        ({"year": "99999999999"}, "year"),
        ({"vote_count": "inf"}, "vote_count"),
        ({"vote_count": "1e30"}, "vote_count"),
        ({"vote_count": "-5"}, "vote_count"),
        ({"runtime": "-inf"}, "runtime"),
        ({"vote_average": "inf"}, "vote_average"),
        ({"popularity": "-Infinity"}, "popularity"),
    ],
)
def test_unusable_numbers_are_refused_naming_row_and_column(tmp_path, cells, column) -> None:
    path = _csv(tmp_path, GOOD, _row(**cells))
    with pytest.raises(CatalogError, match=rf"movies.csv row 2 \(id 2\): {column} ") as error:
        load_catalog(path)
    assert "empty" in str(error.value) or "between" in str(error.value)  # says what to do


def test_unusable_numbers_in_parquet_are_refused(tmp_path) -> None:
    catalog = load_catalog(FIXTURE_CATALOG)
    raw = catalog.assign(year=catalog.year.astype("float64"))
    raw.loc[3, "year"] = np.inf
    path = tmp_path / "movies.parquet"
    raw.to_parquet(path)
    with pytest.raises(CatalogError, match=r"movies.parquet row 4 \(id \d+\): year inf"):
        load_catalog(path)


def test_queries_over_a_bad_catalog_exit_2_naming_row_and_column(tmp_path, capsys) -> None:
    from movierec.cli import main

    path = _csv(tmp_path, GOOD, _row(vote_count="inf"))
    assert main(["search", "plot", "--catalog", str(path), "-q"]) == 2
    assert "movies.csv row 2 (id 2): vote_count inf" in capsys.readouterr().err


# -- item 2: ids beyond 64 bits are refused, not wrapped --------------------------------------


@pytest.mark.parametrize("bad", ["99999999999999999999999", "1e20", "-1e19", "9223372036854775808"])
def test_ids_beyond_64_bits_are_refused(tmp_path, bad) -> None:
    path = _csv(tmp_path, GOOD, _row(id=bad))
    with pytest.raises(CatalogError, match=rf"movies.csv row 2 \(id {bad}\): the id .*64-bit"):
        load_catalog(path)


def test_largest_64_bit_id_is_kept_exactly(tmp_path) -> None:
    top = 2**63 - 1
    catalog = load_catalog(_csv(tmp_path, GOOD, _row(id=top)))
    assert catalog.id.tolist() == [1, top]


# -- item 3: cleaned with a warning naming the rows; one cell never moves every score ----------


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"vote_average": "11"}, "vote_average", np.nan),
        ({"vote_average": "-1"}, "vote_average", np.nan),
        ({"runtime": "-90"}, "runtime", np.nan),
        ({"popularity": "-3"}, "popularity", np.nan),
        ({"vote_count": "2.7"}, "vote_count", 3),
    ],
)
def test_out_of_range_values_are_cleaned_with_a_warning(
    tmp_path, caplog, cells, column, expected
) -> None:
    path = _csv(tmp_path, GOOD, _row(**cells))
    with caplog.at_level(logging.WARNING, logger="movierec.catalog"):
        catalog = load_catalog(path)
    value = catalog[column].iloc[1]
    assert (np.isnan(value) and np.isnan(expected)) or value == expected
    warning = caplog.text
    assert "movies.csv" in warning and column in warning and "row 2 (id 2)" in warning


def test_one_bad_rating_does_not_move_every_prior(tmp_path) -> None:
    text = FIXTURE_CATALOG.read_text().splitlines()
    header, rows = text[0], text[1:]
    columns = header.split(",")
    clean = load_catalog(FIXTURE_CATALOG)
    before = quality_prior(clean)
    for cell in ("inf", "1e30", "1000"):
        bad = tmp_path / f"bad-{cell}.csv"
        # the last cells of each row are vote_average, vote_count, popularity
        last = rows[-1].rsplit(",", 3)
        assert columns[-3] == "vote_average"
        bad.write_text("\n".join([header, *rows[:-1], ",".join([last[0], cell, *last[2:]])]))
        try:
            catalog = load_catalog(bad)
        except CatalogError as error:
            assert "vote_average" in str(error) and f"row {len(rows)}" in str(error)
            continue
        after = quality_prior(catalog)
        np.testing.assert_allclose(after[:-1], before[:-1], atol=0.05)


def test_year_range_is_checked_for_release_dates_too(tmp_path) -> None:
    path = _csv(tmp_path, "1,A,x,0001-01-01\n", header="id,title,overview,release_date\n")
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        assert "row 1 (id 1)" in str(error) and "year" in str(error)
    else:
        assert catalog.year.isna().all()


# -- item 4: other delimiters and ragged rows say what was found and how to fix it --------------


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_other_delimiters_are_named(tmp_path, separator, name) -> None:
    text = separator.join(["id", "title", "overview"]) + "\n"
    text += separator.join(["1", "Alpha", "plot, with a comma"]) + "\n"
    text += separator.join(["2", "Beta", "plot"]) + "\n"
    path = tmp_path / "movies.csv"
    path.write_text(text)
    with pytest.raises(CatalogError, match=f"separated by {name}.*commas") as error:
        load_catalog(path)
    assert "Expected" not in str(error.value)


def test_ragged_rows_name_the_line_and_the_fix(tmp_path) -> None:
    path = tmp_path / "movies.csv"
    path.write_text("id,title,overview\n1,A,x\n2,B,y\n3,C,plot, with a comma\n")
    with pytest.raises(CatalogError, match=r"line 4 has 4 fields but the header has 3") as error:
        load_catalog(path)
    assert "double quotes" in str(error.value)


def test_parquet_decimal_and_nullable_columns_are_numbers(tmp_path) -> None:
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "movies.parquet"
    table = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "title": ["A", "B"],
            "overview": ["x", "y"],
            "year": pa.array([1999, None], pa.int32()),
            "vote_average": pa.array([decimal.Decimal("7.5"), None], pa.decimal128(3, 1)),
            "vote_count": pa.array([10, None], pa.int64()),
        }
    )
    pq.write_table(table, path)
    catalog = load_catalog(path)
    assert catalog.vote_average.iloc[0] == 7.5 and np.isnan(catalog.vote_average.iloc[1])
    assert catalog.year.iloc[0] == 1999 and catalog.year.isna().iloc[1]
    assert catalog.vote_count.tolist() == [10, 0]
