"""How long tuning's training takes on a CPU and on a GPU: the shipped adapter's recipe (every
shared MovieLens like, tags_dev and the catalog's own text pairs; the document and query maps,
then the similar map, 1,500 steps each) on inputs prepared once, so that a machine with torch
alone (a lent GPU one has no faiss) can run it.

    # here (reads ../shared): base film vectors, encoded texts and the pairs (about 25 MB)
    python scripts/benchmark_tune_device.py export \\
        --ratings ../shared/data/raw/ml-latest-small/ratings.csv \\
        --links ../shared/data/raw/ml-latest-small/links.csv \\
        --tags ../shared/data/raw/ml-latest-small/tags_dev.csv --out build/tune-inputs.npz
    # on any machine with torch: every device there, each in a process of its own
    python scripts/benchmark_tune_device.py run build/tune-inputs.npz
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import types
from dataclasses import asdict
from pathlib import Path

import numpy as np


def export(args: argparse.Namespace) -> None:
    """The arrays `scripts/train_default_adapter.py` trains on, in one .npz."""
    from train_default_adapter import shipped_inputs

    from movierec.tuning.pairs import like_lists, neighbour_pairs
    from movierec.tuning.train import TrainConfig

    config = TrainConfig()
    base, ids, _, likes, colikes, texts = shipped_inputs(
        args.ratings, args.links, args.tags, config.seed
    )
    lists = like_lists(likes, {int(m): r for r, m in enumerate(ids)})
    start = time.perf_counter()
    text_vectors = base.encoder.encode(texts.texts)
    encode_seconds = time.perf_counter() - start
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        args.out,
        documents=np.asarray(base.bundle.embeddings, dtype=np.float32),
        text_vectors=np.asarray(text_vectors, dtype=np.float32),
        colikes=colikes,
        text_pairs=texts.pairs,
        like_rows=lists.rows,
        like_counts=lists.counts,
        similar=neighbour_pairs(likes, ids, config.similar_min_likers),
        meta=json.dumps(
            {
                "model": base.encoder.name,
                "users": len(likes),
                "texts": len(texts.texts),
                "encode_seconds": round(encode_seconds, 1),
            }
        ),
    )
    print(f"{args.out}: {os.path.getsize(args.out) / 1e6:.1f} MB")


def _trainer():
    """movierec.tuning.train without the package's __init__ (which opens the serving stack:
    faiss, …), and with a stand-in for pandas where it is missing (only its CSV readers use it)."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        sys.modules["pandas"] = types.ModuleType("pandas")
    if "movierec.tuning" not in sys.modules:
        import movierec

        package = types.ModuleType("movierec.tuning")
        package.__path__ = [str(Path(movierec.__file__).parent / "tuning")]
        sys.modules["movierec.tuning"] = package
    from movierec.tuning.pairs import LikeLists, TextPairs
    from movierec.tuning.train import TrainConfig, train_adapter

    return LikeLists, TextPairs, TrainConfig, train_adapter


def one(path: str) -> dict:
    """Both maps on this process's device; seconds, loss and a digest of the mapped vectors."""
    import torch

    LikeLists, TextPairs, TrainConfig, train_adapter = _trainer()
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(str(arrays["meta"]))
    config = TrainConfig()
    texts = TextPairs([""] * len(arrays["text_vectors"]), arrays["text_pairs"])
    likes = LikeLists(arrays["like_rows"], arrays["like_counts"])
    docs = arrays["documents"]
    tv = arrays["text_vectors"]
    first = train_adapter(docs, arrays["colikes"], texts, tv, meta["model"], config, likes)
    second = train_adapter(docs, arrays["similar"], texts, tv, meta["model"], config, likes)
    mapped = first.documents(docs[:500])
    device = first.info["train"]["device"]
    return {
        "device": torch.cuda.get_device_name() if device == "cuda" else f"cpu x{os.cpu_count()}",
        "torch_threads": torch.get_num_threads(),
        "steps": [first.info["train"]["steps_done"], second.info["train"]["steps_done"]],
        "seconds": [first.info["seconds"], second.info["seconds"]],
        "loss": [first.info["loss"]["last50"], second.info["loss"]["last50"]],
        "mapped_mean": round(float(np.abs(mapped).mean()), 6),
        "config": {k: v for k, v in asdict(config).items() if k in ("steps", "batch_size")},
    }


def run(args: argparse.Namespace) -> None:
    """Each device in a child process (CPU with CUDA hidden), then the ratio."""
    import torch

    devices = (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]
    lines = []
    for device in devices:
        env = dict(os.environ, **({"CUDA_VISIBLE_DEVICES": ""} if device == "cpu" else {}))
        if args.threads and device == "cpu":
            env["OMP_NUM_THREADS"] = str(args.threads)
        child = subprocess.run(
            [sys.executable, __file__, "one", args.inputs],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            print(f"{device}: failed\n{child.stderr[-3000:]}", file=sys.stderr)
            continue
        line = json.loads(child.stdout.strip().splitlines()[-1])
        lines.append(line)
        print(json.dumps(line), flush=True)
    for line in lines:
        total = sum(line["seconds"])
        print(f"{line['device']:<28} {total:7.1f} s for both maps ({line['steps']} steps)")
    if len(lines) == 2:
        print(f"cpu / gpu: {sum(lines[1]['seconds']) / sum(lines[0]['seconds']):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    out = verbs.add_parser("export", help="write the training inputs (needs ../shared)")
    for name in ("--ratings", "--links", "--tags"):
        out.add_argument(name, required=True)
    out.add_argument("--out", default="build/tune-inputs.npz")
    timed = verbs.add_parser("run", help="train on every device here, each in its own process")
    timed.add_argument("inputs")
    timed.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    child = verbs.add_parser("one", help=argparse.SUPPRESS)
    child.add_argument("inputs")
    args = parser.parse_args()
    if args.verb == "export":
        export(args)
    elif args.verb == "run":
        run(args)
    else:
        print(json.dumps(one(args.inputs)))


if __name__ == "__main__":
    main()
