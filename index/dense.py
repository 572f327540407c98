"""FAISS vector index over normalized embeddings: exact inner product, or HNSW / IVF.

`ivf_sq` and `hnsw_sq` hold each vector once: FAISS searches 8-bit scalar-quantized codes (one
byte per dimension) in inverted lists or an HNSW graph, and the candidates it finds are re-ranked
exactly from the (memory-mapped) float32 vector array.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from movierec.index.base import damaged, require_files
from movierec.index.vector_file import VectorFile
from movierec.scoring import top_k

LOG = logging.getLogger(__name__)
KINDS = ("flat", "hnsw", "ivf", "ivf_sq", "hnsw_sq")
AUTO = "auto"  # flat up to LARGE_CATALOG rows, ivf_sq beyond (docs/benchmarks.md)
LARGE_CATALOG = 200_000
QUANTIZED = frozenset({"ivf_sq", "hnsw_sq"})  # approximate codes: candidates re-ranked exactly
READ_ROWS_ABOVE = LARGE_CATALOG  # rows; above, vectors are read per row, not memory-mapped
HNSW_KINDS = frozenset({"hnsw", "hnsw_sq"})
IVF_KINDS = frozenset({"ivf", "ivf_sq"})
INDEX_FILE = "dense.faiss"
VECTORS_FILE = "embeddings.npy"
# Below this many allowed rows a filtered query is scored exactly with numpy.
EXACT_SUBSET_LIMIT = 50_000
# ...but only 2,000 when each vector is a disk read (VectorFile): above it the quantized index
# with a selector (more lists probed the rarer the allowed rows) is faster at 1M titles
READ_SUBSET_LIMIT = 2_000
# When a mask only excludes a few rows (the films a user rated), search k + that many instead.
FEW_EXCLUDED = 1_000


def check_kind(kind: str) -> str:
    """Validate an index kind ("auto" included); raise ValueError listing the valid ones."""
    if kind not in (AUTO, *KINDS):
        raise ValueError(f"unknown index kind {kind!r}; choose one of {', '.join((AUTO, *KINDS))}")
    return kind


def resolve_kind(kind: str, n: int) -> str:
    """The concrete kind for a catalog of n rows: "auto" picks flat, or ivf_sq when large."""
    if check_kind(kind) != AUTO:
        return kind
    return "ivf_sq" if n > LARGE_CATALOG else "flat"


def _make_index(dim: int, n: int, kind: str, params: dict[str, Any]) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, params["hnsw_m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params["ef_construction"]
        return index
    if kind == "hnsw_sq":
        qtype = faiss.ScalarQuantizer.QT_8bit
        index = faiss.IndexHNSWSQ(dim, qtype, params["hnsw_m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params["ef_construction"]
        return index
    quantizer = faiss.IndexFlatIP(dim)
    if kind == "ivf_sq":
        qtype, metric = faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        return faiss.IndexIVFScalarQuantizer(quantizer, dim, params["nlist"], qtype, metric)
    return faiss.IndexIVFFlat(quantizer, dim, params["nlist"], faiss.METRIC_INNER_PRODUCT)


def default_params(kind: str, n: int) -> dict[str, Any]:
    """Sensible build/search parameters for a kind and catalog size."""
    if kind == "hnsw_sq":  # rerank: docs/benchmarks.md, "1M titles in half the memory"
        return {**default_params("hnsw", n), "rerank": 100}
    if kind == "ivf_sq":  # 1M: nlist 4000, nprobe 83 (recall@10 0.995 at 64, 0.946 at 32)
        nlist = default_params("ivf", n)["nlist"]
        return {"nlist": nlist, "nprobe": max(nlist // 48, min(nlist, 64)), "rerank": 100}
    if kind == "hnsw":  # beyond 200k rows: lighter construction (1M builds in minutes), wider
        large = n > 200_000  # search to keep recall@10 >= 0.95 (docs/benchmarks.md)
        return {
            "hnsw_m": 32,
            "ef_construction": 100 if large else 200,
            "ef_search": 512 if large else 256,
        }
    if kind == "ivf":
        nlist = int(max(1, min(4 * np.sqrt(max(n, 1)), n // 39 or 1)))
        return {"nlist": nlist, "nprobe": max(1, min(nlist, nlist // 8 + 8))}
    return {}


@dataclass
class DenseIndex:
    """Vectors (rows = catalog positions) searchable by inner product."""

    index: faiss.Index
    vectors: np.ndarray
    kind: str = "flat"
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "flat", **params: Any) -> DenseIndex:
        """Index unit vectors of shape (n, d)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        kind = resolve_kind(kind, n)
        params = {**default_params(kind, n), **params}
        index = _make_index(dim, n, kind, params)
        if kind in IVF_KINDS or kind in QUANTIZED:
            index.train(_training_sample(vectors))
        index.add(vectors)
        dense = cls(index, vectors, kind, params)
        dense._apply_search_params()
        return dense

    def _apply_search_params(self) -> None:
        if self.kind in HNSW_KINDS:
            self.index.hnsw.efSearch = int(self.params["ef_search"])
        elif self.kind in IVF_KINDS:
            self.index.nprobe = int(self.params["nprobe"])

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows by inner product (best first), restricted to rows where mask is True."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        k = min(k, len(self))
        if k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        if mask is not None:
            return self._search_masked(query[0], k, mask)
        return self._ann(query[0], k)

    def search_many(
        self, queries: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """The union of the top-k rows of each query (restricted to `mask`): one matrix product
        for a flat index; one FAISS call for HNSW or IVF when few rows are masked out; else
        (quantized codes, many rows masked out) one `search` per query."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        k = min(k, len(self))
        if k <= 0 or len(queries) == 0:
            return np.empty(0, np.int64)
        if self.kind == "flat":  # exact anyway: one matrix product, no thread pool to wake
            scores = np.asarray(self.vectors, dtype=np.float32) @ queries.T
            if mask is not None:
                scores[~mask] = -np.inf
            k = min(k, int(np.count_nonzero(mask)) if mask is not None else len(self))
            if k <= 0:
                return np.empty(0, np.int64)
            top = np.argpartition(-scores, k - 1, axis=0)[:k]
            return np.unique(top[np.isfinite(np.take_along_axis(scores, top, axis=0))])
        excluded = 0 if mask is None else len(mask) - int(np.count_nonzero(mask))
        if self.kind in QUANTIZED or excluded > min(FEW_EXCLUDED, len(self) - excluded):
            found = [self.search(q, k, mask)[0] for q in queries]
            return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)
        wanted = min(len(self), k + excluded)
        params = None
        if self.kind in HNSW_KINDS:
            params = faiss.SearchParametersHNSW(efSearch=max(int(self.params["ef_search"]), wanted))
        _, rows = self.index.search(queries, wanted, params=params)
        rows = rows[rows >= 0].astype(np.int64)
        if mask is not None:
            rows = rows[mask[rows]]
        return np.unique(rows)

    def _ann(
        self, query: np.ndarray, k: int, params: faiss.SearchParameters | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The FAISS search; a quantized kind fetches `rerank` candidates and re-scores them
        exactly from the vectors."""
        fetch = max(k, int(self.params.get("rerank", 0))) if self.kind in QUANTIZED else k
        if params is None and self.kind == "hnsw_sq" and fetch > self.params["ef_search"]:
            params = faiss.SearchParametersHNSW(efSearch=fetch)
        scores, rows = self.index.search(query.reshape(1, -1), fetch, params=params)
        keep = rows[0] >= 0
        rows = rows[0][keep].astype(np.int64)
        if self.kind not in QUANTIZED:
            return rows, scores[0][keep]
        rows = np.sort(rows)  # sequential reads from the memory-mapped vectors
        exact = np.asarray(self.vectors[rows], dtype=np.float32) @ query
        top = top_k(exact, k)
        return rows[top], exact[top].astype(np.float32)

    def _search_masked(
        self, query: np.ndarray, k: int, mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        allowed = np.flatnonzero(mask)
        excluded = len(mask) - len(allowed)
        if excluded <= min(FEW_EXCLUDED, len(allowed)):
            return self._search_excluding(query, k, mask, excluded)
        in_memory = isinstance(self.vectors, np.ndarray)
        if len(allowed) <= (EXACT_SUBSET_LIMIT if in_memory else READ_SUBSET_LIMIT):
            return exact_search(self.vectors, query, k, allowed)
        bitmap = _bitmap(mask)
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
        scale = len(mask) / len(allowed)
        if self.kind == "flat":
            search_params = faiss.SearchParameters(sel=selector)
        elif self.kind in HNSW_KINDS:
            ef = int(min(4096, self.params["ef_search"] * scale))
            wanted = max(k, int(self.params.get("rerank", 0)))
            search_params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(ef, wanted))
        else:
            nprobe = int(min(self.params["nlist"], self.params["nprobe"] * scale))
            search_params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
        return self._ann(query, k, search_params)

    def _search_excluding(
        self, query: np.ndarray, k: int, mask: np.ndarray, excluded: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Search k + excluded rows without a mask, then drop the excluded ones."""
        wanted = min(len(self), k + excluded)
        params = None
        if self.kind in HNSW_KINDS:
            fetch = max(wanted, int(self.params.get("rerank", 0)))
            params = faiss.SearchParametersHNSW(efSearch=max(int(self.params["ef_search"]), fetch))
        rows, scores = self._ann(query, wanted, params)
        keep = mask[rows]
        return rows[keep][:k], scores[keep][:k]

    def save(self, directory: Path) -> dict[str, Any]:
        """Write the FAISS index and the vectors; returns the manifest entry describing them."""
        faiss.write_index(self.index, str(Path(directory) / INDEX_FILE))
        np.save(Path(directory) / VECTORS_FILE, np.asarray(self.vectors, dtype=np.float32))
        return {
            "file": INDEX_FILE,
            "vectors": VECTORS_FILE,
            "kind": self.kind,
            "params": self.params,
            "count": len(self),
        }

    @classmethod
    def load(cls, directory: Path, entry: dict[str, Any]) -> DenseIndex:
        """Read an index written by `save`, given its manifest entry; the vectors stay on disk:
        memory-mapped, or read per row (VectorFile) above READ_ROWS_ABOVE rows."""
        names = entry["file"], entry.get("vectors", VECTORS_FILE)
        index_path, vectors_path = require_files(directory, "dense index", *names)
        try:
            vectors = np.load(vectors_path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as error:
            raise damaged(vectors_path, error) from error
        try:
            index = faiss.read_index(str(index_path))
        except RuntimeError as error:
            raise damaged(index_path, error) from error
        if index.ntotal != len(vectors) or index.d != vectors.shape[1]:
            found = f"{index.ntotal} x {index.d} indexed, {vectors.shape} vectors"
            raise damaged(index_path, ValueError(found))
        if len(vectors) > READ_ROWS_ABOVE:  # scattered rows of a mapped file stay resident
            vectors = VectorFile(vectors_path)
        dense = cls(index, vectors, entry["kind"], dict(entry["params"]))
        dense._apply_search_params()
        return dense


def _training_sample(vectors: np.ndarray, size: int = 100_000) -> np.ndarray:
    """At most `size` rows, evenly spread, to train a quantizer on."""
    step = max(1, len(vectors) // size)
    return np.ascontiguousarray(vectors[::step][:size])


def _bitmap(mask: np.ndarray) -> np.ndarray:
    return np.packbits(mask.astype(np.uint8), bitorder="little")


def exact_search(
    vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force inner-product top-k over all rows or a subset of them."""
    if rows is None or 4 * len(rows) < len(vectors):
        scores = (vectors if rows is None else vectors[rows]) @ query
    else:  # a large subset: scoring everything beats gathering the rows
        scores = (vectors @ query)[rows]
    top = top_k(scores, k)
    chosen = top if rows is None else rows[top]
    return chosen.astype(np.int64), scores[top].astype(np.float32)
