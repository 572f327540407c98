"""Short profiles, the ones a new user starts with: base vs tuned vectors, content only.

Per seed: the user split of scripts/evaluate_tuning.py; an adapter trained on the training
users' likes and tags (as `movierec tune` trains it); each test user's profile is 2, 3 or 5 of
their likes drawn at random, the rest held out; recall@10 (held-out likes found in the top 10,
over min(10, held out)) for the base and the tuned engine. About 4 minutes a seed on 2 cores.

    D=../shared/data/raw/ml-latest-small
    PYTHONPATH=. MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_short_profiles.py \\
        --ratings $D/ratings.csv --links $D/links.csv --tags $D/tags_dev.csv --seeds 12,13,14,15
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import numpy as np
from evaluate_tuning import lab_arguments, open_lab, train

from movierec.evaluation.tuning import make_split
from movierec.tuning import TrainConfig
from movierec.tuning.serve import adapt

LENGTHS = (2, 3, 5)


def main() -> None:
    parser = argparse.ArgumentParser()
    lab_arguments(parser)
    args = parser.parse_args()
    lab = open_lab(args)
    base, lines = lab.base, []
    for seed in [int(s) for s in args.seeds.split(",")]:
        split = make_split(lab.data, base.bundle.catalog, lab.tags, seed=seed)
        config = replace(TrainConfig(), seed=seed)
        engines = {
            "base": base,
            "tuned": adapt(base, train(base, lab.texts, split, config, lab.catalog_pairs)),
        }
        rng = np.random.default_rng(seed)
        line: dict = {"seed": seed}
        for length in LENGTHS:
            recall: dict[str, list[float]] = {name: [] for name in engines}
            for case in split.profiles:
                likes = [*case.liked, *case.held_out]
                profile = [likes[i] for i in rng.choice(len(likes), length, replace=False)]
                held = set(likes) - set(profile)
                for name, engine in engines.items():
                    found = {hit.id for hit in engine.recommend(profile, [], k=10)} & held
                    recall[name].append(len(found) / min(10, len(held)))
            line[length] = {name: round(float(np.mean(v)), 4) for name, v in recall.items()}
        lines.append(line)
        print(json.dumps(line), flush=True)
    for length in LENGTHS:
        means = {
            name: np.mean([line[length][name] for line in lines]) for name in ("base", "tuned")
        }
        print(
            f"{length} likes: base {means['base']:.3f}, tuned {means['tuned']:.3f} "
            f"({means['tuned'] / means['base']:.2f}x), mean of seeds {args.seeds}"
        )


if __name__ == "__main__":
    main()
