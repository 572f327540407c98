"""Coercing single catalog cells: text and lists written in the common formats."""

from __future__ import annotations

import ast
import json
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
