"""The shape of a catalog CSV: one comma-separated header, the same number of fields per line."""

from __future__ import annotations

import re
from pathlib import Path

from movierec.catalog_rules import CatalogError

SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_SAVE_WITH_COMMAS = (
    "save it comma-separated (pandas: df.to_csv(path, index=False); a spreadsheet: "
    '"CSV UTF-8 (comma delimited)"), or save it as .parquet'
)


def check_separator(path: Path) -> None:
    """CatalogError if the header line is separated by something other than commas."""
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            header = handle.readline()
    except OSError:
        return  # the reader reports it
    if "," in header:
        return
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    found = max(counts, key=lambda sep: counts[sep])
    if counts[found]:
        raise CatalogError(
            f"{path}: the columns are separated by {SEPARATORS[found]} ({found!r}), but a "
            f"catalog CSV is separated by commas; {_SAVE_WITH_COMMAS}"
        )


def csv_problem(path: Path, error: Exception) -> str:
    """What a pandas parser error means for the user, and how to fix it."""
    match = _FIELDS.search(str(error))
    if match:
        expected, line, saw = match.groups()
        return (
            f"{path}: line {line} has {saw} fields but the header has {expected}; put a cell "
            'that contains commas in double quotes ("plot, with a comma"), or remove the stray '
            f"comma on line {line}"
        )
    text = " ".join(str(error).split())
    return (
        f"{path}: cannot read the CSV ({text}); check for an unclosed double quote, or "
        f"{_SAVE_WITH_COMMAS}"
    )
