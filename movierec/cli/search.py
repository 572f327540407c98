"""`movierec build`, `search`, `similar`, `recommend` and `info`: the index and its queries."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from movierec.cli.common import (
    add_list_options,
    add_locations,
    filters_of,
    ids_of,
    locations,
    make_encoder,
    note_namesakes,
    open_recommender,
    print_hits,
    tuning,
)
from movierec.errors import UsageError

if TYPE_CHECKING:
    from movierec.store import Profile


def register(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser("build", help="index a catalog (incremental: re-encodes changed rows)")
    add_locations(build)
    build.add_argument(
        "--kind",
        default="auto",
        choices=["auto", "flat", "hnsw", "ivf", "ivf_sq", "hnsw_sq"],
        help="vector index: exact (flat) or approximate (hnsw, ivf; ivf_sq and hnsw_sq hold each "
        "vector once, as 8-bit codes re-ranked exactly); auto: flat up to 200,000 films, else "
        "ivf_sq",
    )
    build.set_defaults(run=run_build)
    search = sub.add_parser("search", help="films for a mood or description")
    search.add_argument("text", nargs="+")
    search.add_argument(
        "--no-parse",
        dest="parse",
        action="store_false",
        help="search the words as typed; don't read years, genres, people… as filters",
    )
    _query_options(search)
    similar = sub.add_parser("similar", help="films like a title")
    similar.add_argument("title", nargs="*", help="title, e.g. 'Heat' or 'Heat (1995)'")
    similar.add_argument("--id", type=int, help="TMDB id instead of a title")
    similar.add_argument("--year", type=int, help="release year, to tell remakes apart")
    similar.add_argument("--but", dest="steer", help="steer the results, e.g. 'but funnier'")
    _query_options(similar)
    rec = sub.add_parser("recommend", help="films for a profile of liked/disliked titles")
    rec.add_argument("--like", action="extend", nargs="+", default=[], help="titles or ids")
    rec.add_argument("--dislike", action="extend", nargs="+", default=[], help="titles or ids")
    rec.add_argument(
        "--seen", action="extend", nargs="+", default=[], help="titles or ids never to recommend"
    )
    rec.add_argument(
        "--user", help="also use this saved profile, its seen films too (see `movierec profile`)"
    )
    _query_options(rec, store=True)
    info = sub.add_parser("info", help="what the index holds")
    add_locations(info)
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=run_info)


def _query_options(parser: argparse.ArgumentParser, store: bool = False) -> None:
    add_list_options(parser, store=store)
    parser.set_defaults(run=run_query)


def run_build(args: argparse.Namespace) -> int:
    from movierec.build import build_index

    where = locations(args)
    _, report = build_index(
        where.catalog,
        where.index_dir,
        make_encoder(where.model, where.backend),
        args.kind,
        show_progress=not args.quiet,
    )
    print(
        f"Indexed {report.movies} movies into {report.directory} in {report.seconds:.1f}s "
        f"({report.encoded} encoded, {report.reused} reused from the previous build; "
        f"encoder backend {report.backend})."
    )
    return 0


def run_query(args: argparse.Namespace) -> int:
    """`search`, `similar` or `recommend`: print the ranked films."""
    recommender = open_recommender(args)
    common = {"k": args.k, "filters": filters_of(args), **tuning(args)}
    if args.command == "search":
        hits = recommender.search(" ".join(args.text), parse=args.parse, **common)
    elif args.command == "similar":
        title = " ".join(args.title) or None
        hits = recommender.similar(title, args.id, args.year, args.steer, **common)
        if title and args.id is None and args.year is None:
            note_namesakes(recommender, title)
    else:
        liked = ids_of(recommender, args.like, "--like")
        disliked = ids_of(recommender, args.dislike, "--dislike")
        seen = ids_of(recommender, args.seen, "--seen")
        recommender.check_not_both(liked, disliked, seen)
        if args.user is not None:  # what the command line gives wins over the saved profile
            saved = _saved_profile(args)
            known = recommender.movies.row_of
            given = {*liked, *disliked, *seen}
            liked += [i for i in saved.liked if i in known and i not in given]
            disliked += [i for i in saved.disliked if i in known and i not in given]
            seen += [i for i in saved.seen if i in known and i not in given]
        hits = recommender.recommend(liked, disliked, seen=seen, **common)
    print_hits(hits, args.json)
    return 0


def _saved_profile(args: argparse.Namespace) -> Profile:
    """The saved profile `--user` names; UsageError when no profile has that name."""
    from movierec.store import check_user, open_store

    name = check_user(args.user)
    store = open_store(locations(args).store, create=False)
    if not store.has_user(name):
        raise UsageError(
            f"--user {name!r}: no saved profile has that name; create one with "
            f"`movierec profile {name} --like TITLE`"
        )
    return store.profile(name)


def run_info(args: argparse.Namespace) -> int:
    info = open_recommender(args).info()
    print(json.dumps(info, indent=2) if args.json else _info_text(info))
    return 0


def _info_text(info: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"movies:     {info['movies']}",
            f"model:      {info['model']} ({info['dimension']} dimensions, "
            f"{info['backend']} backend)",
            f"index:      {info['index']}, vocabulary {info['vocabulary']} terms",
            f"catalog:    {info['catalog'].get('source', '?')}",
            f"built:      {info['built']}",
            f"taste:      {info['taste_model']}",
            f"genres:     {', '.join(info['genres'])}",
        ]
    )
