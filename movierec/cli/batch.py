"""`movierec batch`: JSON Lines requests in, one JSON line out per request, model loaded once.

Every non-blank line gets exactly one answer line, in order: `{"results": [...]}` or
`{"error": "line N: ..."}`. Requests follow the schema in `movierec.cli.requests`; a line over
`MAX_LINE_BYTES` is answered with an error without being read into memory whole.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from movierec.cli.common import TUNABLES, add_locations, open_recommender
from movierec.cli.requests import MODES, check_request
from movierec.errors import user_errors
from movierec.json_input import JSONInputError, parse_json

if TYPE_CHECKING:
    from movierec.recommender import Recommender

__all__ = ["MAX_LINE_BYTES", "MODES", "answer", "read_lines", "run_batch"]
LOG = logging.getLogger(__name__)
MAX_LINE_BYTES = 64 * 1024  # one request; a profile of ~10,000 ids fits
_CHUNK = 64 * 1024


def register(sub: argparse._SubParsersAction) -> None:
    batch = sub.add_parser("batch", help="JSON Lines requests on stdin, one JSON line out each")
    add_locations(batch)
    batch.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    recommender = open_recommender(args)
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    for reply in run_batch(recommender, read_lines(stream)):
        print(json.dumps(reply), flush=True)
    return 0


def read_lines(
    stream: IO[bytes] | IO[str], limit: int = MAX_LINE_BYTES
) -> Iterator[str | bytes | None]:
    """The lines of `stream` (bytes, or text: then `limit` counts characters), each at most
    `limit` long; a longer line is read on to its end in chunks and yielded as None, so memory
    stays bounded."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        newline = b"\n" if isinstance(line, bytes) else "\n"
        if len(line) <= limit or line.endswith(newline):
            yield line
            continue
        while line and not line.endswith(newline):
            line = stream.readline(_CHUNK)
        yield None


def answer(recommender: Recommender, request: Any) -> dict[str, Any]:
    """Run one request; returns {"results": [...]} (a search also reports its "understood"
    constraints unless the request says "parse": false); UsageError (or another user error)
    when the request is not valid or the façade refuses it."""
    from movierec.filters import Filters

    mode, fields = check_request(request)
    extra = {
        "k": fields.get("k", 10),
        "filters": Filters.from_dict(fields.get("filters")),
        "exclude": fields.get("exclude", ()),
        **{key: fields[key] for key in TUNABLES if key in fields},
    }
    if mode == "search":
        hits = recommender.search(fields["text"], parse=fields.get("parse", True), **extra)
    elif mode == "similar":
        ask = {key: fields.get(key) for key in ("title", "id", "year", "text")}
        hits = recommender.similar(**ask, **extra)
    elif mode == "together":
        from movierec.together import members_from_json

        hits = recommender.together(members_from_json(fields["members"]), **extra)
    else:
        liked, disliked = fields.get("liked", []), fields.get("disliked", [])
        hits = recommender.recommend(liked, disliked, seen=fields.get("seen", []), **extra)
    understood = getattr(hits, "understood", None)
    report = understood.report() if understood is not None else {}
    return {**report, "results": [hit.to_dict() for hit in hits]}


def run_batch(
    recommender: Recommender, lines: Iterable[str | bytes | None]
) -> Iterator[dict[str, Any]]:
    """Answer each non-blank line in order (None: a line too long); a bad line yields
    {"error": ...} and the rest go on."""
    for number, line in enumerate(lines, start=1):
        if line is None:
            yield {"error": f"line {number}: longer than {MAX_LINE_BYTES:,} bytes; send smaller "
                   "requests (split a long profile or text)"}  # fmt: skip
            continue
        if not line.strip():
            continue
        yield _answer_line(recommender, line, number)


def _answer_line(recommender: Recommender, line: str | bytes, number: int) -> dict[str, Any]:
    try:
        request = parse_json(line.rstrip())  # one line: the position is a column
    except JSONInputError as error:
        hint = f"; {error.hint}" if error.hint else ""
        return {"error": f"line {number}: {error}{hint}"}
    try:
        return answer(recommender, request)
    except user_errors() as error:
        return {"error": f"line {number}: {error}"}
    except Exception as error:  # a bug: answer this line, keep the stream going, log it
        LOG.exception("batch line %d failed", number)
        return {"error": f"line {number}: internal error ({type(error).__name__}); please report"}
