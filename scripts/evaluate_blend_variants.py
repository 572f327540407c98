"""EASE variants for the tuned blend, through the engine, on unseen MovieLens users: each alone
and blended with fresh tuned vectors, profile recall@10 over plain EASE alone with a paired
bootstrap 95% interval per seed (docs/tuning.md, "How sure is one seed?"). None of them beat
the shipped EASE (text + metadata) on seeds 3-8; kept so the result can be reproduced.

    PYTHONPATH=. MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_blend_variants.py \\
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \\
        --links ../shared/data/raw/ml-latest-small/links.csv \\
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv --seeds 3,4,5
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse

from movierec.community import (
    CONTENT_WEIGHT,
    FEATURE_WEIGHT,
    CommunityModel,
    binary_likes,
    ease_weights,
    fit_ease,
    fit_item_knn,
)
from movierec.evaluation.community import Community
from movierec.evaluation.metrics import paired_ratio_interval
from movierec.evaluation.systems import Engine
from movierec.evaluation.tuning import case_values, make_split
from movierec.film_features import metadata_features
from movierec.tuning import TrainConfig, adapt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate_tuning import lab_arguments, open_lab, print_means, train

RECALL = "profile_recall@10"


def ease_from_gram(
    likes, ids, side: np.ndarray, user_power: float = 0.0, side_half: float = 0.0
) -> CommunityModel:
    """EASE on XᵀWX + S∘(s sᵀ) + 100 I: W = 1 / likes^`user_power` per user (rescaled to the
    binary trace), s = sqrt(1.5 / (1 + likes / `side_half`)) per film when `side_half` > 0
    (side information for the films with few likes, co-likes for the others), else S as is."""
    ids, matrix = binary_likes(likes, ids)
    per_user = np.asarray(matrix.sum(axis=1)).ravel()
    binary = (matrix.T @ matrix).toarray()
    if user_power:
        weighted = (matrix.T @ sparse.diags(1.0 / per_user**user_power) @ matrix).toarray()
        gram = weighted * (np.trace(binary) / np.trace(weighted))
    else:
        gram = binary
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    if side_half:
        scale = np.sqrt(1.5 / (1.0 + counts / side_half))
        gram += side * scale[:, None] * scale[None, :]
    else:
        gram += side
    return CommunityModel(ids, ease_weights(gram, 100.0), counts.astype(np.int64), "ease")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    lab_arguments(parser, seeds="3,4,5")
    args = parser.parse_args()
    lab = open_lab(args)
    base = lab.base
    ids = base.movies.ids
    vectors = np.asarray(base.bundle.embeddings, dtype=np.float32)
    features = metadata_features(base.bundle.catalog)
    side = CONTENT_WEIGHT * (vectors.astype(np.float64) @ vectors.T.astype(np.float64))
    side += FEATURE_WEIGHT * (features @ features.T).toarray()
    lines = []
    for seed in [int(s) for s in args.seeds.split(",") if s]:
        split = make_split(lab.data, base.bundle.catalog, lab.tags, seed=seed)
        adapter = train(
            base, lab.texts, split, replace(TrainConfig(), seed=seed), lab.catalog_pairs
        )
        tuned = adapt(base, adapter)
        tuned_vectors = np.asarray(tuned.bundle.embeddings, dtype=np.float32)
        train_users = set(split.train_likes)
        seen = {
            u: sorted({*split.train_likes.get(u, []), *lab.data.dislikes.get(u, [])})
            for u in train_users
        }
        both = np.hstack([np.sqrt(CONTENT_WEIGHT) * vectors, np.sqrt(300.0) * tuned_vectors])
        likes = split.train_likes
        variants = {
            "shipped EASE (text + metadata)": fit_ease(
                likes, ids, content=vectors, features=features
            ),
            "trained on likes and dislikes": fit_ease(
                seen, ids, content=vectors, features=features
            ),
            "reading the tuned vectors too": fit_ease(
                likes, ids, content=both, content_weight=1.0, features=features
            ),
            "users weighted 1/sqrt(likes)": ease_from_gram(likes, ids, side, user_power=0.5),
            "side information for rarely liked films": ease_from_gram(
                likes, ids, side, side_half=50
            ),
        }
        knn = fit_item_knn(likes, ids)
        plain = case_values(Community(fit_ease(likes, ids), "ease"), split, RECALL)
        line: dict = {"seed": seed}
        shipped = variants["shipped EASE (text + metadata)"]
        systems = {"shipped EASE, dislikes ignored": Community(shipped, "ease", dislike_weight=0)}
        for name, model in variants.items():
            systems[name] = Community(model, "ease")
            systems[f"tuned blend, {name}"] = Engine(tuned.with_community([knn, model]))
        for name, system in systems.items():
            ratio, low, high = paired_ratio_interval(case_values(system, split, RECALL), plain)
            line[name] = round(ratio, 4)
            line[f"{name} (95%)"] = [round(low, 3), round(high, 3)]
        print(json.dumps(line), flush=True)
        lines.append({k: v for k, v in line.items() if not k.endswith("(95%)")})
    print_means(lines, args.seeds, "profile recall / plain EASE alone")


if __name__ == "__main__":
    main()
