"""The measuring half of benchmark_big_catalog.py, run in a fresh process per index layout."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from benchmark import percentiles, timed

from movierec import catalog_text, titles
from movierec.filters import Filters
from movierec.index.dense import exact_search
from movierec.index.storage import load_index
from movierec.recommender import Recommender

_MAPPING = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


class Replay:
    """An encoder that answers the benchmark's queries with vectors the parent encoded."""

    def __init__(self, name: str, texts: list[str], vectors: np.ndarray):
        self.name = name
        self._vectors = dict(zip(texts, vectors, strict=True))

    def encode_query(self, text: str) -> np.ndarray:
        if text not in self._vectors:
            raise KeyError(f"no vector encoded for {text!r}; delete the cached queries file")
        return self._vectors[text]


class ExactDense:
    """Brute-force search over the bundle's vectors: the reference for hybrid overlap."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = vectors

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None):
        rows = None if mask is None else np.flatnonzero(mask)
        return exact_search(self.vectors, query, k, rows)


def status_mib(field: str) -> float:
    """A field of /proc/self/status (VmRSS, VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def mapped_resident_mib(directory: Path) -> dict[str, float]:
    """Resident MiB of each memory-mapped file under directory (/proc/self/smaps)."""
    resident: dict[str, float] = defaultdict(float)
    current = None
    prefix = str(directory.resolve())
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if _MAPPING.match(line):
            parts = line.split()
            current = parts[5] if len(parts) >= 6 and parts[5].startswith(prefix) else None
        elif current and line.startswith("Rss:"):
            resident[Path(current).name] += int(line.split()[1]) / 1024
    return {name: round(mib, 1) for name, mib in sorted(resident.items())}


def typeahead_inputs(rec: Recommender, n: int, rng: np.random.Generator) -> list[str]:
    """Half title prefixes (2-8 characters), half prefixes of a later word (3-6)."""
    rows = rng.choice(len(rec.movies.ids), n, replace=False)
    texts = []
    for i, row in enumerate(rows.tolist()):
        title = rec.movies.titles.titles[row].as_py().split(" #")[0]
        words = title.split()
        if i % 2 == 0 or len(words) < 2:
            texts.append(title[: int(rng.integers(2, 9))])
        else:
            word = words[int(rng.integers(1, len(words)))]
            texts.append(word[: int(rng.integers(3, 7))])
    return texts


def typos(rec: Recommender, n: int, rng: np.random.Generator) -> list[str]:
    """Titles with one letter dropped: what "did you mean" has to repair."""
    out = []
    for row in rng.choice(len(rec.movies.ids), n, replace=False).tolist():
        title = rec.movies.titles.titles[row].as_py().split(" #")[0]
        cut = int(rng.integers(1, max(2, len(title) - 1)))
        out.append(title[:cut] + title[cut + 1 :] + "x")
    return out


def measure(directory: Path, query_file: Path, whole_catalog: bool, with_model: bool) -> dict:
    """Load the index as served, run the queries, and report memory and latency."""
    rss_start = status_mib("VmRSS")
    if whole_catalog:  # the old layout: the whole catalog in memory, fuzzy titles by full scan
        catalog_text.LAZY_ABOVE = titles.FULL_SCAN_LIMIT = 10**12
    stored = np.load(query_file)
    texts, vectors, truth = stored["texts"].tolist(), stored["vectors"], stored["truth"]
    start = time.perf_counter()
    bundle = load_index(directory)
    known = texts + stored["residuals"].tolist()
    known_vectors = np.concatenate([vectors, stored["residual_vectors"]])
    rec = Recommender(bundle, Replay(bundle.manifest["model"], known, known_vectors))
    load_s = time.perf_counter() - start
    rss_loaded = status_mib("VmRSS")
    first_ms = timed(lambda: rec.search(texts[0], k=10))  # builds the vocabulary once

    hybrid = [timed(lambda t=t: rec.search(t, k=10)) for t in texts]
    drama = Filters(genres=["Drama"], year_min=1990)
    filtered = [timed(lambda t=t: rec.search(t, k=10, filters=drama)) for t in texts[:50]]
    dense = [timed(lambda v=v: bundle.dense.search(v, 10)) for v in vectors]
    tokens = [bundle.tokenizer(t) for t in texts]
    bm25 = [timed(lambda q=q: bundle.bm25.search(q, 10)) for q in tokens]
    rng = np.random.default_rng(0)
    typed = typeahead_inputs(rec, len(texts), rng)
    typeahead = [timed(lambda t=t: rec.title_suggestions(t, 10)) for t in typed]
    wrong = typos(rec, 10 if whole_catalog else 50, rng)
    fuzzy = [timed(lambda t=t: rec.movies.titles.suggest(t)) for t in wrong]
    options_ms = timed(lambda: rec.title_options(limit=20_000))
    rss_after = status_mib("VmRSS")
    mapped = mapped_resident_mib(directory)
    memory = {
        "rss_start_mib": rss_start,
        "rss_loaded_mib": rss_loaded,
        "rss_after_queries_mib": rss_after,
        "vm_hwm_mib": status_mib("VmHWM"),
        "mapped_resident_mib": round(sum(mapped.values()), 1),
        "mapped_resident_by_file_mib": mapped,
        "dense_file_mib": round((directory / "dense.faiss").stat().st_size / 2**20, 1),
        "vectors_file_mib": round((directory / "embeddings.npy").stat().st_size / 2**20, 1),
        "bm25_mib": round(bundle.bm25.nbytes / 2**20, 1),
        "catalog_mib": round(bundle.catalog.memory_usage(deep=True).sum() / 2**20, 1),
    }
    found = [set(bundle.dense.search(v, 10)[0].tolist()) for v in vectors]
    recall = np.mean([len(f & set(t.tolist())) / 10 for f, t in zip(found, truth, strict=True)])
    approx = [{h.id for h in rec.search(t, k=10)} for t in texts[:50]]
    kind, bundle.dense = bundle.dense.kind, ExactDense(bundle.embeddings)
    exact = [{h.id for h in rec.search(t, k=10)} for t in texts[:50]]
    overlap = np.mean([len(a & e) / 10 for a, e in zip(approx, exact, strict=True)])
    if with_model:
        from movierec.embed import Encoder

        Encoder(bundle.manifest["model"]).encode_query("a warm-up query")
        memory["rss_with_model_mib"] = status_mib("VmRSS")
    return {
        "kind": kind,
        "bm25_precision": bundle.bm25.params()["precision"],
        "load_s": round(load_s, 1),
        "first_query_ms": round(first_ms, 1),
        "recall_at_10": round(float(recall), 4),
        "hybrid_overlap_vs_exact": round(float(overlap), 4),
        "memory": memory,
        "latency_ms": {
            "hybrid": percentiles(hybrid),
            "hybrid_filtered": percentiles(filtered),
            "dense": percentiles(dense),
            "bm25": percentiles(bm25),
            "typeahead": percentiles(typeahead),
            "fuzzy_suggest": percentiles(fuzzy),
        },
        "title_options_20k_ms": round(options_ms, 1),
    }
