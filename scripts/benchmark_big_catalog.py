"""Benchmark: a 1M-title catalog served in half the memory (docs/benchmarks.md).

    python scripts/benchmark_big_catalog.py                   # 1M titles, built once, cached
    python scripts/benchmark_big_catalog.py --compare-old     # also the old layout, same run
    python scripts/benchmark_big_catalog.py --size 100000 --json big.json

The synthetic catalog is scripts/benchmark.py's (each film blends two real films: vector,
words, metadata). It is built and saved once under --cache; every measurement then runs in a
fresh subprocess that loads the saved index as `movierec` serves it, so its memory is what a
server holds: RSS after load and after the queries, the peak (VmHWM), and how much of each
memory-mapped file is resident. Query vectors are the real model's, encoded by this parent
process and handed to the child, so the served figures leave the model out; the child loads
the model at the end and reports the process with it too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import mood_queries, synthetic

from movierec.index.bm25 import PRECISIONS, BM25Index, resolve_precision
from movierec.index.dense import DenseIndex, exact_search
from movierec.index.storage import FORMAT_VERSION, IndexBundle, save_index

GOALS = {  # measure -> (comparison, bound)
    "served_rss_mib": ("<=", 2560),
    "hybrid_p50_ms": ("<=", 20),
    "recall_at_10": (">=", 0.95),
    "typeahead_p50_ms": ("<=", 50),
}
LAYOUTS = {  # name -> dense kind, BM25 precision
    "new": ("auto", "auto"),
    "old": ("hnsw", "float64"),
}


def build_cached(cache: Path, size: int, seed: int, layouts: list[str], queries: int) -> Path:
    """Synthetic index directories (one per layout) and the queries with their exact answers."""
    root = cache / f"{size}-seed{seed}-format{FORMAT_VERSION}"
    missing = [name for name in layouts if not (root / name / "manifest.json").exists()]
    query_file = root / f"queries-{queries}.npz"
    if not missing and query_file.exists():
        return root
    from movierec.recommender import Recommender

    base = Recommender.open(tuned=False)  # the default catalog's index: the synthesis source
    print(f"synthesizing {size:,} films ...", flush=True)
    catalog, vectors, bm25 = synthetic(base.bundle, size, seed, precision="float64")
    for name in missing:
        kind, precision = LAYOUTS[name]
        start = time.perf_counter()
        weights = _with_precision(bm25, precision)
        dense = DenseIndex.build(vectors, kind=kind)
        manifest = {
            "model": base.encoder.name,
            "catalog": {"fingerprint": f"synthetic-{size}-{seed}", "rows": size},
        }
        hashes = np.zeros(size, dtype="S32")
        bundle = IndexBundle(
            manifest, catalog, vectors, hashes, dense, weights, base.bundle.tokenizer
        )
        save_index(root / name, bundle)
        print(f"{name} layout ({dense.kind}) built in {time.perf_counter() - start:.0f} s")
    texts = mood_queries(queries)
    query_vectors = base.encoder.encode(texts)
    truth = np.stack([exact_search(vectors, v, 10)[0] for v in query_vectors])
    # Hybrid search encodes what is left once constraints ("90s", "French") are read.
    rest = sorted({base.understand(t).residual for t in texts} - set(texts) - {""})
    np.savez(
        query_file,
        texts=np.array(texts),
        vectors=query_vectors,
        truth=truth,
        residuals=np.array(rest),
        residual_vectors=base.encoder.encode(rest),
    )
    return root


def _with_precision(bm25: BM25Index, precision: str) -> BM25Index:
    """The (float64) synthetic BM25 index with its weights stored at `precision`."""
    params = bm25.params()
    params["precision"] = resolve_precision(precision, params["n_docs"])
    data = bm25.data.astype(PRECISIONS[params["precision"]])
    return BM25Index(bm25.indptr, bm25.indices, data, bm25.vocab, params)


def run_child(directory: Path, query_file: Path, whole_catalog: bool, model: bool) -> dict:
    """Measure one saved index in a fresh process; its JSON result."""
    command = [sys.executable, __file__, "--child", str(directory), "--query-file", str(query_file)]
    command += ["--whole-catalog"] if whole_catalog else []
    command += ["--with-model"] if model else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measuring {directory} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def goals(new: dict) -> dict[str, dict]:
    values = {
        "served_rss_mib": new["memory"]["rss_after_queries_mib"],
        "hybrid_p50_ms": new["latency_ms"]["hybrid"]["p50"],
        "recall_at_10": new["recall_at_10"],
        "typeahead_p50_ms": new["latency_ms"]["typeahead"]["p50"],
    }
    out = {}
    for name, (op, bound) in GOALS.items():
        value = values[name]
        met = value <= bound if op == "<=" else value >= bound
        out[name] = {"value": value, "goal": f"{op} {bound}", "met": met}
    return out


def report(result: dict) -> None:
    rows = [
        ("RSS after load (MiB)", ("memory", "rss_loaded_mib")),
        ("RSS after load + queries (MiB)", ("memory", "rss_after_queries_mib")),
        ("peak RSS, VmHWM (MiB)", ("memory", "vm_hwm_mib")),
        ("  of which Python + libraries (MiB)", ("memory", "rss_start_mib")),
        ("process incl. model (MiB)", ("memory", "rss_with_model_mib")),
        ("resident of mapped index files (MiB)", ("memory", "mapped_resident_mib")),
        ("dense index file (MiB)", ("memory", "dense_file_mib")),
        ("BM25 arrays on disk (MiB)", ("memory", "bm25_mib")),
        ("catalog in memory (MiB, deep)", ("memory", "catalog_mib")),
        ("recall@10 vs exact", ("recall_at_10",)),
        ("hybrid top-10 overlap vs exact", ("hybrid_overlap_vs_exact",)),
        ("load (s)", ("load_s",)),
        ("first query, incl. vocabulary (ms)", ("first_query_ms",)),
    ]
    layouts = result["layouts"]
    print(f"\n== {result['size']:,} titles ==")
    print(f"{'':42s}" + "".join(f"{name:>16s}" for name in layouts))
    for label, path in rows:
        cells = []
        for name in layouts:
            value: object = layouts[name]
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            cells.append(f"{value!s:>16s}")
        print(f"{label:42s}" + "".join(cells))
    for mode in ("hybrid", "hybrid_filtered", "dense", "bm25", "typeahead", "fuzzy_suggest"):
        spread = [layouts[n]["latency_ms"][mode] for n in layouts]
        cells = [f"{ms['p50']:>7.2f} /{ms['p95']:>7.2f}" for ms in spread]
        print(f"{mode + ' p50 / p95 (ms)':42s}" + "".join(f"{c:>16s}" for c in cells))
    for name, ratio in result.get("old_over_new", {}).items():
        print(f"old / new {name:32s}{ratio:>16}")
    print("\n== goals (new layout) ==")
    for name, verdict in result["goals"].items():
        mark = "MET" if verdict["met"] else "MISSED"
        print(f"{name:34s} {verdict['value']!s:>10s}  goal {verdict['goal']:8s} {mark}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="synthetic films")
    parser.add_argument("--queries", type=int, default=200, help="hybrid queries")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/movierec-big-catalog"))
    parser.add_argument("--compare-old", action="store_true", help="also the old layout")
    parser.add_argument("--no-model", action="store_true", help="skip the with-model figure")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--whole-catalog", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--with-model", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from big_catalog_child import measure

        result = measure(args.child, args.query_file, args.whole_catalog, args.with_model)
        print(json.dumps(result))
        return 0
    layouts = ["new", "old"] if args.compare_old else ["new"]
    root = build_cached(args.cache, args.size, args.seed, layouts, args.queries)
    query_file = root / f"queries-{args.queries}.npz"
    result: dict = {"size": args.size, "queries": args.queries, "layouts": {}}
    for name in layouts:
        print(f"measuring the {name} layout in a fresh process ...", flush=True)
        measured = run_child(root / name, query_file, name == "old", not args.no_model)
        result["layouts"][name] = measured
    result["goals"] = goals(result["layouts"]["new"])
    if args.compare_old:
        result["old_over_new"] = ratios(result["layouts"]["old"], result["layouts"]["new"])
    report(result)
    text = json.dumps(result, indent=2)
    print("\n" + text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


def ratios(old: dict, new: dict) -> dict[str, float]:
    """Old layout's figure over the new one's: above 1 means the new layout is smaller/faster."""
    pairs = {
        "served RSS": ("memory", "rss_after_queries_mib"),
        "peak RSS": ("memory", "vm_hwm_mib"),
        "hybrid p50": ("latency_ms", "hybrid", "p50"),
        "fuzzy suggest p50": ("latency_ms", "fuzzy_suggest", "p50"),
    }
    out = {}
    for name, path in pairs.items():
        a, b = old, new
        for key in path:
            a, b = a[key], b[key]
        out[name] = round(a / b, 2) if b else float("nan")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
