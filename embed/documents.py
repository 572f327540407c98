"""One descriptive text per movie, built from the catalog's fields."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

DEFAULT_FIELDS: tuple[str, ...] = (
    "title",
    "genres",
    "overview",
    "tagline",
    "keywords",
    "director",
    "cast",
)
# BM25 reads the same text without the title: a rare title word would otherwise outrank films
# about the query ("heist with a twist" found Oliver Twist); the embedding keeps the title.
KEYWORD_FIELDS: tuple[str, ...] = tuple(f for f in DEFAULT_FIELDS if f != "title")


def _join(values: Any, limit: int | None = None) -> str:
    if values is None or isinstance(values, float):
        return ""
    items = [str(v) for v in values if str(v).strip()]
    return ", ".join(items[:limit])


def _title(row: pd.Series) -> str:
    year = row.get("year")
    has_year = year is not None and not pd.isna(year)
    return f"{row['title']} ({int(year)})." if has_year else f"{row['title']}."


def _labelled(label: str, column: str, limit: int | None = None) -> Callable[[pd.Series], str]:
    def render(row: pd.Series) -> str:
        text = _join(row.get(column), limit)
        return f"{label}: {text}." if text else ""

    return render


def _plain(column: str) -> Callable[[pd.Series], str]:
    def render(row: pd.Series) -> str:
        value = row.get(column)
        return "" if value is None or pd.isna(value) else str(value).strip()

    return render


def _director(row: pd.Series) -> str:
    name = _plain("director")(row)
    return f"Directed by {name}." if name else ""


RENDERERS: dict[str, Callable[[pd.Series], str]] = {
    "title": _title,
    "genres": _labelled("Genres", "genres"),
    "overview": _plain("overview"),
    "tagline": _plain("tagline"),
    "keywords": _labelled("Keywords", "keywords", limit=20),
    "director": _director,
    "cast": _labelled("Starring", "cast", limit=5),
}


def check_fields(fields: Iterable[str]) -> tuple[str, ...]:
    """Validate a field order; raise ValueError listing the valid names."""
    fields = tuple(fields)
    unknown = [f for f in fields if f not in RENDERERS]
    if unknown or not fields:
        raise ValueError(f"unknown document fields {unknown}; choose from {sorted(RENDERERS)}")
    return fields


def document_text(row: pd.Series, fields: Sequence[str] = DEFAULT_FIELDS) -> str:
    """The text embedded for one movie: the given fields, in order, skipping empty ones."""
    parts = (RENDERERS[field](row) for field in fields)
    return " ".join(p for p in parts if p)


def build_documents(catalog: pd.DataFrame, fields: Sequence[str] = DEFAULT_FIELDS) -> list[str]:
    """One document text per catalog row, in row order."""
    fields = check_fields(fields)
    return [document_text(row, fields) for _, row in catalog.iterrows()]
