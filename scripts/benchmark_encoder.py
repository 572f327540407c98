"""Encoder backends: build throughput, agreement with torch and evaluation metrics, in one run.

Builds the same films' index (documents, encoding, BM25, FAISS) with each backend, alternating
backends round by round so that machine noise hits all of them alike, and keeps each one's best
round. Prints films/s, the ratio to torch, and the mean/min cosine of each backend's vectors to
torch's (and between every pair). With --eval, also runs `movierec eval` on MovieLens with an
index built by each backend and prints each metric as a ratio to torch's.

    python scripts/benchmark_encoder.py                          # 1000 films, 2 rounds
    python scripts/benchmark_encoder.py --sample 0               # the whole packaged catalog
    python scripts/benchmark_encoder.py --eval --json enc.json   # + MovieLens metrics
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from movierec.catalog import DEFAULT_CATALOG, load_catalog
from movierec.embed import DEFAULT_FIELDS, Encoder, build_documents
from movierec.embed.backends import BACKENDS
from movierec.index.storage import EMBEDDINGS_FILE

RAW = Path(os.environ.get("MOVIEREC_RAW_DATA", "/work/shared/data/raw")) / "ml-latest-small"


def load_encoders(backends: list[str], home: Path) -> tuple[dict[str, Encoder], dict]:
    """One encoder per backend, loaded (ONNX exported into `home` if not cached yet) and warm."""
    encoders, load_s = {}, {}
    for backend in backends:
        start = time.perf_counter()
        encoder = Encoder(backend=backend, home=home)
        encoder.encode(["warm-up: threads and allocator", "a second, longer warm-up text " * 8])
        encoders[backend], load_s[backend] = encoder, round(time.perf_counter() - start, 1)
    return encoders, load_s


def throughput(encoders: dict[str, Encoder], sample: int, rounds: int, chunk: int) -> dict:
    """Films/s per backend on the same documents, encoded as a build encodes them.

    The documents are cut into chunks; each chunk is encoded by every backend in turn (the order
    rotating), `rounds` times, and each backend's best time per chunk is summed. So a burst of
    load from other processes lands on all backends alike and the ratios stay meaningful on a
    shared machine.
    """
    catalog = load_catalog(DEFAULT_CATALOG)
    if 0 < sample < len(catalog):
        catalog = catalog.sample(n=sample, random_state=0).reset_index(drop=True)
    documents = build_documents(catalog, DEFAULT_FIELDS)
    seconds = {b: 0.0 for b in encoders}
    parts: dict[str, list[np.ndarray]] = {b: [] for b in encoders}
    names = list(encoders)
    for n, start in enumerate(range(0, len(documents), chunk)):
        texts = documents[start : start + chunk]
        best = {b: float("inf") for b in names}
        latest: dict[str, np.ndarray] = {}
        for round_ in range(rounds):
            shift = (n + round_) % len(names)
            for backend in names[shift:] + names[:shift]:
                begin = time.perf_counter()
                latest[backend] = encoders[backend].encode(texts)
                best[backend] = min(best[backend], time.perf_counter() - begin)
        for backend in names:
            seconds[backend] += best[backend]
            parts[backend].append(latest[backend])
        print(f"  {start + len(texts)}/{len(documents)} films", flush=True)
    base = seconds.get("torch")
    result = {
        b: {
            "films_per_s": round(len(documents) / s, 1),
            "encode_s": round(s, 2),
            "vs_torch": round(base / s, 2) if base else None,
        }
        for b, s in seconds.items()
    }
    vectors = {b: np.concatenate(p) for b, p in parts.items()}
    summary = {"films": len(documents), "rounds": rounds, "chunk": chunk, "backends": result}
    return {**summary, **agreement(vectors)}


def agreement(vectors: dict[str, np.ndarray]) -> dict:
    """Mean and min cosine between the vectors of every pair of backends."""
    pairs = {}
    for a, b in itertools.combinations(vectors, 2):
        cosine = np.sum(vectors[a] * vectors[b], axis=1)
        pairs[f"{a} vs {b}"] = {"mean": float(cosine.mean()), "min": float(cosine.min())}
    return {"cosine": pairs}


def evaluate(backends: list[str], home: Path, ratings: Path, links: Path) -> dict:
    """`movierec eval` with an index built by each backend; metrics and their ratio to torch,
    and the cosines between the backends' vectors of the whole catalog (a backend compatible with
    torch reuses the shipped torch vectors, so only its queries are its own)."""
    scores = {}
    for backend in backends:
        out = home / f"eval-{backend}"
        options = {
            "--backend": backend,
            "--index": home / f"index-{backend}",
            "--ratings": ratings,
            "--links": links,
            "--out": out,
        }
        flags = [str(part) for pair in options.items() for part in pair]
        command = [sys.executable, "-m", "movierec.cli", "eval", "--quiet", *flags]
        start = time.perf_counter()
        subprocess.run(
            command,
            check=True,
            env={**os.environ, "MOVIEREC_HOME": str(home)},
            stdout=subprocess.DEVNULL,
        )
        print(f"  eval {backend}: {time.perf_counter() - start:.0f}s", flush=True)
        scores[backend] = json.loads((out / "results.json").read_text())["scores"]["engine"]
    ratios = {
        b: {
            m: round(v / scores["torch"][m], 4) if scores["torch"][m] else None
            for m, v in s.items()
        }
        for b, s in scores.items()
    }
    vectors = {b: np.load(home / f"index-{b}" / EMBEDDINGS_FILE) for b in backends}
    return {"engine": scores, "vs_torch": ratios, "catalog": agreement(vectors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1000, help="films to encode (0: all)")
    parser.add_argument("--rounds", type=int, default=2, help="times each chunk is encoded")
    parser.add_argument("--chunk", type=int, default=200, help="films per timed chunk")
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--eval", action="store_true", help="also run `movierec eval` per backend")
    parser.add_argument("--ratings", type=Path, default=RAW / "ratings.csv")
    parser.add_argument("--links", type=Path, default=RAW / "links.csv")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args()
    import torch

    with tempfile.TemporaryDirectory(prefix="movierec-bench-encoder-") as work:
        home = Path(work)
        encoders, load_s = load_encoders(args.backends, home)
        result = {
            "machine": {
                "cpus": os.cpu_count(),
                "torch_threads": torch.get_num_threads(),
                "python": platform.python_version(),
            },
            "load_and_export_s": load_s,
            "throughput": throughput(encoders, args.sample, args.rounds, args.chunk),
        }
        print(json.dumps(result, indent=2), flush=True)
        if args.eval:
            result["eval"] = evaluate(args.backends, home, args.ratings, args.links)
            print(json.dumps(result["eval"], indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
