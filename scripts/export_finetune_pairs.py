"""Export the training data of an encoder fine-tune (scripts/finetune_encoder.py) as one .npz:
the texts (catalog documents first, then tag/keyword texts) and, per run, (anchor text, positive
text, positive film row) triples. Runs: seeds 0-2 of the user/tag split (warm), seed 0 with half
the films cold, and `full` (every like and every tag, for the shipped adapter). The splits are
the ones scripts/evaluate_tuning.py measures on (movierec.evaluation.tuning.make_split).

    MOVIEREC_HOME=/tmp/taste-home python scripts/export_finetune_pairs.py \
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \
        --links ../shared/data/raw/ml-latest-small/links.csv \
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv --out gpu_job/pairs.npz
"""

from __future__ import annotations

import argparse

import numpy as np

from movierec.embed.documents import DEFAULT_FIELDS, build_documents
from movierec.evaluation.tags import catalog_text_pairs
from movierec.evaluation.tuning import make_split
from movierec.movielens import load_movielens
from movierec.recommender import Recommender
from movierec.tuning.pairs import read_tags
from movierec.tuning.tune import prepare

PER_USER = 50  # as in the measured LoRA runs (docs/tuning.md); tuning now uses 300


def triples(ids, likes, tags, seed: int, texts: dict[str, int], n_docs: int) -> np.ndarray:
    """(anchor text, positive text, positive row): co-likes as document pairs, tags as
    (tag text, document) pairs; tag texts are numbered after the documents."""
    _, colikes, pairs = prepare(ids, likes, tags, seed, PER_USER)
    rows = [np.stack([colikes[:, 0], colikes[:, 1], colikes[:, 1]], axis=1)]
    numbers = np.array([texts.setdefault(t, n_docs + len(texts)) for t in pairs.texts])
    if len(pairs):
        film = pairs.pairs[:, 1]
        rows.append(np.stack([numbers[pairs.pairs[:, 0]], film, film], axis=1))
    return np.concatenate(rows).astype(np.int32)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--ratings", "--links", "--tags", "--out"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    base = Recommender.open(tuned=False).with_community(None)
    catalog = base.bundle.catalog
    ids = catalog["id"].to_numpy()
    documents = build_documents(catalog, base.bundle.manifest.get("fields", DEFAULT_FIELDS))
    data = load_movielens(args.ratings, args.links, base.movies.ids)
    tag_pairs = read_tags(args.tags, args.links)
    own = catalog_text_pairs(catalog)
    texts: dict[str, int] = {}
    runs = {}
    for seed, cold in ((0, 0.0), (1, 0.0), (2, 0.0), (0, 0.5)):
        split = make_split(data, catalog, tag_pairs, seed=seed, cold_share=cold, min_likers=20)
        name = f"{'cold' if cold else 'warm'}{seed}"
        runs[name] = triples(
            ids, split.train_likes, [*split.tags.train_pairs, *own], seed, texts, len(documents)
        )
    runs["full"] = triples(ids, data.likes, [*tag_pairs, *own], 0, texts, len(documents))
    all_texts = documents + sorted(texts, key=texts.get)
    for name, array in runs.items():
        print(name, len(array), "triples")
    np.savez_compressed(
        args.out,
        texts=np.array(all_texts),
        n_docs=len(documents),
        **{f"run_{k}": v for k, v in runs.items()},
    )
    print(len(all_texts), "texts,", len(documents), "documents ->", args.out)


if __name__ == "__main__":
    main()
