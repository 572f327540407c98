"""Checks of what callers hand the façade: film id lists, k, texts and filters."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

from movierec.errors import UsageError
from movierec.filters import Filters
from movierec.settings import check_number


def film_ids(name: str, values: Iterable[int]) -> list[int]:
    """`values` as a list of film ids; UsageError naming `name` unless it is a list of whole
    numbers (a string such as "862" is refused, not read digit by digit)."""
    if isinstance(values, (str, bytes, dict)) or not isinstance(values, Iterable):
        raise UsageError(f"{name} must be a list of film ids such as [862, 12], got {values!r}")
    values = list(values)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise UsageError(f"{name} must hold whole-number film ids such as 862, got {value!r}")
    return [int(v) for v in values]


def check_k(k: object) -> None:
    """UsageError unless `k` is a whole number of at least 1."""
    check_number("k", k, int)
    if k < 1:
        raise UsageError(f"k must be at least 1, got {k}")


def check_text(name: str, value: object) -> str | None:
    """`value` (text or None); UsageError naming `name` otherwise."""
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{name} must be text, got {value!r}")
    return value


def check_filters(filters: object) -> Filters | None:
    """`filters` (a Filters or None); UsageError otherwise."""
    if filters is not None and not isinstance(filters, Filters):
        raise UsageError(f"filters must be a Filters (see Filters.from_dict), got {filters!r}")
    return filters
