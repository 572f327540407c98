"""`movierec eval`: the offline evaluation on MovieLens ratings, from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movierec.cli.common import add_locations, open_recommender
from movierec.errors import UsageError
from movierec.settings import Settings

if TYPE_CHECKING:
    from movierec.community import CommunityModel
    from movierec.evaluation.systems import System
    from movierec.movielens import Interactions
    from movierec.recommender import Recommender


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="offline evaluation on MovieLens ratings")
    add_locations(parser)
    parser.add_argument("--ratings", required=True, help="MovieLens ratings.csv")
    parser.add_argument("--links", required=True, help="MovieLens links.csv (movieId → tmdbId)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the 80/20 split")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="movierec-eval", help="folder for results.json, chart.png")
    parser.add_argument(
        "--moods", help="mood benchmark JSON (default: the packaged one; '' to skip)"
    )
    parser.add_argument(
        "--community-split",
        type=float,
        metavar="SHARE",
        help="train the community models (item-kNN, EASE) on 1-SHARE of the users and evaluate "
        "on the other SHARE, next to the content-only engine, e.g. 0.5",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a ranking setting of the engine, e.g. --set prior_weight=0.5",
    )
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="also evaluate the engine with each value, e.g. --grid dislike_weight=0,0.5,1",
    )
    parser.set_defaults(run=run_eval)


def _value(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def systems_for(
    recommender: Recommender, args: argparse.Namespace, community: Sequence[CommunityModel] = ()
) -> list[System]:
    """Baselines, the engine as shipped (with --set), content-only, and the --grid variants;
    with community models, also each model alone and the engine blending them."""
    from movierec.evaluation.community import Community
    from movierec.evaluation.systems import Engine, baselines

    overrides = {name: _value(value) for name, value in map(_pair, args.set)}
    Settings().with_overrides(**overrides)  # unknown names fail here, before any work
    content = recommender.with_community(None)  # never a model trained on the test users
    engine = recommender.with_community(list(community)) if community else content
    systems: list[System] = [*baselines(recommender, args.seed)]
    if community:
        systems.append(Engine(content, "content only", overrides))
        systems.extend(Community(model, model.kind) for model in community)
        systems.append(Engine(engine, "engine", overrides))
    else:
        systems.append(Engine(content, "engine", overrides))
        systems.append(Engine(content, "engine, no prior", {**overrides, "prior_weight": 0.0}))
    for name, values in map(_pair, args.grid):
        for value in values.split(","):
            variant = {**overrides, name: _value(value)}
            Settings().with_overrides(**variant)
            systems.append(Engine(engine, f"engine, {name}={value}", variant))
    return systems


def community_models(train: Interactions, ids: Sequence[int]) -> list[CommunityModel]:
    """The models `movierec retrain` fits, on the training users only."""
    from movierec.community import EASE_MAX_ITEMS, fit_ease, fit_item_knn

    models = [fit_item_knn(train.likes, ids)]
    if len(ids) <= EASE_MAX_ITEMS:
        models.append(fit_ease(train.likes, ids))
    return models


def run_eval(args: argparse.Namespace) -> int:
    from movierec.evaluation.community import split_users
    from movierec.evaluation.mood import MOOD_BENCHMARK, load_mood_benchmark
    from movierec.evaluation.report import bar_chart, table, write_json
    from movierec.evaluation.run import evaluate
    from movierec.movielens import load_movielens

    if args.community_split is not None and not 0.0 < args.community_split < 1.0:
        raise UsageError(f"--community-split must be between 0 and 1, got {args.community_split}")
    recommender = open_recommender(args)
    data = load_movielens(args.ratings, args.links, recommender.movies.ids)
    models: list[CommunityModel] = []
    if args.community_split is not None:
        train, data = split_users(data, test_share=args.community_split, seed=args.seed)
        models = community_models(train, recommender.movies.ids)
    systems = systems_for(recommender, args, models)
    ids = set(recommender.movies.row_of)
    path = MOOD_BENCHMARK if args.moods is None else args.moods
    moods = load_mood_benchmark(path, ids) if path else []
    result = evaluate(
        systems, data, seed=args.seed, k=args.k, show_progress=not args.quiet, moods=moods
    )
    result.settings = {**recommender.settings.__dict__, "unknown_movies": data.unknown_movies}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(result, out / "results.json")
    bar_chart(result, out / "chart.png")
    print(table(result))
    print(f"\nwrote {out / 'results.json'} and {out / 'chart.png'}")
    return 0
