"""`movierec batch`: JSON Lines requests in, one JSON line out per request, model loaded once."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from movierec.cli.common import TUNABLES, add_locations, open_recommender
from movierec.errors import UsageError, user_errors

if TYPE_CHECKING:
    from movierec.recommender import Recommender

MODES = ("search", "similar", "recommend", "together")


def register(sub: argparse._SubParsersAction) -> None:
    batch = sub.add_parser("batch", help="JSON Lines requests on stdin, one JSON line out each")
    add_locations(batch)
    batch.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    recommender = open_recommender(args)
    for reply in run_batch(recommender, sys.stdin):
        print(json.dumps(reply), flush=True)
    return 0


def _tunables(request: dict[str, Any]) -> dict[str, Any]:
    return {key: request[key] for key in TUNABLES if key in request}


def answer(recommender: Recommender, request: Any) -> dict[str, Any]:
    """Run one request dict; returns {"results": [...]} (errors propagate to the caller); a
    search also reports its "understood" constraints unless the request says "parse": false."""
    from movierec.filters import Filters

    if not isinstance(request, dict):
        raise UsageError('each line must be a JSON object such as {"mode": "search", "text": "…"}')
    mode = request.get("mode")
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        k = int(request.get("k", 10))
    except (TypeError, ValueError):
        raise UsageError(f"k must be a whole number, got {request.get('k')!r}") from None
    extra = {
        "k": k,
        "filters": Filters.from_dict(request.get("filters")),
        "exclude": request.get("exclude", ()),
        **_tunables(request),
    }
    if mode == "search":
        parse = request.get("parse", True)
        if not isinstance(parse, bool):
            raise UsageError(f'"parse" must be true or false, got {parse!r}')
        hits = recommender.search(str(request.get("text", "")), parse=parse, **extra)
    elif mode == "similar":
        hits = recommender.similar(
            title=request.get("title"),
            id=request.get("id"),
            year=request.get("year"),
            text=request.get("text"),
            **extra,
        )
    elif mode == "together":
        from movierec.together import members_from_json

        hits = recommender.together(members_from_json(request.get("members")), **extra)
    else:
        hits = recommender.recommend(request.get("liked", []), request.get("disliked", []), **extra)
    understood = getattr(hits, "understood", None)
    report = understood.report() if understood is not None else {}
    return {**report, "results": [hit.to_dict() for hit in hits]}


def run_batch(recommender: Recommender, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Answer each non-blank line in order; a bad line yields {"error": ...} and the rest go on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield answer(recommender, json.loads(line))
        except json.JSONDecodeError as error:
            yield {"error": f"line {number}: not valid JSON ({error.msg} at column {error.colno})"}
        except (*user_errors(), TypeError) as error:
            # TypeError: a value of the wrong JSON type (a list for "k", a string for "year_min")
            yield {"error": f"line {number}: {error}"}
