"""JSON Lines requests in, one JSON line out per request, with the model loaded once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from movierec.errors import USER_ERRORS
from movierec.filters import Filters
from movierec.recommender import Recommender

MODES = ("search", "similar", "recommend")
TUNABLES = (
    "alpha",
    "fusion",
    "prior_weight",
    "diversity",
    "dislike_weight",
    "steer_weight",
    "community_weight",
)


def _tunables(request: dict[str, Any]) -> dict[str, Any]:
    return {key: request[key] for key in TUNABLES if key in request}


def answer(recommender: Recommender, request: Any) -> dict[str, Any]:
    """Run one request dict; returns {"results": [...]} (errors propagate to the caller)."""
    if not isinstance(request, dict):
        raise ValueError('each line must be a JSON object such as {"mode": "search", "text": "…"}')
    mode = request.get("mode")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    k = int(request.get("k", 10))
    filters = Filters.from_dict(request.get("filters"))
    extra = {
        "k": k,
        "filters": filters,
        "exclude": request.get("exclude", ()),
        **_tunables(request),
    }
    if mode == "search":
        hits = recommender.search(str(request.get("text", "")), **extra)
    elif mode == "similar":
        hits = recommender.similar(
            title=request.get("title"),
            id=request.get("id"),
            year=request.get("year"),
            text=request.get("text"),
            **extra,
        )
    else:
        hits = recommender.recommend(request.get("liked", []), request.get("disliked", []), **extra)
    return {"results": [hit.to_dict() for hit in hits]}


def run_batch(recommender: Recommender, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Answer each non-blank line in order; a bad line yields {"error": ...} and the rest go on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield answer(recommender, json.loads(line))
        except json.JSONDecodeError as error:
            yield {"error": f"line {number}: not valid JSON ({error.msg} at column {error.colno})"}
        except (*USER_ERRORS, TypeError) as error:
            yield {"error": f"line {number}: {error}"}
