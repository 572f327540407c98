"""Profile scoring before and after 2026-11-28 (mean liked vector vs power mean over the likes,
one prior weight vs more prior for short profiles), base and tuned vectors, on unseen MovieLens
users; profiles cut to a few likes as well as whole. Prints JSON lines and a table of means.

    PYTHONPATH=. MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_profiles.py \\
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \\
        --links ../shared/data/raw/ml-latest-small/links.csv \\
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv --seeds 12,13,14
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from movierec.community import fit_ease, fit_item_knn
from movierec.evaluation.community import Community
from movierec.evaluation.metrics import recall_at_k
from movierec.evaluation.systems import Engine
from movierec.evaluation.tuning import make_split
from movierec.film_features import metadata_features
from movierec.tuning import TrainConfig, adapt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate_tuning import lab_arguments, open_lab, print_means, train

BEFORE = {"profile_power": 1.0}  # the mean liked vector
TUNED_BEFORE = {  # the tuned engine's profiles then, pinned against later default changes
    "profile_power": 1.0,
    "prior_weight": 0.25,
    "profile_prior_likes": 0,
    "prior_likes": 0.0,
    "community_weight": 2.5,
    "community_prior_weight": 0.0,
}
SIZES = (2, 3, 5, 10, 0)  # 0 = the whole profile


def recall(system, split, size: int, seed: int) -> float:
    """Mean Recall@10 of the held-out likes, each profile cut to `size` random likes."""
    rng = np.random.default_rng(seed)
    values = []
    for case in split.profiles:
        liked = list(case.liked)
        if size:
            if len(liked) < size:
                continue
            liked = rng.permutation(liked)[:size].tolist()
        hits = system.recommend(liked, case.disliked, 10)
        values.append(recall_at_k(hits, set(case.held_out), 10))
    return round(float(np.mean(values)), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lab_arguments(parser)
    parser.add_argument("--no-blend", action="store_true", help="skip the community blends")
    args = parser.parse_args()
    lab = open_lab(args)
    base = lab.base
    ids = base.movies.ids
    content = np.asarray(base.bundle.embeddings, dtype=np.float32)
    lines = []
    for seed in [int(s) for s in args.seeds.split(",") if s]:
        split = make_split(lab.data, base.bundle.catalog, lab.tags, seed=seed)
        config = replace(TrainConfig(), seed=seed)
        tuned = adapt(base, train(base, lab.texts, split, config, lab.catalog_pairs))
        systems = {
            "base, before": Engine(base, overrides=BEFORE),
            "base, now": Engine(base),
            "tuned, before": Engine(tuned, overrides=TUNED_BEFORE),
            "tuned, now": Engine(tuned),
        }
        line: dict = {"seed": seed}
        for name, system in systems.items():
            for size in SIZES:
                line[f"{name} @{size or 'all'}"] = recall(system, split, size, seed)
        if not args.no_blend:
            models = [
                fit_item_knn(split.train_likes, ids),
                fit_ease(
                    split.train_likes,
                    ids,
                    content=content,
                    features=metadata_features(base.bundle.catalog),
                ),
            ]
            line["EASE alone"] = recall(
                Community(fit_ease(split.train_likes, ids), "ease"), split, 0, seed
            )
            for name, engine, before in (
                ("base + community", base, BEFORE),
                ("tuned + community", tuned, TUNED_BEFORE),
            ):
                blend = engine.with_community(models)
                line[f"{name}, before"] = recall(Engine(blend, overrides=before), split, 0, seed)
                line[f"{name}, now"] = recall(Engine(blend), split, 0, seed)
        print(json.dumps(line), flush=True)
        lines.append(line)
    print_means(lines, args.seeds, "profile recall@10")


if __name__ == "__main__":
    main()
