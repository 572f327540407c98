"""Years, decades and durations in plain words: the patterns and their values."""

from __future__ import annotations

import re

from movierec.vocabulary import DECADE_WORDS, NUMBERS

DECADE_WORD = "|".join(DECADE_WORDS)
# non-capturing, so that rules can wrap it in their own groups
TIME = (
    r"(?:(?:early|mid|late)[- ]?)?(?:(?:1[89]|20)\d0'?s|'?\d0'?s|"
    + DECADE_WORD
    + r")|(?:1[89]\d\d|20\d\d)(?!'?s)"
)
PART = {"early": (0, 4), "mid": (3, 6), "late": (6, 9), None: (0, 9)}
PERIOD = re.compile(
    rf"(?:(early|mid|late)[- ]?)?(?:(1[89]\d0|20\d0)'?s|'?(\d0)'?s|({DECADE_WORD}))|(\d{{4}})"
)
NUMBER = r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|ninety|hundred)"
DURATION = (
    rf"(?:an? hour and a half|{NUMBER}(?: and a half)?[- ]?(?:hours?|hrs?)|"
    rf"{NUMBER}[- ]?(?:minutes?|mins?))"
)


def period(text: str) -> tuple[int, int]:
    """First and last year of "1994", "the 90s", "late 1970s", "the eighties"."""
    match = PERIOD.search(text)
    if match is None:
        raise ValueError(f"not a year or decade: {text!r}")
    part, full, short, word, year = match.groups()
    if year:
        return int(year), int(year)
    if full:
        start = int(full)
    elif short:
        start = (2000 if short in ("00", "10") else 1900) + int(short)
    else:
        start = DECADE_WORDS[word]
    first, last = PART[part]
    return start + first, start + last


def minutes(text: str) -> int | float:
    """Minutes in "two hours", "an hour and a half", "100 minutes", "2.5 hrs"."""
    if re.fullmatch(r"an? hour and a half", text):
        return 90
    number = re.match(NUMBER, text)
    if number is None:
        raise ValueError(f"not a duration: {text!r}")
    value = NUMBERS.get(number[0])
    amount = float(number[0]) if value is None else float(value)
    if "and a half" in text:
        amount += 0.5
    amount = amount * 60 if re.search(r"hours?|hrs?", text) else amount
    return int(amount) if amount.is_integer() else amount
