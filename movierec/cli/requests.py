"""The `movierec batch` request schema: one table of fields, checked before anything runs.

A request is a JSON object with a `mode` and the fields of that mode; a field of the wrong
type, out of range, or unknown to the mode is refused with a message that names it. What is
checked here is the shape; the façade then checks meaning (a title that exists, a known genre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from movierec.errors import UsageError
from movierec.settings import Settings

MODES = ("search", "similar", "recommend", "together")
ALL = MODES


@dataclass(frozen=True)
class Field:
    """One request field: its kind (text, int, number, ids, object), the modes that take it and
    the smallest value allowed (ints and numbers)."""

    kind: str
    modes: tuple[str, ...] = ALL
    minimum: float | None = None


KINDS = {
    "text": "text",
    "int": "a whole number",
    "number": "a finite number",
    "ids": "a list of whole-number film ids such as [862, 12]",
    "object": 'an object such as {"genres": ["Drama"]}',
    "bool": "true or false",
    "members": 'a list such as [{"liked": [155]}, {"liked": [862], "disliked": [8587], '
    '"seen": [12]}]',
}
_SETTING_KINDS = {str: "text", int: "int", float: "number"}
FIELDS: dict[str, Field] = {
    "text": Field("text", ("search", "similar")),
    "title": Field("text", ("similar",)),
    "id": Field("int", ("similar",)),
    "year": Field("int", ("similar",)),
    "parse": Field("bool", ("search",)),
    "members": Field("members", ("together",)),
    "liked": Field("ids", ("recommend",)),
    "disliked": Field("ids", ("recommend",)),
    "seen": Field("ids", ("recommend",)),  # watched, no taste: never recommended
    "k": Field("int", minimum=1),
    "exclude": Field("ids"),
    "filters": Field("object"),
    **{name: Field(_SETTING_KINDS[kind]) for name, kind in Settings.tunables()},
}
REQUIRED = {"search": ("text",), "similar": (), "recommend": (), "together": ("members",)}


def check_request(request: Any) -> tuple[str, dict[str, Any]]:
    """(mode, the checked fields but `mode`); UsageError naming the first bad field. A field
    given as null counts as not given."""
    if not isinstance(request, dict):
        raise UsageError('each line must be a JSON object such as {"mode": "search", "text": "…"}')
    mode = request.get("mode")
    if mode not in MODES:
        given = "missing 'mode'" if "mode" not in request else f"unknown mode {mode!r}"
        raise UsageError(f"{given}; use one of {', '.join(MODES)}")
    fields = {key: value for key, value in request.items() if key != "mode" and value is not None}
    for key in fields:
        if key not in FIELDS or mode not in FIELDS[key].modes:
            valid = sorted(name for name, f in FIELDS.items() if mode in f.modes)
            raise UsageError(f"unknown field {key!r} for mode {mode!r}; valid fields: {valid}")
    for key in REQUIRED[mode]:
        if key not in fields:
            raise UsageError(f"mode {mode!r} needs {key!r}")
    for key, value in fields.items():
        check_field(key, value, FIELDS[key])
    return mode, fields


def check_field(name: str, value: Any, field: Field) -> None:
    """UsageError naming `name` unless `value` is of the field's kind and range."""
    if not _is_kind(value, field.kind):
        raise UsageError(f"{name} must be {KINDS[field.kind]}, got {_shown(value)}")
    if field.minimum is not None and value < field.minimum:
        raise UsageError(f"{name} must be at least {field.minimum:g}, got {value}")


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "int":
        return _is_int(value)
    if kind == "number":
        return _is_int(value) or (isinstance(value, float) and math.isfinite(value))
    if kind == "ids":
        return isinstance(value, list) and all(_is_int(v) for v in value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "members":  # each member's own keys are checked by movierec.together
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return isinstance(value, dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
