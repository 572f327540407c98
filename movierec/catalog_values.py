"""Coercing catalog cells: text and lists written in the common formats, numbers and ids."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)


def as_text(value: Any) -> str:
    """A cell as stripped text; missing values become the empty string."""
    return "" if _missing(value) else str(value).strip()


def _names(items: Any) -> list[str]:
    names = []
    for item in items:
        name = item.get("name", "") if isinstance(item, dict) else item
        if not _missing(name) and str(name).strip():
            names.append(str(name).strip())
    return names


def _parse_list_text(text: str) -> list[Any] | None:
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError):
            continue
        return parsed if isinstance(parsed, list) else None
    return None


def as_list(value: Any) -> list[str]:
    """A list cell: a real list, a JSON/Python list (of names or {"name": …}), or "a|b" text."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return _names(value)
    text = as_text(value)
    if not text:
        return []
    if text.startswith("["):
        parsed = _parse_list_text(text)
        if parsed is not None:
            return _names(parsed)
    return _names(text.split("|"))


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_WHOLE = re.compile(r"[+-]?[0-9]+")
_NOT_A_NUMBER = "\x00not a number"  # what a cell of another type becomes before to_numeric


def _number_cell(value: Any) -> Any:
    if _missing(value):
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return _NOT_A_NUMBER
    if isinstance(value, (int, np.integer)):
        return float(value)
    if isinstance(value, (float, np.floating)):
        return value
    if isinstance(value, Decimal):  # a Parquet decimal column (an SQL export)
        return float(value)
    if isinstance(value, str):
        return value.strip() or np.nan
    return _NOT_A_NUMBER


def as_numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as float64 (NaN for empty cells) and the mask of cells that are not numbers.

    Infinite values come back as they are: the caller decides what they mean.
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        return np.full(len(column), np.nan), column.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.astype("float64").to_numpy(na_value=np.nan)
        return values, np.zeros(len(column), dtype=bool)
    cells = column.map(_number_cell)
    numbers = pd.to_numeric(cells, errors="coerce").astype("float64")
    return numbers.to_numpy(na_value=np.nan), (numbers.isna() & cells.notna()).to_numpy()


def as_id(value: Any) -> int | None:
    """A cell as an exact whole number (of any size), or None if it is not one."""
    if isinstance(value, (bool, np.bool_)) or _missing(value):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.fullmatch(text):
            return int(text)
        number = pd.to_numeric(pd.Series([text], dtype=object), errors="coerce").iloc[0]
        value = float(number)
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value) % 1 == 0:
        return int(value)
    return None


def describe_rows(positions: Sequence[int], ids: Sequence[Any], limit: int = 5) -> str:
    """'row 2 (id 5), row 7 (id 9) and 3 more': rows named by position and id, for messages."""
    named = ", ".join(f"row {p + 1} (id {ids[p]})" for p in positions[:limit])
    extra = len(positions) - limit
    return f"{named} and {extra} more" if extra > 0 else named
