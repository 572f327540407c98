"""JSON from outside (a batch line, an imported profile): every way `json.loads` refuses text
becomes one error with a short reason, never a traceback."""

from __future__ import annotations

import json
import sys
from typing import Any


class JSONInputError(ValueError):
    """Text that is not JSON movierec can read: the message says why; `hint` (maybe empty) what
    to send instead."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.hint = hint


def _digit_limit() -> int:
    return getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300


def _whole_number(digits: str) -> int:
    """`int(digits)` for the parser; JSONInputError where Python refuses that many digits."""
    try:
        return int(digits)
    except ValueError:
        count, limit = len(digits.lstrip("-")), _digit_limit()
        raise JSONInputError(
            f"a number of {count:,} digits is too large",
            f"send numbers of at most {limit:,} digits",
        ) from None


def parse_json(text: str | bytes) -> Any:
    """`json.loads(text)`; JSONInputError for bytes that are not UTF-8, text that is not JSON,
    nesting too deep for the parser, or an integer over Python's digit limit."""
    try:
        return json.loads(text, parse_int=_whole_number)
    except JSONInputError:
        raise
    except UnicodeDecodeError:
        raise JSONInputError("not UTF-8 text", "send JSON encoded as UTF-8") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}" if error.lineno > 1 else ""
        where = where or f"column {error.colno}"
        raise JSONInputError(f"not valid JSON ({error.msg} at {where})") from None
    except ValueError as error:  # any other number the parser cannot read
        raise JSONInputError(f"not valid JSON ({error})") from None
    except RecursionError:
        raise JSONInputError("JSON nested too deeply", "send flat requests") from None
