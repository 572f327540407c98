"""FAISS vector index over normalized embeddings: exact inner product, or HNSW / IVF."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from movierec.index.base import damaged, require_files
from movierec.scoring import top_k

LOG = logging.getLogger(__name__)
KINDS = ("flat", "hnsw", "ivf")
INDEX_FILE = "dense.faiss"
VECTORS_FILE = "embeddings.npy"
# Below this many allowed rows a filtered query is scored exactly with numpy.
EXACT_SUBSET_LIMIT = 50_000
# When a mask only excludes a few rows (the films a user rated), search k + that many instead.
FEW_EXCLUDED = 1_000


def check_kind(kind: str) -> str:
    """Validate an index kind; raise ValueError listing the valid ones."""
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}; choose one of {', '.join(KINDS)}")
    return kind


def _make_index(dim: int, n: int, kind: str, params: dict[str, Any]) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, params["hnsw_m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params["ef_construction"]
        return index
    quantizer = faiss.IndexFlatIP(dim)
    return faiss.IndexIVFFlat(quantizer, dim, params["nlist"], faiss.METRIC_INNER_PRODUCT)


def default_params(kind: str, n: int) -> dict[str, Any]:
    """Sensible build/search parameters for a kind and catalog size."""
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
        kind = check_kind(kind)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        params = {**default_params(kind, n), **params}
        index = _make_index(dim, n, kind, params)
        if kind == "ivf":
            index.train(vectors)
        index.add(vectors)
        dense = cls(index, vectors, kind, params)
        dense._apply_search_params()
        return dense

    def _apply_search_params(self) -> None:
        if self.kind == "hnsw":
            self.index.hnsw.efSearch = int(self.params["ef_search"])
        elif self.kind == "ivf":
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
        if mask is None:
            scores, rows = self.index.search(query, k)
        else:
            return self._search_masked(query[0], k, mask)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def _search_masked(
        self, query: np.ndarray, k: int, mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        allowed = np.flatnonzero(mask)
        excluded = len(mask) - len(allowed)
        if excluded <= min(FEW_EXCLUDED, len(allowed)):
            return self._search_excluding(query, k, mask, excluded)
        if len(allowed) <= EXACT_SUBSET_LIMIT:
            return exact_search(self.vectors, query, k, allowed)
        bitmap = _bitmap(mask)
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
        scale = len(mask) / len(allowed)
        if self.kind == "flat":
            search_params = faiss.SearchParameters(sel=selector)
        elif self.kind == "hnsw":
            ef = int(min(4096, self.params["ef_search"] * scale))
            search_params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(ef, k))
        else:
            nprobe = int(min(self.params["nlist"], self.params["nprobe"] * scale))
            search_params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
        scores, rows = self.index.search(query.reshape(1, -1), k, params=search_params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def _search_excluding(
        self, query: np.ndarray, k: int, mask: np.ndarray, excluded: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Search k + excluded rows without a mask, then drop the excluded ones."""
        wanted = min(len(self), k + excluded)
        if self.kind == "hnsw":
            ef = max(int(self.params["ef_search"]), wanted)
            params = faiss.SearchParametersHNSW(efSearch=ef)
            scores, rows = self.index.search(query.reshape(1, -1), wanted, params=params)
        else:
            scores, rows = self.index.search(query.reshape(1, -1), wanted)
        rows, scores = rows[0], scores[0]
        keep = rows >= 0
        keep[keep] = mask[rows[keep]]
        return rows[keep][:k].astype(np.int64), scores[keep][:k]

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
        """Read an index written by `save`, given its manifest entry; the vectors are mapped
        from disk, not read into memory."""
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
        dense = cls(index, vectors, entry["kind"], dict(entry["params"]))
        dense._apply_search_params()
        return dense


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
