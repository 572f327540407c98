"""BM25: parity with rank-bm25's BM25Okapi, masked search, tokenizer, save/load."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from movierec.catalog import load_catalog
from movierec.index.bm25 import BM25Index, Tokenizer
from tests.helpers import FIXTURE_CATALOG

CORPUS = [
    "a heist crew plans one last job in las vegas",
    "a detective hunts a killer in a rainy city",
    "toys come to life when the boy leaves the room",
    "a heist goes wrong and the crew turns on itself heist heist",
    "space crew answers a distress call from a derelict ship",
    "a clownfish father crosses the ocean to find his son",
    "the",  # a document with a single common word
    "rainy rainy rainy day in the city",
]


def _tokens(texts):
    tokenizer = Tokenizer(stopwords=False)
    return [tokenizer(text) for text in texts]


def _fixture_corpus():
    catalog = load_catalog(FIXTURE_CATALOG)
    tokenizer = Tokenizer()
    return [tokenizer(f"{t} {o}") for t, o in zip(catalog.title, catalog.overview, strict=True)]


@pytest.mark.parametrize("corpus_name", ["toy", "fixture"])
@pytest.mark.parametrize(("k1", "b", "epsilon"), [(1.5, 0.75, 0.25), (1.2, 0.5, 0.1)])
def test_scores_equal_rank_bm25(corpus_name, k1, b, epsilon):
    corpus = _tokens(CORPUS) if corpus_name == "toy" else _fixture_corpus()
    ours = BM25Index.build(corpus, k1=k1, b=b, epsilon=epsilon)
    reference = BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon)
    vocabulary = sorted({token for doc in corpus for token in doc})
    rng = np.random.default_rng(0)
    queries = [["heist"], ["rainy", "city"], ["the"], ["unknownword"], ["heist", "heist", "crew"]]
    queries += [list(rng.choice(vocabulary, size=3)) for _ in range(20)]
    for query in queries:
        np.testing.assert_allclose(
            ours.get_scores(query), reference.get_scores(query), rtol=1e-9, atol=1e-9
        )


def test_negative_idf_terms_get_epsilon_floor_like_rank_bm25():
    # "the" appears in more than half of the documents, so its raw idf is negative.
    corpus = _tokens(["the cat", "the dog", "the bird", "a fish"])
    ours, reference = BM25Index.build(corpus), BM25Okapi(corpus)
    np.testing.assert_allclose(ours.get_scores(["the"]), reference.get_scores(["the"]))
    assert ours.get_scores(["the"])[0] > 0


def test_search_returns_best_rows_first_and_respects_mask():
    index = BM25Index.build(_tokens(CORPUS))
    rows, scores = index.search(["heist"], k=5)
    assert set(rows.tolist()) == {0, 3}
    assert rows[0] == 3  # three mentions beat one
    assert np.all(np.diff(scores) <= 0)
    mask = np.ones(len(CORPUS), dtype=bool)
    mask[3] = False
    rows, _ = index.search(["heist"], k=5, mask=mask)
    assert rows.tolist() == [0]


def test_search_without_matches_is_empty():
    index = BM25Index.build(_tokens(CORPUS))
    rows, scores = index.search(["zebra"], k=5)
    assert len(rows) == 0 and len(scores) == 0


def test_matched_terms_lists_query_terms_present_in_the_document():
    index = BM25Index.build(_tokens(CORPUS))
    assert index.matched_terms(["heist", "vegas", "ocean"], 0) == ["heist", "vegas"]


def test_save_load_round_trip(tmp_path):
    index = BM25Index.build(_tokens(CORPUS))
    entry = index.save(tmp_path)
    loaded = BM25Index.load(tmp_path, entry)
    assert loaded.params() == index.params()
    np.testing.assert_array_equal(
        loaded.get_scores(["rainy", "heist"]), index.get_scores(["rainy", "heist"])
    )


def test_tokenizer_lowercases_strips_accents_and_stopwords():
    tokenizer = Tokenizer()
    assert tokenizer("The Amélie of Montmartre, a FILM about Paris!") == [
        "amelie",
        "montmartre",
        "paris",
    ]
    assert Tokenizer.from_settings(tokenizer.settings()) == tokenizer


@pytest.mark.parametrize("corpus_name", ["toy", "fixture"])
def test_float16_weights_keep_rank_bm25_scores_and_top_k_ranking(corpus_name):
    # Compact weights (large catalogs) round each weight to float16: scores stay within 0.2 %,
    # and the top 10 are the reference's top 10 up to swaps of near-equal scores.
    corpus = _tokens(CORPUS) if corpus_name == "toy" else _fixture_corpus()
    compact = BM25Index.build(corpus, precision="float16")
    reference = BM25Okapi(corpus)
    assert compact.data.dtype == np.float16 and compact.indices.dtype == np.int32
    vocabulary = sorted({token for doc in corpus for token in doc})
    rng = np.random.default_rng(1)
    queries = [["heist"], ["rainy", "city"], ["heist", "heist", "crew"]]
    queries += [list(rng.choice(vocabulary, size=3)) for _ in range(30)]
    for query in queries:
        expected = reference.get_scores(query)
        ours = compact.get_scores(query)
        np.testing.assert_allclose(ours, expected, rtol=2e-3, atol=1e-6)
        rows, _ = compact.search(query, k=10)
        best = np.sort(expected[expected > 0])[::-1][: len(rows)]
        np.testing.assert_allclose(expected[rows], best, rtol=4e-3)  # a valid reference top 10


def test_precision_is_chosen_by_catalog_size_and_checked(monkeypatch):
    from movierec.index import bm25

    assert BM25Index.build(_tokens(CORPUS)).params()["precision"] == "float64"
    monkeypatch.setattr(bm25, "COMPACT_ABOVE", 5)
    assert BM25Index.build(_tokens(CORPUS)).data.dtype == np.float16
    with pytest.raises(ValueError, match="auto, float64, float16"):
        BM25Index.build(_tokens(CORPUS), precision="int4")


def test_float16_round_trip_loads_memory_mapped(tmp_path):
    index = BM25Index.build(_tokens(CORPUS), precision="float16")
    loaded = BM25Index.load(tmp_path, index.save(tmp_path))
    assert isinstance(loaded.data, np.memmap) and loaded.data.dtype == np.float16
    assert loaded.params()["precision"] == "float16"
    np.testing.assert_array_equal(loaded.get_scores(["rainy"]), index.get_scores(["rainy"]))
    assert loaded.matched_terms(["heist", "vegas", "ocean"], 0) == ["heist", "vegas"]
