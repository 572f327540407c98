"""`movierec` command line: build, search, similar, recommend, info, batch."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from movierec.community_cli import STORE_HELP
from movierec.errors import USER_ERRORS
from movierec.filters import Filters
from movierec.hits import Hit

LOG = logging.getLogger("movierec")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", help="catalog .csv or .parquet (default: the packaged one)")
    parser.add_argument("--index", dest="index_dir", help="index directory (default: per catalog)")
    parser.add_argument("--model", help="sentence-transformers model name or path")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    parser.add_argument("--verbose", "-v", action="store_true", help="log timings and steps")


def _query_options(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--k", type=int, default=10, help="how many films (default 10)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    group = parser.add_argument_group("filters (applied before the top-k cut)")
    group.add_argument("--genre", action="append", default=[], help="any of these genres")
    group.add_argument("--exclude-genre", action="append", default=[], help="none of these")
    group.add_argument("--year-min", type=int)
    group.add_argument("--year-max", type=int)
    group.add_argument("--min-rating", type=float, help="minimum vote average (0-10)")
    group.add_argument("--min-votes", type=int, help="minimum number of votes")
    group.add_argument("--language", action="append", default=[], help="original language, e.g. en")
    tune = parser.add_argument_group("ranking")
    tune.add_argument("--alpha", type=float, help="meaning vs keywords weight, 0-1")
    tune.add_argument("--fusion", choices=["weighted", "rrf"])
    tune.add_argument("--prior-weight", type=float, help="weight of the popularity/quality prior")
    tune.add_argument("--diversity", type=float, help="MMR diversity, 0 (off) to 1")
    tune.add_argument(
        "--community-weight", type=float, help="weight of the community signal (0 turns it off)"
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    root = argparse.ArgumentParser(prog="movierec", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="index a catalog (incremental: re-encodes changed rows)")
    _common(build)
    build.add_argument(
        "--kind",
        default="flat",
        choices=["flat", "hnsw", "ivf"],
        help="vector index: exact (flat) or approximate (hnsw, ivf)",
    )
    search = sub.add_parser("search", help="films for a mood or description")
    search.add_argument("text", nargs="+")
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
    rec.add_argument("--dislike-weight", type=float, help="how far dislikes push away")
    rec.add_argument("--user", help="also use this saved profile (see `movierec profile`)")
    rec.add_argument("--store", help=STORE_HELP)
    _query_options(rec)
    prof = sub.add_parser("profile", help="show, edit, export or import a saved profile")
    prof.add_argument("user", help="profile name, as in the app")
    prof.add_argument("--like", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--dislike", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--remove", action="extend", nargs="+", default=[], help="titles or ids")
    prof.add_argument("--export", dest="export_file", help="write the profile as JSON here")
    prof.add_argument("--import", dest="import_file", help="add the likes of a JSON profile")
    prof.add_argument("--replace", action="store_true", help="with --import: replace, not add")
    prof.add_argument("--store", help=STORE_HELP)
    prof.add_argument("--json", action="store_true")
    _common(prof)
    info = sub.add_parser("info", help="what the index holds")
    _common(info)
    info.add_argument("--json", action="store_true")
    evaluation = sub.add_parser("eval", help="offline evaluation on MovieLens ratings")
    _common(evaluation)
    from movierec.evaluation.cli import add_arguments

    add_arguments(evaluation)
    batch = sub.add_parser("batch", help="JSON Lines requests on stdin, one JSON line out each")
    _common(batch)
    from movierec.community_cli import add_import_arguments, add_retrain_arguments

    ratings = sub.add_parser("import-ratings", help="store MovieLens ratings as community likes")
    _common(ratings)
    add_import_arguments(ratings)
    retrain = sub.add_parser("retrain", help="fit the community model on every stored profile")
    _common(retrain)
    add_retrain_arguments(retrain)
    return root


def _open(args: argparse.Namespace):
    from movierec.recommender import Recommender

    return Recommender.open(args.catalog, args.index_dir, args.model, show_progress=not args.quiet)


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        genres=tuple(args.genre),
        exclude_genres=tuple(args.exclude_genre),
        year_min=args.year_min,
        year_max=args.year_max,
        min_rating=args.min_rating,
        min_votes=args.min_votes,
        languages=tuple(args.language),
    )


def _tuning(args: argparse.Namespace) -> dict[str, Any]:
    names = ("alpha", "fusion", "prior_weight", "diversity", "dislike_weight", "community_weight")
    return {name: getattr(args, name, None) for name in names}


def ids_of(recommender: Any, values: Sequence[str]) -> list[int]:
    """Titles or numeric ids → ids."""
    movies = recommender.movies
    return [
        int(v) if v.isdigit() and int(v) in movies.row_of else int(movies.ids[movies.find(title=v)])
        for v in values
    ]


def _print_hits(hits: list[Hit], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"results": [h.to_dict() for h in hits]}, indent=2))
        return
    if not hits:
        print("No films match; loosen the filters.")
    for rank, hit in enumerate(hits, start=1):
        year = f" ({hit.year})" if hit.year else ""
        print(f"{rank:>2}. {hit.title}{year}  [{', '.join(hit.genres[:3])}]  score {hit.score:.3f}")
        why = hit.explain()
        if why:
            print(f"    {why}")


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        return _build(args)
    if args.command in ("import-ratings", "retrain"):
        from movierec.community_cli import run_community

        return run_community(args)
    recommender = _open(args)
    if args.command == "eval":
        from movierec.evaluation.cli import run_eval

        return run_eval(recommender, args)
    if args.command == "profile":
        from movierec.profile_cli import run_profile

        return run_profile(recommender, args)
    if args.command == "info":
        info = recommender.info()
        print(json.dumps(info, indent=2) if args.json else _info_text(info))
        return 0
    if args.command == "batch":
        from movierec.batch import run_batch

        for answer in run_batch(recommender, sys.stdin):
            print(json.dumps(answer), flush=True)
        return 0
    common = {"k": args.k, "filters": _filters(args), **_tuning(args)}
    if args.command == "search":
        hits = recommender.search(" ".join(args.text), **common)
    elif args.command == "similar":
        title = " ".join(args.title) or None
        hits = recommender.similar(title, args.id, args.year, args.steer, **common)
    else:
        liked, disliked = ids_of(recommender, args.like), ids_of(recommender, args.dislike)
        if args.user:
            from movierec.store import open_store

            saved = open_store(args.store).profile(args.user)
            known = recommender.movies.row_of
            liked += [i for i in saved.liked if i in known and i not in disliked]
            disliked += [i for i in saved.disliked if i in known and i not in liked]
        hits = recommender.recommend(liked, disliked, **common)
    _print_hits(hits, args.json)
    return 0


def _build(args: argparse.Namespace) -> int:
    from movierec import config
    from movierec.build import build_index
    from movierec.embed import Encoder

    where = config.resolve(catalog=args.catalog, index_dir=args.index_dir, model=args.model)
    _, report = build_index(
        where.catalog,
        where.index_dir,
        Encoder(where.model),
        args.kind,
        show_progress=not args.quiet,
    )
    print(
        f"Indexed {report.movies} movies into {report.directory} in {report.seconds:.1f}s "
        f"({report.encoded} encoded, {report.reused} reused from the previous build)."
    )
    return 0


def _info_text(info: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"movies:     {info['movies']}",
            f"model:      {info['model']} ({info['dimension']} dimensions)",
            f"index:      {info['index']}, vocabulary {info['vocabulary']} terms",
            f"catalog:    {info['catalog'].get('source', '?')}",
            f"built:      {info['built']}",
            f"genres:     {', '.join(info['genres'])}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `movierec` console script; user errors exit with code 2."""
    args = parser().parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
