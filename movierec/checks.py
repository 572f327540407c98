"""Checks of what callers hand the façade: film id lists, k, texts and filters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from numbers import Integral

from movierec.errors import UsageError
from movierec.filters import Filters
from movierec.settings import check_number

# a lone surrogate: a byte the OS could not decode as UTF-8 (surrogateescape, U+DC80-U+DCFF in
# argv) or a "\ud800" escape in JSON; the encoder's tokenizer cannot take either
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def texts(name: str, values: object, example: str) -> list[str]:
    """`values` (one text or a list of them) as a list; UsageError naming `name` otherwise."""
    if isinstance(values, str):
        values = [values]
    if isinstance(values, (bytes, dict)) or not isinstance(values, Iterable):
        raise UsageError(f"{name} must be a list of texts such as {example}, got {values!r}")
    values = list(values)
    for value in values:
        if not isinstance(value, str):
            raise UsageError(f"{name} must be a list of texts such as {example}, got {value!r}")
        check_text(name, value)
    return values


def check_k(k: object, name: str = "k") -> None:
    """UsageError unless `k` (a count called `name`) is a whole number of at least 1."""
    check_number(name, k, int)
    if k < 1:
        raise UsageError(f"{name} must be at least 1, got {k}")


def check_text(name: str, value: object) -> str | None:
    """`value` (text or None); UsageError naming `name` otherwise, or when the text holds
    bytes that are not valid UTF-8 (lone surrogates)."""
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{name} must be text, got {value!r}")
    bad = None if value is None else _SURROGATE.search(value)
    if bad is not None:
        raise UsageError(
            f"the {name} holds bytes that are not valid UTF-8 (at character {bad.start() + 1}); "
            "re-type it or save it as UTF-8"
        )
    return value


def is_blank(text: str) -> bool:
    """True when `text` shows nothing: only whitespace and invisible format characters such
    as zero-width spaces."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def check_filters(filters: object) -> Filters | None:
    """`filters` (a Filters or None); UsageError otherwise."""
    if filters is not None and not isinstance(filters, Filters):
        raise UsageError(f"filters must be a Filters (see Filters.from_dict), got {filters!r}")
    return filters
