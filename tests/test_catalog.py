"""Catalog loading: normalization of CSV/Parquet, validation errors naming file and row."""

from __future__ import annotations

import pytest

from movierec.catalog import (
    COLUMNS,
    DEFAULT_CATALOG,
    CatalogError,
    catalog_fingerprint,
    load_catalog,
)
from tests.helpers import FIXTURE_CATALOG


def _write(tmp_path, text, name="movies.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_fixture_is_normalized_to_the_schema():
    catalog = load_catalog(FIXTURE_CATALOG)
    assert tuple(catalog.columns) == COLUMNS
    heat = catalog[catalog.id == 949].iloc[0]
    assert heat.title == "Heat" and heat.year == 1995
    assert heat.genres == ["Action", "Crime", "Drama"]
    assert heat.cast[:2] == ["Al Pacino", "Robert De Niro"]
    assert heat.vote_count == 3000 and heat.vote_average == pytest.approx(7.7)


def test_minimal_catalog_gets_defaults(tmp_path):
    path = _write(tmp_path, "id,title,overview\n1,A,first plot\n2,B,\n")
    catalog = load_catalog(path)
    assert catalog.id.tolist() == [1, 2]
    assert catalog.genres.tolist() == [[], []]
    assert catalog.year.isna().all()
    assert catalog.vote_count.tolist() == [0, 0]


def test_year_from_release_date_and_json_lists(tmp_path):
    text = 'id,title,release_date,genres\n5,X,1999-03-31,"[""Action"", ""Sci-Fi""]"\n'
    catalog = load_catalog(_write(tmp_path, text))
    assert catalog.year.iloc[0] == 1999
    assert catalog.genres.iloc[0] == ["Action", "Sci-Fi"]


def test_parquet_and_csv_give_the_same_fingerprint(tmp_path):
    catalog = load_catalog(FIXTURE_CATALOG)
    parquet = tmp_path / "movies.parquet"
    catalog.to_parquet(parquet)
    assert catalog_fingerprint(load_catalog(parquet)) == catalog_fingerprint(catalog)


def test_fingerprint_changes_with_content():
    catalog = load_catalog(FIXTURE_CATALOG)
    changed = catalog.copy()
    changed.loc[0, "overview"] = "something else"
    assert catalog_fingerprint(changed) != catalog_fingerprint(catalog)


def test_default_catalog_is_shipped_and_valid():
    catalog = load_catalog(DEFAULT_CATALOG)
    assert len(catalog) > 4000
    assert catalog.id.is_unique
    assert (catalog.title.str.len() > 0).all()
    assert catalog.loc[catalog.id == 155, "title"].item() == "The Dark Knight"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title,overview\nA,plot\n", r"missing column\(s\) \['id'\]"),
        ("id,overview\n1,plot\n", r"missing column\(s\) \['title'\]"),
        ("id,title,year\n1,A,2000\n", "no text column"),
        ("id,title,overview\n1,A,x\n1,B,y\n", "duplicate id 1 in rows 1 and 2"),
        ("id,title,overview\n1,A,x\n2,,y\n", r"row 2 \(id 2\): the title is empty"),
        ("id,title,overview\n1,A,x\nabc,B,y\n", "row 2 .*id must be a whole number"),
        ("id,title,overview,year\n1,A,x,soon\n", "row 1 .*year 'soon' is not a number"),
        ("id,title,overview,vote_average\n1,A,x,8\n2,B,y,good\n", "row 2 .*vote_average"),
        ("id,title,overview\n", "no rows"),
    ],
)
def test_validation_errors_name_the_problem_and_row(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError, match=message) as error:
        load_catalog(path)
    assert "movies.csv" in str(error.value)


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope.csv")
    with pytest.raises(CatalogError, match="unsupported file type"):
        load_catalog(_write(tmp_path, "x", name="movies.xlsx"))
    with pytest.raises(CatalogError, match="cannot read the file"):
        load_catalog(_write(tmp_path, "not parquet at all", name="movies.parquet"))
