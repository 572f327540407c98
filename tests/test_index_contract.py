"""One contract, every index: build on tiny data with known answers, search with k and a mask,
save -> load round trip, and clear errors for a missing or damaged file (as implicit runs one
test mixin against every model)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from movierec.index.base import DamagedIndexError, SearchIndex
from movierec.index.bm25 import BM25Index
from movierec.index.dense import DenseIndex

# Eight films; "heist" occurs 3, 2 and 1 times in rows 2, 3 and 0 (all documents 3 tokens long).
CORPUS = [
    "heist crew vegas",
    "rainy city night",
    "heist heist heist",
    "heist heist city",
    "space crew ship",
    "ocean fish son",
    "clown fish sea",
    "desert road car",
]
# Unit vectors at these angles: the query at 0° ranks rows by cos(angle).
ANGLES = [50, 140, 0, 20, 200, 90, 250, 300]


@dataclass
class Case:
    """An index class, the data it is built from, a query and the rows it must find in order."""

    cls: type
    data: Any
    params: dict[str, Any]
    query: Any
    expected: list[int]  # every row with a positive-or-any score, best first

    def build(self) -> SearchIndex:
        return self.cls.build(self.data, **self.params)


def _vectors() -> np.ndarray:
    radians = np.deg2rad(ANGLES)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1).astype(np.float32)


CASES = {
    "dense-flat": Case(
        DenseIndex,
        _vectors(),
        {"kind": "flat"},
        np.array([1.0, 0.0], np.float32),
        [2, 3, 0, 7, 5, 6, 1, 4],
    ),
    "dense-hnsw": Case(
        DenseIndex,
        _vectors(),
        {"kind": "hnsw"},
        np.array([1.0, 0.0], np.float32),
        [2, 3, 0, 7, 5, 6, 1, 4],
    ),
    "dense-hnsw_sq": Case(
        DenseIndex,
        _vectors(),
        {"kind": "hnsw_sq", "rerank": 3},  # fewer candidates than rows: re-rank does the order
        np.array([1.0, 0.0], np.float32),
        [2, 3, 0, 7, 5, 6, 1, 4],
    ),
    "dense-ivf_sq": Case(
        DenseIndex,
        _vectors(),
        {"kind": "ivf_sq", "nlist": 2, "nprobe": 2, "rerank": 3},
        np.array([1.0, 0.0], np.float32),
        [2, 3, 0, 7, 5, 6, 1, 4],
    ),
    "bm25": Case(BM25Index, [doc.split() for doc in CORPUS], {}, ["heist"], [2, 3, 0]),
}


@pytest.fixture(params=list(CASES))
def case(request) -> Case:
    return CASES[request.param]


def test_implements_the_contract(case: Case) -> None:
    index = case.build()
    assert isinstance(index, SearchIndex)
    assert len(index) == len(CORPUS)


def test_search_finds_the_known_answer_best_first(case: Case) -> None:
    rows, scores = case.build().search(case.query, k=len(CORPUS))
    assert rows.tolist() == case.expected
    assert len(scores) == len(rows) and np.all(np.diff(scores) < 0)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 100])
def test_search_returns_at_most_k_rows(case: Case, k: int) -> None:
    rows, scores = case.build().search(case.query, k)
    assert rows.tolist() == case.expected[:k]
    assert len(scores) == len(rows)


def test_search_keeps_only_rows_the_mask_allows(case: Case) -> None:
    index = case.build()
    mask = np.ones(len(CORPUS), dtype=bool)
    mask[[case.expected[0], case.expected[2]]] = False
    rows, _ = index.search(case.query, 2, mask)
    assert rows.tolist() == [r for r in case.expected if mask[r]][:2]
    rows, scores = index.search(case.query, 5, np.zeros(len(CORPUS), dtype=bool))
    assert len(rows) == 0 and len(scores) == 0


def test_save_load_round_trip_gives_identical_hits(case: Case, tmp_path: Path) -> None:
    index = case.build()
    entry = index.save(tmp_path)
    assert json.loads(json.dumps(entry)) == entry  # goes into manifest.json as is
    loaded = case.cls.load(tmp_path, json.loads(json.dumps(entry)))
    mask = np.arange(len(CORPUS)) % 2 == 0
    for k, allowed in [(3, None), (len(CORPUS), None), (2, mask)]:
        before, after = index.search(case.query, k, allowed), loaded.search(case.query, k, allowed)
        np.testing.assert_array_equal(after[0], before[0])
        np.testing.assert_array_equal(after[1], before[1])


def _saved(case: Case, directory: Path) -> tuple[dict[str, Any], list[Path]]:
    entry = case.build().save(directory)
    return entry, sorted(directory.iterdir())


def test_a_missing_file_is_named(case: Case, tmp_path: Path) -> None:
    entry, files = _saved(case, tmp_path)
    assert files
    for path in files:
        content = path.read_bytes()
        path.unlink()
        with pytest.raises(FileNotFoundError, match=f"not found at .*{path.name}"):
            case.cls.load(tmp_path, entry)
        path.write_bytes(content)
    case.cls.load(tmp_path, entry)  # every file back: loads again


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_file_is_named_and_can_be_rebuilt(
    case: Case, tmp_path: Path, damage: str
) -> None:
    entry, files = _saved(case, tmp_path)
    for path in files:
        content = path.read_bytes()
        path.write_bytes(b"not an index" if damage == "garbage" else content[: len(content) // 2])
        with pytest.raises(DamagedIndexError, match=f"{path.name} is damaged.*movierec build"):
            case.cls.load(tmp_path, entry)
        path.write_bytes(content)
