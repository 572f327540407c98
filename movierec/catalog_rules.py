"""The catalog's rules for numbers (docs/reliability.md): what is refused and what is cleaned.

Refused with a `CatalogError` naming the row and column: a cell that is not a number, an infinite
number anywhere, an id that is not a whole number within 64 bits, a year outside 1870–2100 and a
vote count outside 0–10¹⁰ (one such cell would change every film's prior or cannot be stored).
Cleaned with one warning naming the rows: a rating outside 0–10, a runtime outside 0–60,000
minutes and a negative popularity become unknown (as if empty), and a fractional vote count is
rounded; these only touch their own film.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from movierec.catalog_values import INT64_MAX, INT64_MIN, as_id, as_numbers, describe_rows

LOG = logging.getLogger("movierec.catalog")


class CatalogError(ValueError):
    """A catalog file that cannot be used; the message names the file, row and fix."""


@dataclass(frozen=True)
class Range:
    """The values a numeric column accepts; `clean`: outside values become unknown (warning)
    rather than refused."""

    low: float
    high: float
    clean: bool


RANGES: dict[str, Range] = {
    "year": Range(1870, 2100, clean=False),
    "vote_count": Range(0, 1e10, clean=False),
    "vote_average": Range(0, 10, clean=True),
    "runtime": Range(0, 60_000, clean=True),
    "popularity": Range(0, 1e9, clean=True),
}
_EMPTY_HINT = "write a number there or leave the cell empty if it is unknown"


class Rows:
    """Names rows of one catalog file in messages: `movies.csv row 3 (id 42)`."""

    def __init__(self, file: str, ids: Sequence[Any]) -> None:
        self.file, self.ids = file, ids

    def __call__(self, position: int) -> str:
        return f"{self.file} row {position + 1} (id {self.ids[position]})"

    def some(self, positions: Sequence[int]) -> str:
        return describe_rows(positions, self.ids)


def checked_ids(column: pd.Series, rows: Rows) -> pd.Series:
    """The id column as int64; CatalogError naming the row of an id that is not a whole number
    or does not fit 64 bits."""
    numbers, bad = as_numbers(column)
    with np.errstate(invalid="ignore"):
        simple = not bad.any() and np.all(np.abs(numbers) < 2**53) and np.all(numbers % 1 == 0)
    if simple:
        return pd.Series(numbers.astype("int64"))  # exact: whole and below 2**53
    ids: list[int] = []
    for position, value in enumerate(column.tolist()):
        number = as_id(value)
        if number is None:
            raise CatalogError(f"{rows(position)}: the id must be a whole number")
        if not INT64_MIN <= number <= INT64_MAX:
            raise CatalogError(
                f"{rows(position)}: the id does not fit the 64-bit range "
                f"({INT64_MIN} to {INT64_MAX}); use the film's TMDB id"
            )
        ids.append(number)
    return pd.Series(ids, dtype="int64")


def checked_numbers(
    column: pd.Series,
    name: str,
    rows: Rows,
    rule: str | None = None,
    shown: pd.Series | None = None,
) -> np.ndarray:
    """A numeric column as float64 under the rule of `rule` (default: `name`): refused or cleaned
    as the module docstring says. Messages quote `shown` (default: `column`)."""
    values, bad = as_numbers(column)
    if bad.any():
        position = int(np.argmax(bad))
        raise CatalogError(
            f"{rows(position)}: {name} {column.iloc[position]!r} is not a number; {_EMPTY_HINT}"
        )
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        position = int(infinite[0])
        raise CatalogError(
            f"{rows(position)}: {name} {column.iloc[position]} is not a finite number; "
            f"{_EMPTY_HINT}"
        )
    return _in_range(values, column if shown is None else shown, name, rows, RANGES[rule or name])


def _in_range(
    values: np.ndarray, column: pd.Series, name: str, rows: Rows, rule: Range
) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        outside = np.flatnonzero((values < rule.low) | (values > rule.high))
    between = f"between {rule.low:g} and {rule.high:g}"
    if len(outside) and not rule.clean:
        position = int(outside[0])
        raise CatalogError(
            f"{rows(position)}: {name} {column.iloc[position]} is not {between}; "
            "fix it or leave the cell empty if it is unknown"
        )
    if len(outside):
        LOG.warning(
            "%s: %s is not %s in %s; treated as unknown, as if empty (fix those cells to use them)",
            rows.file,
            name,
            between,
            rows.some(outside),
        )
        values = values.copy()
        values[outside] = np.nan
    return values


def checked_counts(column: pd.Series, rows: Rows) -> pd.Series:
    """vote_count as int64: empty cells count 0; fractional counts are rounded with a warning."""
    values = checked_numbers(column, "vote_count", rows)
    fractional = np.flatnonzero(~np.isnan(values) & (values % 1 != 0))
    if len(fractional):
        LOG.warning(
            "%s: vote_count is not a whole number in %s; rounded to the nearest whole number",
            rows.file,
            rows.some(fractional),
        )
    return pd.Series(np.nan_to_num(np.round(values), nan=0.0).astype("int64"))
