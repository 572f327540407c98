"""`movierec together NAME NAME [...]`: films for a group of saved profiles."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from movierec.cli.common import (
    add_list_options,
    filters_of,
    locations,
    open_recommender,
    tuning,
)
from movierec.errors import UsageError

if TYPE_CHECKING:
    from movierec.together import GroupHit


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("together", help="films for two or more saved profiles together")
    parser.add_argument("names", nargs="+", metavar="NAME", help="profile names (at least two)")
    add_list_options(parser, store=True)
    parser.set_defaults(run=run_together)


def run_together(args: argparse.Namespace) -> int:
    """Read each named profile from the store, then print the group's films."""
    from movierec.store import open_store
    from movierec.together import members_from_store

    if len(args.names) < 2:
        raise UsageError("name at least two profiles, e.g. `movierec together alex sam`")
    store = open_store(locations(args).store, create=False)
    recommender = open_recommender(args)
    members = members_from_store(store, recommender.movies, args.names)
    hits = recommender.together(members, k=args.k, filters=filters_of(args), **tuning(args))
    print_group(hits, [m.name for m in members], args.json)
    return 0


def print_group(hits: list[GroupHit], names: Sequence[str], as_json: bool) -> None:
    if as_json:
        print(
            json.dumps({"members": list(names), "results": [h.to_dict() for h in hits]}, indent=2)
        )
        return
    print(f"Together: {', '.join(names)}")
    if not hits:
        print("No films match; loosen the filters.")
    for rank, hit in enumerate(hits, start=1):
        year = f" ({hit.year})" if hit.year else ""
        genres = ", ".join(hit.genres[:3])
        print(f"{rank:>2}. {hit.title}{year}  [{genres}]")
        print(f"    {hit.explain()}")
