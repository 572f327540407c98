"""Held-out profile recall of full encoder fine-tunes (scripts/finetune_full.py), on the splits
scripts/export_full_finetune.py exported them for (run warm<seed> / cold<seed>):

- `fine-tuned alone`: the fine-tuned film vectors with the base engine's settings;
- `stacked`: the shipped recipe (the document map with its views) trained and served on the
  fine-tuned vectors: documents, views and text-pair texts all from the fine-tuned model;
- `shipped recipe`: the same recipe on the base vectors (skip with --no-shipped).

Content only, five profile folds, adapters seeded with the split's seed (docs/tuning.md,
"Full fine-tuning of the encoder, prepared"). About 3 minutes a run and system on 2 cores.

    D=../shared/data/raw/ml-latest-small
    PYTHONPATH=. MOVIEREC_HOME=/tmp/taste-home python scripts/evaluate_full_finetune.py \\
        RESULTS/warm76.npz RESULTS/cold76.npz --job gpu_job \\
        --ratings $D/ratings.csv --links $D/links.csv --tags $D/tags_dev.csv --json ft.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import lzma
import re
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from evaluate_tuning import lab_arguments, open_lab, train

from movierec.evaluation.systems import Engine
from movierec.evaluation.tuning import make_split, user_recall
from movierec.index.dense import DenseIndex
from movierec.recommender import Recommender
from movierec.tuning import TrainConfig
from movierec.tuning.serve import adapt
from movierec.tuning.views import VIEW_FIELDS, views_key


class EncodedTexts:
    """The texts a fine-tuned model encoded on the device, served like evaluate_tuning's
    TextCache; a text the job did not export is refused by name (never encoded by another
    model)."""

    def __init__(self, name: str, texts: list[str], vectors: np.ndarray):
        self.name = name
        self.memo = dict(zip(texts, vectors, strict=True))

    def encode(self, texts, show_progress: bool = False) -> np.ndarray:
        missing = [t for t in texts if t not in self.memo]
        if missing:
            raise KeyError(f"{len(missing)} texts were not encoded on the device: {missing[:3]}")
        return np.stack([self.memo[t] for t in texts])


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def read_run(path: Path, job: Path) -> tuple[dict, list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(meta, texts, vectors of every text, doc_ids, view_ids) of one run's file."""
    with np.load(path) as run:
        vectors = unit(run["q"].astype(np.float32) * run["s"])
        meta = json.loads(str(run["meta"]))
    with np.load(job / "pairs.npz") as pairs:
        texts = json.loads(lzma.decompress(pairs["texts"].tobytes()))
        doc_ids, view_ids = pairs["doc_ids"], pairs["view_ids"]
    if len(vectors) != len(texts):
        raise SystemExit(f"{path}: {len(vectors)} vectors for {len(texts)} texts of {job}")
    return meta, texts, vectors, doc_ids, view_ids


def finetuned(base: Recommender, path: Path, job: Path) -> tuple[dict, Recommender, EncodedTexts]:
    """The base engine with the fine-tuned vectors (films, views, texts) in place of the base
    model's; stored as the product stores them (float16)."""
    meta, texts, vectors, doc_ids, view_ids = read_run(path, job)
    vectors = vectors.astype(np.float16).astype(np.float32)
    bundle = base.bundle
    films = np.ascontiguousarray(vectors[doc_ids])
    views = np.hstack(
        [np.where(ids[:, None] >= 0, vectors[np.maximum(ids, 0)], 0.0) for ids in view_ids.T]
    ).astype(np.float32)
    key = json.dumps(views_key(bundle, base.encoder.name, VIEW_FIELDS))
    tuned = dataclasses.replace(
        bundle,
        manifest={**bundle.manifest, "encoder_finetune": meta},
        embeddings=films,
        dense=DenseIndex.build(films, kind=bundle.dense.kind, **bundle.dense.params),
        views={key: views},
    )
    other = Recommender(tuned, base.encoder, base.settings)
    other.community = base.community
    return meta, other, EncodedTexts(base.encoder.name, texts, vectors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    lab_arguments(parser)
    parser.add_argument("--job", default="gpu_job")
    parser.add_argument("--json", default="")
    parser.add_argument("--no-shipped", action="store_true")
    args = parser.parse_args()
    lab = open_lab(args)
    results: dict[str, dict[str, float]] = {}
    for path in args.runs:
        start = time.time()
        meta, tuned, texts = finetuned(lab.base, Path(path), Path(args.job))
        kind, seed = re.fullmatch(r"(warm|cold)(\d+)", meta["run"]).groups()
        split = make_split(
            lab.data, lab.base.bundle.catalog, lab.tags, seed=int(seed), min_likers=20,
            folds=5, cold_share=0.5 if kind == "cold" else 0.0,
        )  # fmt: skip
        config = replace(TrainConfig(), seed=int(seed), similar_map=False)
        names = ["fine-tuned alone", "stacked"] + ([] if args.no_shipped else ["shipped recipe"])
        res = results.setdefault(meta["run"], {"meta": meta})
        for name in names:
            if name == "fine-tuned alone":
                engine = tuned
            elif name == "stacked":
                engine = adapt(tuned, train(tuned, texts, split, config, lab.catalog_pairs))
            else:
                engine = adapt(
                    lab.base, train(lab.base, lab.texts, split, config, lab.catalog_pairs)
                )
            res[name] = float(np.mean(user_recall(Engine(engine), split)))
            seconds = time.time() - start
            print(f"{meta['run']} {name:<18} {res[name]:.4f} {seconds:.0f}s", flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
