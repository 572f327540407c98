"""FAISS index: exact vs brute force, approximate recall, masked search, save/load."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.index import dense
from movierec.index.dense import DenseIndex, check_kind, exact_search

N = 20_000  # shared by the tests below: each kind is built once per module


def unit_vectors(n: int, dim: int = 32, seed: int = 0, clusters: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, dim))
    x = centers[rng.integers(0, clusters, n)] + 0.6 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(vectors @ query), kind="stable")[:k]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return len(set(found.tolist()) & set(truth.tolist())) / len(truth)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return unit_vectors(N, seed=2)


@pytest.fixture(scope="module")
def indexes(vectors):
    """kind -> DenseIndex over `vectors`, built on first use."""
    built: dict[str, DenseIndex] = {}

    def get(kind: str) -> DenseIndex:
        if kind not in built:
            built[kind] = DenseIndex.build(vectors, kind=kind)
        return built[kind]

    return get


def test_flat_matches_numpy_brute_force() -> None:
    vectors = unit_vectors(2000)
    index = DenseIndex.build(vectors, kind="flat")
    for query in unit_vectors(20, seed=1):
        rows, scores = index.search(query, 10)
        np.testing.assert_array_equal(rows, brute_force(vectors, query, 10))
        np.testing.assert_allclose(scores, vectors[rows] @ query, rtol=1e-5)
        assert np.all(np.diff(scores) <= 1e-6)


@pytest.mark.parametrize("kind", ["hnsw", "ivf", "ivf_sq", "hnsw_sq"])
def test_approximate_recall_against_exact(kind: str, vectors, indexes) -> None:
    index = indexes(kind)
    queries = unit_vectors(100, seed=3)
    recalls = [recall(index.search(q, 10)[0], brute_force(vectors, q, 10)) for q in queries]
    assert np.mean(recalls) >= 0.95


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf", "ivf_sq", "hnsw_sq"])
@pytest.mark.parametrize("allowed_fraction", [0.002, 0.9])
def test_masked_search_returns_only_allowed_rows(
    kind: str, allowed_fraction: float, vectors, indexes, monkeypatch
) -> None:
    # A lower exact-search limit sends 90% of 20k rows through the ANN index with a selector
    # (as 90% of a catalog above 55k rows would), while 0.2% is still scored exactly.
    monkeypatch.setattr(dense, "EXACT_SUBSET_LIMIT", N // 2)
    rng = np.random.default_rng(5)
    mask = rng.random(len(vectors)) < allowed_fraction
    index = indexes(kind)
    query = unit_vectors(1, seed=6)[0]
    rows, _ = index.search(query, 10, mask)
    assert len(rows) == 10
    assert mask[rows].all()
    truth = np.flatnonzero(mask)[brute_force(vectors[mask], query, 10)]
    assert recall(rows, truth) >= (1.0 if kind == "flat" or allowed_fraction < 0.5 else 0.8)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf_sq", "hnsw_sq"])
def test_excluding_a_few_rows_drops_exactly_those(kind: str, vectors, indexes) -> None:
    index = indexes(kind)
    query = vectors[42]
    best = brute_force(vectors, query, 30)
    mask = np.ones(len(vectors), dtype=bool)
    mask[best[:20]] = False  # the 20 nearest rows are rated: the answer is the next 10
    rows, scores = index.search(query, 10, mask)
    assert mask[rows].all() and len(rows) == 10
    assert recall(rows, best[20:30]) >= (1.0 if kind == "flat" else 0.9)
    assert np.all(np.diff(scores) <= 1e-6)


def test_k_larger_than_index_and_empty_mask() -> None:
    vectors = unit_vectors(5)
    index = DenseIndex.build(vectors)
    rows, _ = index.search(vectors[0], 50)
    assert sorted(rows.tolist()) == [0, 1, 2, 3, 4]
    rows, _ = index.search(vectors[0], 3, np.zeros(5, dtype=bool))
    assert len(rows) == 0


@pytest.mark.parametrize("kind", ["hnsw", "ivf_sq", "hnsw_sq"])
def test_save_load_round_trip(tmp_path, indexes, kind: str) -> None:
    index = indexes(kind)
    entry = index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, entry)
    for query in unit_vectors(5, seed=8):
        np.testing.assert_array_equal(index.search(query, 10)[0], loaded.search(query, 10)[0])
    with pytest.raises(FileNotFoundError, match="dense index not found"):
        DenseIndex.load(tmp_path / "missing", entry)


@pytest.mark.parametrize("kind", ["ivf_sq", "hnsw_sq"])
def test_quantized_kinds_hold_codes_and_rerank_with_exact_scores(vectors, indexes, kind) -> None:
    index = indexes(kind)
    faiss_index = dense.faiss.downcast_index(index.index)
    storage = faiss_index if kind == "ivf_sq" else dense.faiss.downcast_index(faiss_index.storage)
    codes = storage.code_size
    assert codes == vectors.shape[1]  # one byte per dimension: the floats are not held twice
    query = unit_vectors(1, seed=10)[0]
    rows, scores = index.search(query, 10)
    np.testing.assert_allclose(scores, vectors[rows] @ query, rtol=1e-6)  # exact, not SQ8
    assert np.all(np.diff(scores) <= 0)


def test_auto_kind_is_flat_for_small_catalogs_and_ivf_sq_for_large() -> None:
    assert dense.resolve_kind("auto", 4_801) == "flat"
    assert dense.resolve_kind("auto", dense.LARGE_CATALOG + 1) == "ivf_sq"
    assert dense.resolve_kind("hnsw", 10) == "hnsw"
    assert DenseIndex.build(unit_vectors(50), kind="auto").kind == "flat"


def test_unknown_kind_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="flat, hnsw, ivf"):
        check_kind("annoy")


def test_exact_search_on_subset() -> None:
    vectors = unit_vectors(100, seed=9)
    rows = np.array([3, 50, 7, 99])
    found, scores = exact_search(vectors, vectors[50], 2, rows)
    assert found[0] == 50
    assert set(found.tolist()) <= set(rows.tolist())
    assert scores[0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "hnsw_sq"])
@pytest.mark.parametrize("masked", [0, 3, 1500])
def test_search_many_is_the_union_of_single_searches(kind: str, masked: int) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(2000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex.build(vectors, kind=kind)
    mask = None
    if masked:
        mask = np.ones(len(vectors), dtype=bool)
        mask[rng.choice(len(vectors), masked, replace=False)] = False
    queries = vectors[[5, 17, 900]]
    found = index.search_many(queries, 20, mask)
    single = np.unique(np.concatenate([index.search(q, 20, mask)[0] for q in queries]))
    assert len(found) == len(np.unique(found))
    if mask is not None:
        assert mask[found].all()
    # Exact kinds agree row for row; approximate ones nearly so.
    overlap = len(np.intersect1d(found, single)) / len(single)
    assert overlap == 1.0 if kind == "flat" else overlap >= 0.9
    assert len(index.search_many(queries[:0], 20, mask)) == 0
