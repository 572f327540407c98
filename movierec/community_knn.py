"""Sparse item-kNN at scale: co-likes XᵀX in blocks of item rows and the top k of each row, never
an n × n matrix; the blocks are shared by worker processes when the likes are many."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy import sparse

DENSE_CELLS = 1 << 23  # cells of a dense block of similarities (32 MiB of float32)
PARALLEL_LIKES = 2_000_000  # below this many likes one process is quicker than starting others

_SHARED: dict[str, object] = {}  # the inputs of the blocks, inherited by forked workers


def block_ranges(
    matrix: sparse.csr_matrix, block_products: float, max_rows: int | None = None
) -> list[tuple[int, int]]:
    """(start, stop) item rows per block: about `block_products` co-like products each (so memory
    follows the co-likes), at most `max_rows` rows."""
    n = matrix.shape[1]
    columns = matrix.T.tocsr()
    # the products behind item i's row: Σ over its likers of their number of likes
    work = np.cumsum(columns @ np.diff(matrix.indptr).astype(np.float64))
    ranges, start = [], 0
    while start < n:
        done = work[start - 1] if start else 0.0
        stop = int(np.searchsorted(work, done + block_products, side="right"))
        stop = min(n, max(stop, start + 1), start + (max_rows or n))
        ranges.append((start, stop))
        start = stop
    return ranges


def co_likes(
    matrix: sparse.csr_matrix, block_products: float
) -> Iterator[tuple[int, sparse.csr_matrix]]:
    """(start, sparse XᵀX rows from start) per block of `block_ranges`."""
    columns = matrix.T.tocsr()
    for start, stop in block_ranges(matrix, block_products):
        yield start, (columns[start:stop] @ matrix).tocsr()


def knn_blocks(
    matrix: sparse.csr_matrix,
    norms: np.ndarray,
    shrink: float,
    k: int,
    block_products: float,
    workers: int | None = None,
) -> list[sparse.csr_matrix]:
    """The kNN rows of every item, as consecutive CSR blocks (see `top_k`)."""
    matrix = matrix.astype(np.float32)  # counts are exact in float32; half the memory traffic
    ranges = block_ranges(matrix, block_products, max(1, DENSE_CELLS // max(1, matrix.shape[1])))
    _SHARED.update(columns=matrix.T.tocsr(), matrix=matrix, norms=norms, shrink=shrink, k=k)
    try:
        workers = _workers(workers, matrix.nnz, len(ranges))
        if workers == 1:
            return [_block(r) for r in ranges]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_block, ranges, chunksize=max(1, len(ranges) // (8 * workers))))
    finally:
        _SHARED.clear()


def _workers(workers: int | None, likes: int, blocks: int) -> int:
    if workers is None:
        usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        cores = len(usable) if usable else os.cpu_count() or 1
        workers = cores if likes >= PARALLEL_LIKES else 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(workers, blocks))


def _block(bounds: tuple[int, int]) -> sparse.csr_matrix:
    start, stop = bounds
    co = (_SHARED["columns"][start:stop] @ _SHARED["matrix"]).tocsr()  # type: ignore[index,operator]
    return top_k(co, start, _SHARED["norms"], _SHARED["shrink"], _SHARED["k"])  # type: ignore[arg-type]


def top_k(
    co: sparse.csr_matrix, start: int, norms: np.ndarray, shrink: float, k: int
) -> sparse.csr_matrix:
    """Shrunk cosine of a block of co-like rows (the first is item `start`), diagonal dropped,
    the `k` best per row kept (ties: lower column first), as float32. A block dense enough is
    scored as a dense array; a sparse one entry by entry."""
    b, n = co.shape
    if co.nnz > b * n // 8:
        rows, cols, sims = _dense_best(co, start, norms, shrink, k)
    else:
        rows = np.repeat(np.arange(b), np.diff(co.indptr))
        cols = co.indices
        sims = co.data / (norms[rows + start] * norms[cols] + shrink)
        keep = (cols != rows + start) & (sims > 0)
        rows, cols, sims = _ranked(rows[keep], cols[keep], sims[keep], k)
    return sparse.csr_matrix((sims.astype(np.float32), (rows, cols)), shape=(b, n))


def _dense_best(
    co: sparse.csr_matrix, start: int, norms: np.ndarray, shrink: float, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, columns, sims) of the k best of each row of a dense-ish block: only the entries
    at least the k-th largest of 2k chunk maxima (a bound that keeps every tie) are ranked."""
    b, n = co.shape
    sims = co.astype(np.float32).toarray()
    denominator = np.multiply.outer(norms[start : start + b], norms).astype(np.float32)
    denominator += np.float32(shrink)
    sims /= denominator
    del denominator
    sims[np.arange(b), np.arange(start, start + b)] = 0.0
    bound = np.full(b, np.finfo(np.float32).tiny, dtype=np.float32)
    if n > 2 * k:
        maxima = np.maximum.reduceat(sims, np.linspace(0, n, 2 * k, endpoint=False).astype(int), 1)
        bound = np.maximum(bound, np.partition(maxima, 2 * k - k, axis=1)[:, 2 * k - k])
    rows, cols = np.nonzero(sims >= bound[:, None])
    return _ranked(rows, cols, sims[rows, cols], k)


def _ranked(
    rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `k` best (row, column, sim) entries of each row (ties: lower column first)."""
    order = np.lexsort((cols, -sims, rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    best = np.arange(len(rows)) - np.searchsorted(rows, rows) < k  # rank within its row
    return rows[best], cols[best], sims[best]
