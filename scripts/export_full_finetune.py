"""Prepare a full fine-tune of the encoder for a lent GPU (scripts/finetune_full.py runs it).

Writes JOB/ (default gpu_job/, which `.git/info/exclude` should list and `carry` should name):
- model/: the packaged all-MiniLM-L6-v2's configuration and tokenizer;
- weights.npz: its weights in float16, with the rows of word-piece tokens that no exported
  text uses set to zero (they are never read, and zeros compress: 34 MB instead of 45 MB, so
  the job fits the 64 MiB a device call carries);
- pairs.npz: every text as lzma-compressed JSON (catalog documents, the two views of each film,
  tag and keyword texts), `doc_ids` and `view_ids` (catalog row -> text number; -1: no text)
  and per run `run_<name>`: (anchor text, positive text, positive film row) int16 triples, the
  adapter's own pairs for that split (co-likes, train tags, the catalog's keywords and genres).

Runs are `warm<seed>` and `cold<seed>` (the splits scripts/evaluate_tuning.py measures on,
five profile folds, cold: the likes of half the films withheld).

    D=../shared/data/raw/ml-latest-small
    PYTHONPATH=. MOVIEREC_HOME=/tmp/taste-home python scripts/export_full_finetune.py \\
        --ratings $D/ratings.csv --links $D/links.csv --tags $D/tags_dev.csv \\
        --runs warm76,warm77,warm78,cold76,warm79,warm80,warm81
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import shutil
from pathlib import Path

import numpy as np

from movierec.embed.documents import DEFAULT_FIELDS, build_documents
from movierec.embed.model import resolve_model
from movierec.evaluation.tags import catalog_text_pairs
from movierec.evaluation.tuning import make_split
from movierec.movielens import load_movielens
from movierec.recommender import Recommender
from movierec.tuning.pairs import DEFAULT_PAIRS_PER_USER, read_tags
from movierec.tuning.tune import prepare
from movierec.tuning.views import VIEW_FIELDS, view_texts

MODEL_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
)
RUN = re.compile(r"(warm|cold)(\d+)")


class Texts:
    """Numbers texts in the order first seen (catalog documents first)."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.number.setdefault(text, len(self.number))

    def all(self) -> list[str]:
        return list(self.number)


def run_triples(name, data, catalog, tag_pairs, own, doc_ids, texts: Texts) -> np.ndarray:
    """(anchor text, positive text, positive row) of one run's split, as the adapter pairs."""
    match = RUN.fullmatch(name)
    if match is None:
        raise SystemExit(f"run {name!r}: name runs warm<seed> or cold<seed>")
    kind, seed = match.group(1), int(match.group(2))
    split = make_split(
        data, catalog, tag_pairs, seed=seed, min_likers=20, folds=5,
        cold_share=0.5 if kind == "cold" else 0.0,
    )  # fmt: skip
    ids = catalog["id"].to_numpy()
    _, colikes, pairs = prepare(
        ids, split.train_likes, [*split.tags.train_pairs, *own], seed, DEFAULT_PAIRS_PER_USER
    )
    co = np.stack([doc_ids[colikes[:, 0]], doc_ids[colikes[:, 1]], colikes[:, 1]], axis=1)
    numbers = np.array([texts(t) for t in pairs.texts], dtype=np.int64)
    films = pairs.pairs[:, 1]
    tagged = np.stack([numbers[pairs.pairs[:, 0]], doc_ids[films], films], axis=1)
    for case in split.tags.test:  # encoded too, so the tuned model's search can be measured
        texts(case.text)
    return np.concatenate([co, tagged])


def write_pairs(
    job: Path, texts: list[str], doc_ids: np.ndarray, view_ids: np.ndarray, runs: dict
) -> None:
    """JOB/pairs.npz: the texts (lzma JSON), row -> text maps and each run's int16 triples."""
    if len(texts) >= 2**15:
        raise SystemExit(f"{len(texts)} texts do not fit int16 text numbers")
    blob = lzma.compress(json.dumps(texts).encode())
    np.savez_compressed(
        job / "pairs.npz",
        texts=np.frombuffer(blob, dtype=np.uint8),
        doc_ids=np.asarray(doc_ids),
        view_ids=np.asarray(view_ids),
        **{k: np.asarray(v).astype(np.int16) for k, v in runs.items()},
    )


def pack_model(model_dir: Path, all_texts: list[str], job: Path) -> int:
    """Copy the model's configuration; weights as float16 with unused token rows zeroed.
    Returns how many token rows the texts use."""
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    for name in MODEL_FILES:
        (job / "model" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(model_dir / name, job / "model" / name)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    encoded = tokenizer(all_texts, truncation=True, max_length=256)["input_ids"]
    used = np.unique(np.concatenate([np.asarray(ids) for ids in encoded]))
    weights = load_file(model_dir / "model.safetensors")
    table = "embeddings.word_embeddings.weight"
    kept = np.zeros(len(weights[table]), dtype=bool)
    kept[used] = True
    weights[table] = np.where(kept[:, None], weights[table], 0)
    np.savez_compressed(
        job / "weights.npz", **{k: v.astype(np.float16) for k, v in weights.items()}
    )
    return len(used)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--ratings", "--links", "--tags", "--runs"):
        parser.add_argument(name, required=True)
    parser.add_argument("--job", default="gpu_job")
    args = parser.parse_args()
    job = Path(args.job)
    job.mkdir(parents=True, exist_ok=True)
    base = Recommender.open(tuned=False).with_community(None)
    catalog = base.bundle.catalog
    texts = Texts()
    documents = build_documents(catalog, base.bundle.manifest.get("fields", DEFAULT_FIELDS))
    doc_ids = np.array([texts(d) for d in documents])
    view_ids = np.array(
        [[texts(t) if t else -1 for t in view_texts(base.bundle, fields)] for fields in VIEW_FIELDS]
    ).T
    data = load_movielens(args.ratings, args.links, base.movies.ids)
    tag_pairs = read_tags(args.tags, args.links)
    own = catalog_text_pairs(catalog)
    runs = {}
    for name in args.runs.split(","):
        runs[f"run_{name}"] = run_triples(name, data, catalog, tag_pairs, own, doc_ids, texts)
        print(f"{name}: {len(runs[f'run_{name}'])} pairs", flush=True)
    all_texts = texts.all()
    write_pairs(job, all_texts, doc_ids, view_ids, runs)
    used = pack_model(Path(resolve_model(None)), all_texts, job)
    size = sum(f.stat().st_size for f in job.rglob("*") if f.is_file())
    print(f"{len(all_texts)} texts ({used} token rows used) -> {job}: {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
