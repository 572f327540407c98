"""Films nobody liked during tuning, in profiles: the tuned engine with `unseen_boost` values
against the base engine, on unseen MovieLens users. Prints JSON lines and a table of means.

- warm split: profile recall@10 of the tuned engine, and of its community blend over EASE alone;
- cold split (the likes of a random half of the films withheld from tuning): recall@10 of the
  held-out likes of those films only ("cold held-out") and of all held-out likes ("all").

    PYTHONPATH=. MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_unseen_boost.py \\
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
from movierec.evaluation.systems import Engine
from movierec.evaluation.tuning import make_split, measure
from movierec.film_features import metadata_features
from movierec.tuning import TrainConfig, adapt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate_tuning import lab_arguments, open_lab, print_means, train

PROFILE = ("profile_recall@10",)


def recall(system, split) -> float:
    return measure(system, split, parts=PROFILE)[PROFILE[0]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lab_arguments(parser)
    parser.add_argument("--boosts", default="0,0.01,0.02", help="unseen_boost values")
    args = parser.parse_args()
    lab = open_lab(args)
    base = lab.base
    boosts = [float(b) for b in args.boosts.split(",")]
    ids = base.movies.ids
    content = np.asarray(base.bundle.embeddings, dtype=np.float32)
    lines = []
    for seed in [int(s) for s in args.seeds.split(",") if s]:
        config = replace(TrainConfig(), seed=seed)
        warm = make_split(lab.data, base.bundle.catalog, lab.tags, seed=seed)
        cold = make_split(lab.data, base.bundle.catalog, lab.tags, seed=seed, cold_share=0.5)
        every = replace(cold, profiles=warm.profiles)  # the same users, all their held-out likes
        line: dict = {"seed": seed}
        tuned = adapt(base, train(base, lab.texts, warm, config, lab.catalog_pairs))
        models = [
            fit_item_knn(warm.train_likes, ids),
            fit_ease(
                warm.train_likes,
                ids,
                content=content,
                features=metadata_features(base.bundle.catalog),
            ),
        ]
        ease = recall(Community(fit_ease(warm.train_likes, ids), "ease"), warm)
        line["base, warm"] = recall(Engine(base), warm)
        line["base, cold held-out"] = recall(Engine(base), cold)
        line["base, cold split, all"] = recall(Engine(base), every)
        tuned_cold = adapt(base, train(base, lab.texts, cold, config, lab.catalog_pairs))
        for boost in boosts:
            name = f"tuned, boost {boost:g}"
            over = {"unseen_boost": boost}
            line[f"{name}, warm"] = recall(Engine(tuned, overrides=over), warm)
            blend = Engine(tuned.with_community(models), overrides=over)
            line[f"{name}, blend / EASE"] = round(recall(blend, warm) / ease, 4)
            line[f"{name}, cold held-out"] = recall(Engine(tuned_cold, overrides=over), cold)
            line[f"{name}, cold split, all"] = recall(Engine(tuned_cold, overrides=over), every)
        print(json.dumps(line), flush=True)
        lines.append(line)
    print_means(lines, args.seeds, "profile recall@10")


if __name__ == "__main__":
    main()
