"""Held-out metrics of LoRA-tuned encoders (scripts/finetune_encoder.py) next to the base vectors,
the frozen-vector adapter and the community models, on the same splits as
scripts/evaluate_tuning.py (run name warm<seed> / cold<seed>).

    MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_finetune.py RESULTS/warm0.npz \
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \
        --links ../shared/data/raw/ml-latest-small/links.csv \
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from dataclasses import replace

import numpy as np
from evaluate_tuning import METRICS, TextCache, bench, row, train
from lora_encoder import LoRAEncoder, with_encoder

from movierec.community import fit_ease, fit_item_knn
from movierec.evaluation.community import Community
from movierec.evaluation.mood import load_mood_benchmark
from movierec.evaluation.systems import Engine
from movierec.evaluation.tags import catalog_text_pairs
from movierec.evaluation.tuning import make_split, measure
from movierec.movielens import load_movielens
from movierec.recommender import Recommender
from movierec.tuning import TrainConfig, adapt
from movierec.tuning.pairs import read_tags


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    for name in ("--ratings", "--links", "--tags"):
        parser.add_argument(name, required=True)
    parser.add_argument("--json", default="")
    parser.add_argument("--no-adapter", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import torch

    torch.set_num_threads(1)
    base = Recommender.open(tuned=False).with_community(None)
    texts = TextCache(base.encoder)
    data = load_movielens(args.ratings, args.links, base.movies.ids)
    tag_pairs = read_tags(args.tags, args.links)
    own = catalog_text_pairs(base.bundle.catalog)
    moods = load_mood_benchmark(catalog_ids=set(base.movies.row_of))
    results = {}
    print(f"{'system':<44}" + "".join(f"{m.split('@')[0][:9]:>10}" for m in METRICS))
    for path in args.runs:
        z = np.load(path)
        meta = json.loads(str(z["meta"]))
        kind, seed = re.match(r"(warm|cold)(\d+)", meta["run"]).groups()
        seed = int(seed)
        split = make_split(
            data,
            base.bundle.catalog,
            tag_pairs,
            seed=seed,
            cold_share=0.5 if kind == "cold" else 0.0,
            min_likers=20,
        )
        encoder = LoRAEncoder(
            None, {k: z[k] for k in z.files if k.startswith("lora/")}, meta["alpha"] / meta["rank"]
        )
        vectors = z["vectors"][: len(base.movies.ids)].astype(np.float32)
        lora = with_encoder(base, vectors, encoder, meta)
        ids = base.movies.ids
        models = [fit_item_knn(split.train_likes, ids), fit_ease(split.train_likes, ids)]
        systems = {
            "base content": Engine(base),
            "lora content": Engine(lora),
            "EASE alone": Community(models[1], "ease"),
            "base + community": Engine(base.with_community(models)),
            "lora + community": Engine(lora.with_community(models)),
        }
        if not args.no_adapter:
            adapter = train(base, texts, split, replace(TrainConfig(), seed=seed), own)
            systems["adapter content"] = Engine(adapt(base, adapter))
        for value in (0.25, 1.0):
            systems[f"lora prior_weight={value}"] = Engine(lora, overrides={"prior_weight": value})
        for value in (0.1, 0.6):
            systems[f"lora + community cpw={value}"] = Engine(
                lora.with_community(models), overrides={"community_prior_weight": value}
            )
        for name, system in systems.items():
            scores = measure(system, split)
            if ("content" in name or "prior" in name) and kind == "warm":
                scores |= bench(system, moods)
            results[f"{meta['run']}/{name}"] = scores
            print(row(f"{meta['run']}: {name}", scores), flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
