"""`movierec eval`: the offline evaluation from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from movierec.evaluation.data import load_movielens
from movierec.evaluation.mood import MOOD_BENCHMARK, load_mood_benchmark
from movierec.evaluation.report import bar_chart, table, write_json
from movierec.evaluation.run import evaluate
from movierec.evaluation.systems import Engine, System, baselines
from movierec.recommender import Recommender
from movierec.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ratings", required=True, help="MovieLens ratings.csv")
    parser.add_argument("--links", required=True, help="MovieLens links.csv (movieId → tmdbId)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the 80/20 split")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="movierec-eval", help="folder for results.json, chart.png")
    parser.add_argument(
        "--moods", default=str(MOOD_BENCHMARK), help="mood benchmark JSON ('' to skip)"
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
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def systems_for(recommender: Recommender, args: argparse.Namespace) -> list[System]:
    """Baselines, the engine as shipped (with --set), content-only, and the --grid variants."""
    overrides = {name: _value(value) for name, value in map(_pair, args.set)}
    Settings().with_overrides(**overrides)  # unknown names fail here, before any work
    systems: list[System] = [*baselines(recommender, args.seed)]
    systems.append(Engine(recommender, "engine", overrides))
    systems.append(Engine(recommender, "engine, no prior", {**overrides, "prior_weight": 0.0}))
    for name, values in map(_pair, args.grid):
        for value in values.split(","):
            variant = {**overrides, name: _value(value)}
            Settings().with_overrides(**variant)
            systems.append(Engine(recommender, f"engine, {name}={value}", variant))
    return systems


def run_eval(recommender: Recommender, args: argparse.Namespace) -> int:
    data = load_movielens(args.ratings, args.links, recommender.movies.ids)
    systems = systems_for(recommender, args)
    ids = set(recommender.movies.row_of)
    moods = load_mood_benchmark(args.moods, ids) if args.moods else []
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
