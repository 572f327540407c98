"""Watch together on MovieLens pairs: min-recall and mean recall of every group method.

    python scripts/evaluate_together.py --ratings ../shared/data/raw/ml-latest-small/ratings.csv \
        --links ../shared/data/raw/ml-latest-small/links.csv --seeds 0 1 2 --pairings 5

Per seed, the users are split in half (as `movierec eval --community-split 0.5`): the community
models are fitted on one half, and the other half is paired at random (`--pairings` times) and
evaluated. Run from the repository root with PYTHONPATH=. (or with movierec installed).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from movierec.cli.evaluate import community_models
from movierec.evaluation.community import split_users
from movierec.evaluation.together import GroupResult, evaluate_groups
from movierec.movielens import load_movielens
from movierec.recommender import Recommender
from movierec.together import DEFAULT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", required=True)
    parser.add_argument("--links", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--pairings", type=int, default=5, help="random pairings per seed")
    parser.add_argument("--content-only", action="store_true", help="no community models")
    args = parser.parse_args()
    # the base vectors: the packaged catalog's shipped adapter learnt from these very users
    recommender = Recommender.open(show_progress=False, tuned=False)
    data = load_movielens(args.ratings, args.links, recommender.movies.ids)
    results = []
    for seed in args.seeds:
        start = time.perf_counter()
        train, test = split_users(data, test_share=0.5, seed=seed)
        models = [] if args.content_only else community_models(train, recommender.movies.ids)
        engine = recommender.with_community(models or None)
        results.append(evaluate_groups(engine, test, seed=seed, k=args.k, pairings=args.pairings))
        print(f"seed {seed}: {results[-1].pairs} pairs, {time.perf_counter() - start:.0f} s")
    print(table(results))
    print(paired(results, f"together: {DEFAULT}, rank"))


def table(results: list[GroupResult]) -> str:
    """Markdown: per method, min-recall and mean recall on each seed and their mean."""
    k = results[0].k
    seeds = " | ".join(f"seed {r.seed} ({r.pairs} pairs)" for r in results)
    lines = [
        f"| method | {seeds} | mean |",
        "|---" * (len(results) + 2) + "|",
    ]
    for name in results[0].min_recall:
        lows = [r.min_recall[name] for r in results]
        means = [r.mean_recall[name] for r in results]
        cells = " | ".join(f"{lo:.4f} / {me:.4f}" for lo, me in zip(lows, means, strict=True))
        lines.append(f"| {name} | {cells} | {np.mean(lows):.4f} / {np.mean(means):.4f} |")
    lines.append(f"\ncells: mean min-recall@{k} / mean recall@{k} of the two members")
    return "\n".join(lines)


def paired(results: list[GroupResult], method: str) -> str:
    """`method` minus each other method in min-recall, pair by pair over every seed: the mean
    difference, its standard error, and the share of pairs where `method` wins / loses."""
    ours = np.concatenate([r.per_pair[method] for r in results])
    lines = [f"\npaired min-recall@{results[0].k} differences of {method} ({len(ours)} pairs):"]
    for name in results[0].per_pair:
        if name == method:
            continue
        diff = ours - np.concatenate([r.per_pair[name] for r in results])
        error = diff.std(ddof=1) / np.sqrt(len(diff))
        lines.append(
            f"  vs {name}: {diff.mean():+.4f} ± {error:.4f}, "
            f"better on {np.mean(diff > 0):.0%}, worse on {np.mean(diff < 0):.0%} of pairs"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
