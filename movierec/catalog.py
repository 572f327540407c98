"""Catalog files: read, validate and normalize to one schema; fingerprint the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

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


class CatalogError(ValueError):
    """A catalog file that cannot be used; the message names the file, row and fix."""


def load_catalog(path: str | Path) -> pd.DataFrame:
    """Read a .csv or .parquet catalog and return it validated, in the `COLUMNS` schema."""
    path = Path(path)
    raw = _read(path)
    _check_columns(raw, path)
    catalog = pd.DataFrame(
        {
            "id": _ids(raw, path),
            "title": _titles(raw, path),
            "year": _years(raw, path),
            **{c: _column(raw, c, as_list) for c in LIST_COLUMNS},
            **{c: _column(raw, c, as_text) for c in STRING_COLUMNS},
            **{c: _numbers(raw, c, path) for c in FLOAT_COLUMNS},
            "vote_count": _numbers(raw, "vote_count", path).fillna(0).astype("int64"),
        }
    )
    return catalog[list(COLUMNS)].reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise CatalogError(f"{path}: unsupported file type; use one of {', '.join(READERS)}")
    if not path.exists():
        raise CatalogError(f"catalog file not found: {path}")
    try:
        frame = reader(
            path,
            **({"dtype": str, "keep_default_na": False} if path.suffix.lower() == ".csv" else {}),
        )
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


def _where(path: Path, position: int, raw: pd.DataFrame) -> str:
    return f"{path.name} row {position + 1} (id {raw['id'].iloc[position]})"


def _ids(raw: pd.DataFrame, path: Path) -> pd.Series:
    ids = pd.to_numeric(raw["id"].astype(str).str.strip(), errors="coerce")
    bad = np.flatnonzero(ids.isna().to_numpy() | (ids % 1 != 0).to_numpy())
    if len(bad):
        raise CatalogError(f"{_where(path, bad[0], raw)}: the id must be a whole number")
    ids = ids.astype("int64")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        first, second = np.flatnonzero(dup & (ids == ids.iloc[np.argmax(dup)]).to_numpy())[:2]
        raise CatalogError(
            f"{path.name}: duplicate id {ids.iloc[first]} in rows {first + 1} and {second + 1}; "
            "every film needs its own id"
        )
    return ids.reset_index(drop=True)


def _titles(raw: pd.DataFrame, path: Path) -> pd.Series:
    titles = raw["title"].map(as_text)
    empty = np.flatnonzero(titles.str.len().to_numpy() == 0)
    if len(empty):
        raise CatalogError(
            f"{_where(path, empty[0], raw)}: the title is empty; every film needs one"
        )
    return titles.reset_index(drop=True)


def _column(raw: pd.DataFrame, name: str, convert) -> pd.Series:
    if name not in raw.columns:
        return pd.Series([convert(None)] * len(raw), dtype=object)
    return raw[name].map(convert).reset_index(drop=True)


def _numbers(raw: pd.DataFrame, name: str, path: Path) -> pd.Series:
    if name not in raw.columns:
        return pd.Series(np.nan, index=range(len(raw)), dtype="float64")
    column = raw[name].map(lambda v: np.nan if as_text(v) == "" else v)
    numbers = pd.to_numeric(column, errors="coerce")
    bad = np.flatnonzero(numbers.isna().to_numpy() & column.notna().to_numpy())
    if len(bad):
        value = raw[name].iloc[bad[0]]
        raise CatalogError(f"{_where(path, bad[0], raw)}: {name} {value!r} is not a number")
    return numbers.astype("float64").reset_index(drop=True)


def _years(raw: pd.DataFrame, path: Path) -> pd.Series:
    if "year" in raw.columns:
        years = _numbers(raw, "year", path)
    elif "release_date" in raw.columns:
        dates = pd.to_datetime(raw["release_date"].map(as_text), errors="coerce", format="mixed")
        years = dates.dt.year.astype("float64").reset_index(drop=True)
    else:
        years = pd.Series(np.nan, index=range(len(raw)), dtype="float64")
    return years.round().astype("Int64")


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
