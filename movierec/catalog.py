"""Catalog files: read, validate and normalize to one schema; fingerprint the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from movierec.catalog_csv import check_separator, csv_problem
from movierec.catalog_rules import CatalogError, Rows, checked_counts, checked_ids, checked_numbers
from movierec.catalog_values import as_list, as_text
from movierec.config import DEFAULT_CATALOG

__all__ = ["COLUMNS", "DEFAULT_CATALOG", "CatalogError", "catalog_fingerprint", "load_catalog"]

TEXT_COLUMNS = ("overview", "tagline", "keywords", "genres", "director", "cast")
LIST_COLUMNS = ("genres", "keywords", "cast")
STRING_COLUMNS = ("overview", "tagline", "director", "original_language")
FLOAT_COLUMNS = ("runtime", "vote_average", "popularity")
COLUMNS: tuple[str, ...] = (
    "id", "title", "year", "genres", "overview", "tagline", "keywords", "director", "cast",
    "runtime", "original_language", "vote_average", "vote_count", "popularity",
)  # fmt: skip
READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet}


def load_catalog(path: str | Path) -> pd.DataFrame:
    """Read a .csv or .parquet catalog and return it validated, in the `COLUMNS` schema.

    Numbers follow the rules of `movierec.catalog_rules`: refused with a CatalogError naming the
    row and column, or cleaned with a warning naming the rows.
    """
    path = Path(path)
    raw = _read(path)
    _check_columns(raw, path)
    rows = Rows(path.name, raw["id"].tolist())
    catalog = pd.DataFrame(
        {
            "id": checked_ids(raw["id"], rows),
            "title": _titles(raw, rows),
            "year": _years(raw, rows),
            **{c: _column(raw, c, as_list) for c in LIST_COLUMNS},
            **{c: _column(raw, c, as_text) for c in STRING_COLUMNS},
            **{c: _numbers(raw, c, rows) for c in FLOAT_COLUMNS},
            "vote_count": _counts(raw, rows),
        }
    )
    _check_unique(catalog["id"], path)
    return catalog[list(COLUMNS)].reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise CatalogError(f"{path}: unsupported file type; use one of {', '.join(READERS)}")
    if not path.exists():
        raise CatalogError(f"catalog file not found: {path}")
    if suffix == ".csv":
        check_separator(path)
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:  # opened here: pyarrow cannot open a name that is not UTF-8
            with open(path, "rb") as handle:
                frame = pd.read_parquet(handle)
    except pd.errors.ParserError as error:
        raise CatalogError(csv_problem(path, error)) from None
    except Exception as error:  # any reader failure means an unreadable file
        raise CatalogError(
            f"{path}: cannot read the file ({error}); is it a valid {path.suffix} file?"
        ) from None
    if frame.empty:
        raise CatalogError(f"{path}: the catalog has no rows")
    return frame


def _check_columns(raw: pd.DataFrame, path: Path) -> None:
    missing = [c for c in ("id", "title") if c not in raw.columns]
    if missing:
        raise CatalogError(f"{path}: missing column(s) {missing}; a catalog needs id and title")
    if not any(c in raw.columns for c in TEXT_COLUMNS):
        raise CatalogError(
            f"{path}: no text column to describe the films; add one of {', '.join(TEXT_COLUMNS)}"
        )


def _check_unique(ids: pd.Series, path: Path) -> None:
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        first, second = np.flatnonzero(dup & (ids == ids.iloc[np.argmax(dup)]).to_numpy())[:2]
        raise CatalogError(
            f"{path.name}: duplicate id {ids.iloc[first]} in rows {first + 1} and {second + 1}; "
            "every film needs its own id"
        )


def _titles(raw: pd.DataFrame, rows: Rows) -> pd.Series:
    titles = raw["title"].map(as_text)
    empty = np.flatnonzero(titles.str.len().to_numpy() == 0)
    if len(empty):
        raise CatalogError(f"{rows(empty[0])}: the title is empty; every film needs one")
    return titles.reset_index(drop=True)


def _column(raw: pd.DataFrame, name: str, convert) -> pd.Series:
    if name not in raw.columns:
        return pd.Series([convert(None)] * len(raw), dtype=object)
    return raw[name].map(convert).reset_index(drop=True)


def _numbers(raw: pd.DataFrame, name: str, rows: Rows) -> pd.Series:
    if name not in raw.columns:
        return pd.Series(np.nan, index=range(len(raw)), dtype="float64")
    return pd.Series(checked_numbers(raw[name].reset_index(drop=True), name, rows))


def _counts(raw: pd.DataFrame, rows: Rows) -> pd.Series:
    if "vote_count" not in raw.columns:
        return pd.Series(0, index=range(len(raw)), dtype="int64")
    return checked_counts(raw["vote_count"].reset_index(drop=True), rows)


def _years(raw: pd.DataFrame, rows: Rows) -> pd.Series:
    if "year" in raw.columns:
        years = checked_numbers(raw["year"].reset_index(drop=True), "year", rows)
    elif "release_date" in raw.columns:
        dates = pd.to_datetime(raw["release_date"].map(as_text), errors="coerce", format="mixed")
        found = pd.Series(dates.dt.year.astype("float64").to_numpy())
        shown = raw["release_date"].reset_index(drop=True).astype(str) + found.map(
            lambda year: f" (year {year:.0f})"
        )
        years = checked_numbers(found, "release_date", rows, rule="year", shown=shown)
    else:
        years = np.full(len(raw), np.nan)
    return pd.Series(np.round(years)).astype("Int64")


def catalog_fingerprint(catalog: pd.DataFrame) -> str:
    """sha256 of the normalized catalog's content, stable across processes."""
    digest = hashlib.sha256()
    for column in COLUMNS:
        digest.update(column.encode() + b"\x1f")
        for value in catalog[column].tolist():
            digest.update(_canonical(value).encode() + b"\x1e")
    return digest.hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return "\x1d".join(str(v) for v in value)
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return repr(value) if isinstance(value, float) else str(value)
