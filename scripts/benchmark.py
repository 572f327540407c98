"""Benchmarks: build throughput, query latency per mode, scale to 100k and 1M titles, memory.

Every goal is a ratio or a bound measured in this one run, on this machine:

    python scripts/benchmark.py                      # everything (about 25 minutes on 2 cores)
    python scripts/benchmark.py --sizes 100000       # skip the 1M catalog
    python scripts/benchmark.py --json bench.json    # also write the JSON to a file

Synthetic catalogs are made from the default catalog: each synthetic film mixes two real films
(its vector is a noisy blend of their embeddings, its keywords the union of their words), so the
vectors and the vocabulary keep the shape of real data.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np
import pandas as pd
from scipy import sparse

from movierec.build import build_bundle
from movierec.catalog import DEFAULT_CATALOG, load_catalog
from movierec.embed import DEFAULT_FIELDS, Encoder, build_documents
from movierec.index.bm25 import BM25Index, count_terms
from movierec.index.dense import DenseIndex
from movierec.index.storage import IndexBundle
from movierec.recommender import Recommender

MOODS = [
    "a cozy feel-good film for a rainy Sunday",
    "heist with a twist",
    "mind-bending science fiction about dreams and memory",
    "a tearjerker about a dying parent",
    "funny road trip with friends",
    "dark psychological thriller with an unreliable narrator",
    "animated adventure for the whole family",
    "epic war drama with huge battles",
    "romantic comedy set in New York",
    "space exploration and first contact with aliens",
    "gritty crime story about the mafia",
    "a sports underdog who wins against the odds",
    "haunted house horror that is genuinely scary",
    "courtroom drama about an innocent man",
    "superheroes saving the world",
    "coming of age story in high school",
    "a musical with great songs and dancing",
    "survival in the wilderness after a plane crash",
    "political conspiracy and journalists uncovering the truth",
    "time travel paradox",
    "zombie apocalypse with dark humour",
    "true story of a scientist who changed the world",
    "slow and beautiful film about loneliness",
    "revenge western in the desert",
    "spy thriller with car chases across Europe",
]
VARIANTS = ["", " tonight", " please", " for a long evening", " with great acting", " classic"]
GOALS = {
    "build_vs_raw_encode": ">= 0.9",
    "mood_vs_raw_encode_plus_faiss": "<= 1.5",
    "similar_p50_ms_default": "<= 5",
    "profile_p50_ms_default": "<= 5",
    "hybrid_p50_ms_1m": "<= 50",
    "hnsw_recall_at_10_1m": ">= 0.95",
    "bm25_p50_ms_100k": "<= 5",
}


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of latencies in milliseconds."""
    values = np.asarray(values_ms)
    return {
        "p50": round(float(np.percentile(values, 50)), 3),
        "p95": round(float(np.percentile(values, 95)), 3),
    }


def timed(call: Callable[[], object]) -> float:
    """Milliseconds one call takes."""
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def rss_mb() -> float:
    """Resident memory of this process in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def mood_queries(n: int) -> list[str]:
    """n distinct mood texts, so that no query is answered from the encoder's cache."""
    texts = [mood + variant for variant in VARIANTS for mood in MOODS]
    return [f"{texts[i % len(texts)]}{'!' * (i // len(texts))}" for i in range(n)]


# -- default catalog ---------------------------------------------------------------------------


