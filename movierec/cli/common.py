"""What every command shares: the common options, locations, opening the recommender, printing.

Command modules import from here and never from each other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from movierec import config
from movierec.settings import COMMUNITY_FUSIONS, FUSIONS, Settings

if TYPE_CHECKING:
    from movierec.embed import Encoder
    from movierec.filters import Filters
    from movierec.hits import Hit
    from movierec.recommender import Recommender

STORE_HELP = (
    "profile database: a SQLite path or a postgresql:// URL (default: $MOVIEREC_STORE or home)"
)
TUNABLE_HELP = {
    "fusion": "how meaning and keyword results are fused",
    "alpha": "meaning vs keywords weight, 0-1",
    "rrf_k": "rank constant of --fusion rrf",
    "prior_weight": "weight of the popularity/quality prior",
    "prior_popularity": "share of popularity (vs rating) in the prior, 0-1",
    "prior_likes": "tuned engine: share of the prior from how many people liked each film, 0-1",
    "dislike_weight": "how far dislikes push away",
    "steer_weight": "how far --but steers the results",
    "diversity": "MMR diversity, 0 (off) to 1",
    "candidates": "films fetched from each index before ranking",
    "community_weight": "weight of the community signal (0 turns it off)",
    "community_prior_weight": "prior weight with the community signal (rank: in content ranks)",
    "community_fusion": "how content and community scores are fused: sum of scores or of ranks",
    "community_rank_k": "rank constant of --community-fusion rank",
    "community_dislike_weight": "profiles: how far dislikes count against the community side",
    "profile_power": "profiles: power mean of the cosines to each like (1 = the average vector)",
    "profile_prior_likes": "profiles with fewer likes weigh the prior more (0 = off)",
    "profile_power_likes": "profile_power is reached at this many likes, from 1 (0 = at once)",
    "unseen_boost": "profiles, tuned engine: bonus for films the tuning saw no like of",
}
TUNABLES = tuple(name for name, _ in Settings.tunables())


def add_locations(parser: argparse.ArgumentParser, store: bool = False) -> None:
    """--catalog, --index, --model (and --store), --quiet and --verbose."""
    parser.add_argument("--catalog", help="catalog .csv or .parquet (default: the packaged one)")
    parser.add_argument("--index", dest="index_dir", help="index directory (default: per catalog)")
    parser.add_argument("--model", help="sentence-transformers model name or path")
    parser.add_argument(
        "--backend",
        help="encoder backend: torch, onnx or onnx-int8 (default: $MOVIEREC_BACKEND; a build "
        "uses torch, a query the backend the index was built with)",
    )
    if store:
        parser.add_argument("--store", help=STORE_HELP)
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    parser.add_argument("--verbose", "-v", action="store_true", help="log timings and steps")


def add_list_options(parser: argparse.ArgumentParser, store: bool = False) -> None:
    """What every command that prints films takes: locations, --k, --json, the filters and the
    ranking settings."""
    add_locations(parser, store=store)
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
    add_tunables(parser)


def add_tunables(parser: argparse.ArgumentParser) -> None:
    """One option per ranking setting of `Settings` (e.g. --prior-weight); unset: the default."""
    group = parser.add_argument_group("ranking")
    defaults = Settings()
    for name, kind in Settings.tunables():
        option = "--" + name.replace("_", "-")
        default = getattr(defaults, name)
        about = TUNABLE_HELP.get(name, name.replace("_", " "))
        choices = {"fusion": FUSIONS, "community_fusion": COMMUNITY_FUSIONS}.get(name)
        group.add_argument(option, type=kind, choices=choices, help=f"{about} ({default})")


def locations(args: argparse.Namespace) -> config.Config:
    """Catalog, index, store and model from the flags, else MOVIEREC_*, else the defaults."""
    return config.resolve(
        catalog=getattr(args, "catalog", None),
        index_dir=getattr(args, "index_dir", None),
        store=getattr(args, "store", None),
        model=getattr(args, "model", None),
        backend=getattr(args, "backend", None),
    )


def make_encoder(model: str | None, backend: str | None = None) -> Encoder:
    """The sentence-transformers encoder of `model` run by `backend` (loaded on first use)."""
    from movierec.embed import Encoder

    return Encoder(model, backend=backend)


def open_recommender(args: argparse.Namespace, tuned: bool = True) -> Recommender:
    """The recommender of the resolved catalog and index, built first if missing or stale
    (with `tuned`, through the adapter `movierec tune` published, if any)."""
    from movierec.recommender import Recommender

    where = locations(args)
    return Recommender.open(
        where.catalog,
        where.index_dir,
        where.model,
        show_progress=not args.quiet,
        tuned=tuned,
        backend=where.backend,
    )


def tuning(args: argparse.Namespace) -> dict[str, Any]:
    """The ranking settings given on the command line."""
    return {name: getattr(args, name, None) for name in TUNABLES}


def ids_of(recommender: Recommender, values: Sequence[str], option: str = "") -> list[int]:
    """Titles or TMDB ids (plain digits 0-9) → ids; a number not in the catalog is tried as a
    title, and what is neither raises TitleNotFoundError prefixed by `option` (e.g. --like)."""
    from movierec.titles import TitleNotFoundError

    movies = recommender.movies
    ids = []
    for value in values:
        if value.isascii() and value.isdigit() and int(value) in movies.row_of:
            ids.append(int(value))
            continue
        try:
            ids.append(int(movies.ids[movies.find(title=value)]))
        except TitleNotFoundError as error:
            error.args = (f"{option} {value!r}: {error}" if option else str(error),)
            raise
        note_namesakes(recommender, value)
    return ids


def note_namesakes(recommender: Recommender, title: str, shown: int = 3) -> None:
    """On stderr, when `title` (given without a year) names several films: which one was taken
    (the most voted) and how to pick another."""
    from movierec.titles import split_year

    if split_year(title.strip())[1] is not None:
        return
    titles = recommender.movies.titles
    rows = titles.namesakes(title)
    if len(rows) < 2:
        return
    others = ", ".join(titles.label(r) for r in rows[1 : 1 + shown])
    more = f" and {len(rows) - 1 - shown:,} more" if len(rows) - 1 > shown else ""
    print(
        f"note: {len(rows)} films are titled {title.strip()!r}; {titles.label(rows[0])} was "
        f"taken, the most voted; for another add its year, e.g. {others}{more}",
        file=sys.stderr,
    )


def filters_of(args: argparse.Namespace) -> Filters:
    from movierec.filters import Filters

    return Filters(
        genres=tuple(args.genre),
        exclude_genres=tuple(args.exclude_genre),
        year_min=args.year_min,
        year_max=args.year_max,
        min_rating=args.min_rating,
        min_votes=args.min_votes,
        languages=tuple(args.language),
    )


def print_hits(hits: list[Hit], as_json: bool) -> None:
    """A table (after the understood constraints of a parsed search), or JSON."""
    understood = getattr(hits, "understood", None)
    if as_json:
        extra = understood.report() if understood is not None else {}
        print(json.dumps({**extra, "results": [h.to_dict() for h in hits]}, indent=2))
        return
    if understood is not None and understood.line():
        print(understood.line())
    if not hits:
        print("No films match; loosen the filters.")
    for rank, hit in enumerate(hits, start=1):
        year = f" ({hit.year})" if hit.year else ""
        print(f"{rank:>2}. {hit.title}{year}  [{', '.join(hit.genres[:3])}]  score {hit.score:.3f}")
        why = hit.explain()
        if why:
            print(f"    {why}")


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"