def bench_build(encoder: Encoder, catalog: pd.DataFrame, sample: int, repeats: int) -> dict:
    """Full build vs raw SentenceTransformer.encode on the same texts, alternated, best of each.

    Alternating raw and full runs on the same sample makes the ratio robust to machine noise.
    """
    subset = catalog.sample(n=min(sample, len(catalog)), random_state=0).reset_index(drop=True)
    documents = build_documents(subset, DEFAULT_FIELDS)
    model = encoder.model
    model.encode(documents[:128], batch_size=64)  # warm-up: threads, allocator
    raw_runs, build_runs = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        model.encode(documents, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        raw_runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        build_bundle(subset, encoder, kind="flat")  # documents, encoding, BM25, FAISS
        build_runs.append(time.perf_counter() - start)
    raw_s, build_s = min(raw_runs), min(build_runs)
    return {
        "movies": len(subset),
        "repeats": repeats,
        "raw_encode_s": round(raw_s, 2),
        "build_s": round(build_s, 2),
        "build_films_per_s": round(len(subset) / build_s, 1),
        "build_vs_raw_encode": round(raw_s / build_s, 3),
    }


def bench_default_queries(rec: Recommender, n: int, seed: int) -> dict:
    """Latency per mode on the default catalog, with raw encode + raw FAISS as the yardstick."""
    model = rec.encoder.model
    raw_index = faiss.IndexFlatIP(rec.bundle.embeddings.shape[1])
    raw_index.add(np.ascontiguousarray(rec.bundle.embeddings, dtype=np.float32))

    def raw(text: str) -> None:
        vector = model.encode([text], normalize_embeddings=True, convert_to_numpy=True)
        raw_index.search(vector.astype(np.float32), 10)

    texts = mood_queries(n)
    for text in texts[:5]:  # warm both paths with texts that are then not timed
        raw(text + " warm-up")
        rec.search(text + " warm-up", k=10)
    raw_ms, mood_ms = [], []
    for text in texts:  # interleaved, so machine noise hits both sides alike
        raw_ms.append(timed(lambda t=text: raw(t)))
        mood_ms.append(timed(lambda t=text: rec.search(t, k=10)))
    cached_ms = [timed(lambda t=t: rec.search(t, k=10)) for t in texts[-50:]]

    rng = np.random.default_rng(seed)
    ids = rec.movies.ids
    similar_ms = [timed(lambda i=i: rec.similar(id=int(i), k=10)) for i in rng.choice(ids, n)]
    profile_ms = []
    for _ in range(n):
        chosen = rng.choice(ids, 6, replace=False)
        liked, disliked = chosen[:5].tolist(), chosen[5:].tolist()
        profile_ms.append(timed(lambda a=liked, b=disliked: rec.recommend(a, b, k=10)))
    tokens = [rec.bundle.tokenizer(t) for t in texts]
    bm25_ms = [timed(lambda q=q: rec.bundle.bm25.search(q, 10)) for q in tokens]
    raw_p50, mood_p50 = percentiles(raw_ms)["p50"], percentiles(mood_ms)["p50"]
    return {
        "movies": len(rec.bundle.catalog),
        "queries_per_mode": n,
        "raw_encode_plus_faiss_ms": percentiles(raw_ms),
        "mood_ms": percentiles(mood_ms),
        "mood_cached_query_ms": percentiles(cached_ms),
        "mood_vs_raw_encode_plus_faiss": round(mood_p50 / raw_p50, 3),
        "similar_ms": percentiles(similar_ms),
        "profile_ms": percentiles(profile_ms),
        "bm25_ms": percentiles(bm25_ms),
    }


# -- synthetic catalogs -------------------------------------------------------------------------


def synthetic(
    base: IndexBundle, n: int, seed: int, precision: str = "auto"
) -> tuple[pd.DataFrame, np.ndarray, BM25Index]:
    """A catalog of n films, each a blend of two real ones: metadata, vector and words."""
    rng = np.random.default_rng(seed)
    m = len(base.catalog)
    first, second = rng.integers(0, m, n), rng.integers(0, m, n)
    catalog = base.catalog.iloc[first].reset_index(drop=True)
    catalog["id"] = np.arange(1, n + 1, dtype=np.int64)
    catalog["title"] = [f"{t} #{i}" for i, t in enumerate(catalog["title"].tolist())]
    vectors = np.empty((n, base.embeddings.shape[1]), dtype=np.float32)
    source = np.asarray(base.embeddings, dtype=np.float32)
    for start in range(0, n, 100_000):
        part = slice(start, min(n, start + 100_000))
        blend = source[first[part]] + 0.5 * source[second[part]]
        blend += rng.normal(0, 0.02, blend.shape).astype(np.float32)
        vectors[part] = blend / np.linalg.norm(blend, axis=1, keepdims=True)
    documents = build_documents(base.catalog, DEFAULT_FIELDS)
    tf, vocab = count_terms([base.tokenizer(d) for d in documents])
    pick = sparse.csr_matrix(
        (np.ones(2 * n), (np.concatenate([first, second]), np.tile(np.arange(n), 2))),
        shape=(m, n),
    )
    bm25 = BM25Index.from_term_frequencies(tf @ pick, vocab, precision=precision)
    return catalog, vectors, bm25


def synthetic_recommender(
    base: IndexBundle, encoder: Encoder, catalog: pd.DataFrame, vectors: np.ndarray, bm25, kind: str
) -> Recommender:
    dense = DenseIndex.build(vectors, kind=kind)
    manifest = {
        "model": encoder.name,
        "catalog": {"fingerprint": "synthetic", "rows": len(catalog)},
    }
    bundle = IndexBundle(manifest, catalog, vectors, np.empty(0), dense, bm25, base.tokenizer)
    return Recommender(bundle, encoder)


def index_bytes(dense: DenseIndex) -> int:
    return int(faiss.serialize_index(dense.index).nbytes)


def sweep_ef_search(
    dense: DenseIndex, exact: DenseIndex, query_vectors: np.ndarray
) -> list[dict[str, float]]:
    """Recall@10 against exact search and p50 latency per HNSW ef_search; restores the index."""
    default = dense.params["ef_search"]
    truths = [set(exact.search(v, 10)[0].tolist()) for v in query_vectors]
    rows = []
    for ef in sorted({64, 128, 256, 512, 1024, default}):
        dense.index.hnsw.efSearch = ef
        found = [set(dense.search(v, 10)[0].tolist()) for v in query_vectors]
        recall = np.mean([len(f & t) / 10 for f, t in zip(found, truths, strict=True)])
        ms = [timed(lambda v=v: dense.search(v, 10)) for v in query_vectors]
        rows.append({"ef_search": ef, "recall_at_10": round(float(recall), 4), **percentiles(ms)})
    dense.index.hnsw.efSearch = default
    return rows


def bench_scale(base: IndexBundle, encoder: Encoder, n: int, queries: int, seed: int) -> dict:
    """Hybrid latency with HNSW, HNSW recall against exact search, BM25 alone, memory."""
    rss_before = rss_mb()
    start = time.perf_counter()
    catalog, vectors, bm25 = synthetic(base, n, seed)
    synth_s = time.perf_counter() - start
    start = time.perf_counter()
    rec = synthetic_recommender(base, encoder, catalog, vectors, bm25, kind="hnsw")
    hnsw_build_s = time.perf_counter() - start
    exact = DenseIndex.build(vectors, kind="flat")
    rss_after = rss_mb()

    texts = mood_queries(queries)
    query_vectors = encoder.encode(texts)
    for text in texts:  # fill the encoder cache: what is timed below is the index work
        encoder.encode_query(text)
    recall, hybrid_same = [], []
    exact_rec = Recommender(
        IndexBundle(
            rec.bundle.manifest, catalog, vectors, np.empty(0), exact, bm25, base.tokenizer
        ),
        encoder,
    )
    for vector in query_vectors:
        truth, _ = exact.search(vector, 10)
        found, _ = rec.bundle.dense.search(vector, 10)
        recall.append(len(set(truth.tolist()) & set(found.tolist())) / 10)
    ef_sweep = sweep_ef_search(rec.bundle.dense, exact, query_vectors)
    for text in texts[:50]:
        approx_ids = {h.id for h in rec.search(text, k=10)}
        exact_ids = {h.id for h in exact_rec.search(text, k=10)}
        hybrid_same.append(len(approx_ids & exact_ids) / 10)

    hybrid_ms = [timed(lambda t=t: rec.search(t, k=10)) for t in texts]
    dense_ms = [timed(lambda v=v: rec.bundle.dense.search(v, 10)) for v in query_vectors]
    exact_ms = [timed(lambda v=v: exact.search(v, 10)) for v in query_vectors[:50]]
    tokens = [base.tokenizer(t) for t in texts]
    bm25_ms = [timed(lambda q=q: bm25.search(q, 10)) for q in tokens]
    rng = np.random.default_rng(seed)
    ids = rng.choice(rec.movies.ids, queries)
    similar_ms = [timed(lambda i=i: rec.similar(id=int(i), k=10)) for i in ids]
    profile_ms = []
    for _ in range(queries):
        liked = rng.choice(rec.movies.ids, 5, replace=False).tolist()
        profile_ms.append(timed(lambda a=liked: rec.recommend(a, k=10)))
    filtered_ms = [
        timed(lambda t=t: rec.search(t, k=10, filters=_filters(("Drama",), 1990)))
        for t in texts[:50]
    ]
    bm25_bytes = bm25.nbytes
    memory = {
        "vectors_mb": round(vectors.nbytes / 2**20, 1),
        "hnsw_index_mb": round(index_bytes(rec.bundle.dense) / 2**20, 1),
        "bm25_mb": round(bm25_bytes / 2**20, 1),
        "catalog_mb": round(float(catalog.memory_usage(deep=False).sum()) / 2**20, 1),
        "process_rss_growth_mb": round(rss_after - rss_before, 1),
    }
    per_million = 1_000_000 / n
    return {
        "movies": n,
        "synthesis_s": round(synth_s, 1),
        "hnsw_build_s": round(hnsw_build_s, 1),
        "hnsw_params": rec.bundle.dense.params,
        "hnsw_recall_at_10": round(float(np.mean(recall)), 4),
        "ef_search_sweep": ef_sweep,
        "hybrid_top10_overlap_hnsw_vs_exact": round(float(np.mean(hybrid_same)), 4),
        "hybrid_ms": percentiles(hybrid_ms),
        "hybrid_filtered_ms": percentiles(filtered_ms),
        "hnsw_search_ms": percentiles(dense_ms),
        "exact_search_ms": percentiles(exact_ms),
        "bm25_ms": percentiles(bm25_ms),
        "similar_ms": percentiles(similar_ms),
        "profile_ms": percentiles(profile_ms),
        "memory": memory,
        "memory_per_million_mb": {
            k: round(v * per_million, 1) for k, v in memory.items() if k != "catalog_mb"
        },
    }


def _filters(genres: tuple[str, ...], year_min: int):
    from movierec.filters import Filters

    return Filters(genres=list(genres), year_min=year_min)


# -- report -------------------------------------------------------------------------------------


def verdicts(result: dict) -> dict[str, dict]:
    """Each goal with its measured value and whether it is met."""
    default, build = result["default"], result["build"]
    scale = result["scale"]
    values = {
        "build_vs_raw_encode": build.get("build_vs_raw_encode"),
        "mood_vs_raw_encode_plus_faiss": default["mood_vs_raw_encode_plus_faiss"],
        "similar_p50_ms_default": default["similar_ms"]["p50"],
        "profile_p50_ms_default": default["profile_ms"]["p50"],
        "hybrid_p50_ms_1m": scale.get("1000000", {}).get("hybrid_ms", {}).get("p50"),
        "hnsw_recall_at_10_1m": scale.get("1000000", {}).get("hnsw_recall_at_10"),
        "bm25_p50_ms_100k": scale.get("100000", {}).get("bm25_ms", {}).get("p50"),
    }
    out = {}
    for name, goal in GOALS.items():
        value = values[name]
        op, bound = goal.split()
        met = (
            None
            if value is None
            else (value >= float(bound) if op == ">=" else value <= float(bound))
        )
        out[name] = {"value": value, "goal": goal, "met": met}
    return out


def print_table(result: dict) -> None:
    build, default = result["build"], result["default"]
    print(
        f"\n== build, {build['movies']} films of the default catalog, best of {build['repeats']} =="
    )
    print(f"raw SentenceTransformer.encode  {build['raw_encode_s']:8.2f} s")
    print(
        f"movierec build (docs+enc+BM25+FAISS) {build['build_s']:8.2f} s  "
        f"({build['build_films_per_s']} films/s)   ratio raw/build {build['build_vs_raw_encode']}"
    )
    print(f"\n== queries, default catalog ({default['movies']} films), ms ==")
    print(f"{'mode':34s} {'p50':>8s} {'p95':>8s}")
    for key in (
        "raw_encode_plus_faiss_ms",
        "mood_ms",
        "mood_cached_query_ms",
        "similar_ms",
        "profile_ms",
        "bm25_ms",
    ):
        print(f"{key:34s} {default[key]['p50']:8.2f} {default[key]['p95']:8.2f}")
    for size, scale in result["scale"].items():
        print(f"\n== synthetic catalog, {int(size):,} films (HNSW {scale['hnsw_params']}), ms ==")
        print(
            f"HNSW build {scale['hnsw_build_s']} s; "
            f"recall@10 vs exact {scale['hnsw_recall_at_10']}; "
            f"hybrid top-10 overlap vs exact {scale['hybrid_top10_overlap_hnsw_vs_exact']}"
        )
        sweep = ", ".join(
            f"ef {row['ef_search']}: {row['recall_at_10']} @ {row['p50']} ms"
            for row in scale["ef_search_sweep"]
        )
        print(f"HNSW ef_search sweep (recall@10 @ p50): {sweep}")
        for key in (
            "hybrid_ms",
            "hybrid_filtered_ms",
            "hnsw_search_ms",
            "exact_search_ms",
            "bm25_ms",
            "similar_ms",
            "profile_ms",
        ):
            print(f"{key:34s} {scale[key]['p50']:8.2f} {scale[key]['p95']:8.2f}")
        print(
            f"memory (MiB): {scale['memory']}; per million titles: {scale['memory_per_million_mb']}"
        )
    print("\n== goals ==")
    for name, verdict in result["goals"].items():
        mark = {True: "MET", False: "MISSED", None: "not measured"}[verdict["met"]]
        print(f"{name:34s} {verdict['value']!s:>10s}  goal {verdict['goal']:8s} {mark}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="100000,1000000",
        help="synthetic catalog sizes, comma-separated ('' for none)",
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per mode")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=1500, help="films in the build benchmark")
    parser.add_argument("--repeats", type=int, default=2, help="alternated build runs")
    parser.add_argument("--json", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args(argv)

    rec = Recommender.open(show_progress=True)  # the default catalog's index, built if missing
    encoder, bundle = rec.encoder, rec.bundle
    build = bench_build(encoder, load_catalog(DEFAULT_CATALOG), args.sample, args.repeats)
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": _cpus(),
            "faiss": faiss.__version__,
        },
        "build": build,
        "default": bench_default_queries(rec, args.queries, args.seed),
        "scale": {},
    }
    print(json.dumps({"build": build, "default": result["default"]}), flush=True)  # partial
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        print(f"synthetic catalog of {size:,} films ...", flush=True)
        result["scale"][str(size)] = bench_scale(bundle, encoder, size, args.queries, args.seed)
        print(json.dumps({size: result["scale"][str(size)]}), flush=True)  # partial result
    result["goals"] = verdicts(result)
    print_table(result)
    text = json.dumps(result, indent=2)
    print("\n" + text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
