"""BM25 keyword index: rank-bm25's BM25Okapi formula, scored through a sparse matrix."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from tqdm import tqdm

from movierec.index.base import IndexMismatchError, StaleIndexError, damaged, require_files
from movierec.scoring import top_k

LOG = logging.getLogger(__name__)
VOCAB_FILE = "bm25_vocab.json"
ARRAY_FILES = {
    "indptr": "bm25_indptr.npy",
    "indices": "bm25_indices.npy",
    "data": "bm25_weights.npy",
}
PRECISIONS = {"float64": np.float64, "float16": np.float16}
COMPACT_ABOVE = 200_000  # documents; as index.dense.LARGE_CATALOG
TOKENIZER_VERSION = 1

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    film films movie movies like want something some kind get one""".split()
)


@dataclass(frozen=True)
class Tokenizer:
    """Lowercases, strips accents, splits on non-alphanumerics and drops stopwords."""

    lowercase: bool = True
    stopwords: bool = True
    min_length: int = 2
    version: int = TOKENIZER_VERSION

    def __call__(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
        if self.lowercase:
            text = text.lower()
        tokens = re.findall(r"[A-Za-z0-9]+", text)
        tokens = [t for t in tokens if len(t) >= self.min_length]
        if self.stopwords:
            tokens = [t for t in tokens if t.lower() not in STOPWORDS]
        return tokens

    def settings(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Tokenizer:
        """The tokenizer an index recorded; an older version is stale, a newer one refused."""
        settings = dict(settings)
        version = settings.get("version")
        if settings.pop("stem", False):  # stemming was dropped: such indexes must be rebuilt
            version = 0
        if version != TOKENIZER_VERSION:
            older = isinstance(version, int) and version < TOKENIZER_VERSION
            raise (StaleIndexError if older else IndexMismatchError)(
                f"index tokenizer version {version!r} is not the supported version "
                f"{TOKENIZER_VERSION}; rebuild it with `movierec build`"
            )
        unknown = sorted(set(settings) - {f.name for f in fields(cls)})
        if unknown:
            raise IndexMismatchError(
                f"unknown tokenizer settings {unknown} in the index; rebuild it with "
                "`movierec build`"
            )
        return cls(**settings)


class BM25Index:
    """Per-(term, document) BM25Okapi weights as CSR arrays, one row per term: a query adds up
    the rows of its terms. Weights are float64 (exact), or float16 for large catalogs (a third
    of the memory; scores within 0.1 %, docs/benchmarks.md); saved as .npy files that load
    memory-mapped, so a query reads only its terms' rows from disk."""

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        data: np.ndarray,
        vocab: dict[str, int],
        params: dict[str, Any],
    ):
        self.indptr, self.indices, self.data = indptr, indices, data
        self.vocab = vocab
        self._params = params

    @classmethod
    def build(
        cls,
        corpus_tokens: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        show_progress: bool = False,
        precision: str = "auto",
    ) -> BM25Index:
        """Index tokenized documents; scores equal rank_bm25.BM25Okapi with the same parameters
        (within float16 rounding when `precision` is, or resolves to, "float16")."""
        tf, vocab = count_terms(corpus_tokens, show_progress)
        return cls.from_term_frequencies(tf, vocab, k1, b, epsilon, precision)

    @classmethod
    def from_term_frequencies(
        cls,
        tf: sparse.csr_matrix,
        vocab: dict[str, int],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        precision: str = "auto",
    ) -> BM25Index:
        """Index a (terms × documents) count matrix whose rows follow `vocab`."""
        tf = sparse.csr_matrix(tf, dtype=np.float64)
        tf.sum_duplicates()
        tf.sort_indices()
        n_docs = tf.shape[1]
        precision = resolve_precision(precision, n_docs)
        lengths = np.asarray(tf.sum(axis=0), dtype=np.float64).ravel()
        avgdl = float(lengths.mean()) if n_docs and lengths.sum() else 1.0
        idf = _okapi_idf(np.diff(tf.indptr), n_docs, epsilon)
        w = _term_weights(tf, idf, lengths, avgdl, k1, b)
        params = {"k1": k1, "b": b, "epsilon": epsilon, "n_docs": n_docs, "avgdl": avgdl}
        params |= {"vocab_size": len(vocab), "precision": precision}
        arrays = _compact(w.indptr, w.indices, w.data, precision)
        return cls(*arrays, vocab, params)

    def __len__(self) -> int:
        return int(self._params["n_docs"])

    @property
    def nbytes(self) -> int:
        """Bytes of the weight arrays (resident or not when memory-mapped)."""
        return int(self.indptr.nbytes + self.indices.nbytes + self.data.nbytes)

    def params(self) -> dict[str, Any]:
        return dict(self._params)

    def _query_rows(self, query_tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(t for t in query_tokens if t in self.vocab)
        terms = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        return terms, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))

    def _row(self, term: int) -> slice:
        return slice(int(self.indptr[term]), int(self.indptr[term + 1]))

    def get_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query (repeated query terms count each time)."""
        terms, counts = self._query_rows(query_tokens)
        scores = np.zeros(len(self), dtype=np.float64)
        for term, count in zip(terms.tolist(), counts.tolist(), strict=True):
            row = self._row(term)  # a document occurs once per term row: += is exact
            scores[self.indices[row]] += np.asarray(self.data[row], dtype=np.float64) * count
        return scores

    def search(
        self, query_tokens: Sequence[str], k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k documents with a positive score (best first), restricted to mask if given."""
        scores = self.get_scores(query_tokens)
        allowed = scores > 0 if mask is None else (scores > 0) & mask
        candidates = np.flatnonzero(allowed)
        top = candidates[top_k(scores[candidates], k)]
        return top.astype(np.int64), scores[top]

    def matched_terms(self, query_tokens: Sequence[str], row: int) -> list[str]:
        """Distinct query terms that occur in document `row`, in query order."""
        seen: list[str] = []
        for term in query_tokens:
            term_id = self.vocab.get(term)
            if term_id is None or term in seen:
                continue
            docs = self.indices[self._row(term_id)]  # sorted: a binary search
            at = int(np.searchsorted(docs, row))
            if at < len(docs) and docs[at] == row:
                seen.append(term)
        return seen

    def save(self, directory: Path) -> dict[str, Any]:
        """Write one .npy per weight array and bm25_vocab.json; returns the manifest entry."""
        directory = Path(directory)
        for name, file in ARRAY_FILES.items():
            np.save(directory / file, getattr(self, name))
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        (directory / VOCAB_FILE).write_text(json.dumps({"params": self._params, "terms": terms}))
        return {**self.params(), "arrays": dict(ARRAY_FILES), "vocab": VOCAB_FILE}

    @classmethod
    def load(cls, directory: Path, entry: dict[str, Any]) -> BM25Index:
        """Read an index written by `save`, given the entry it returned; the weight arrays are
        mapped from disk, not read into memory."""
        files = entry.get("arrays", ARRAY_FILES)
        names = [files[name] for name in ARRAY_FILES]
        *array_paths, vocab_path = require_files(
            directory, "BM25 index", *names, entry.get("vocab", VOCAB_FILE)
        )
        arrays = [_mapped(path) for path in array_paths]
        try:
            stored = json.loads(vocab_path.read_text())
            terms, params = stored["terms"], stored["params"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise damaged(vocab_path, error) from error
        _check_shapes(array_paths, arrays, len(terms))
        return cls(*arrays, {term: i for i, term in enumerate(terms)}, params)


def resolve_precision(precision: str, n_docs: int) -> str:
    """float64 or float16; "auto" is float16 above COMPACT_ABOVE documents."""
    if precision == "auto":
        return "float16" if n_docs > COMPACT_ABOVE else "float64"
    if precision not in PRECISIONS:
        choices = ", ".join(("auto", *PRECISIONS))
        raise ValueError(f"unknown BM25 precision {precision!r}; choose one of {choices}")
    return precision


def _compact(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, precision: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The smallest dtypes that hold the arrays: int32 document numbers, weights as asked."""
    return (
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int32),
        np.asarray(data, dtype=PRECISIONS[precision]),
    )


def _mapped(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise damaged(path, error) from error


def _check_shapes(paths: list[Path], arrays: list[np.ndarray], n_terms: int) -> None:
    indptr, indices, data = arrays
    if indptr.shape != (n_terms + 1,):
        raise damaged(paths[0], ValueError(f"{indptr.shape} row pointers for {n_terms} terms"))
    for path, array in zip(paths[1:], (indices, data), strict=True):
        if array.shape != (int(indptr[-1]),):
            raise damaged(path, ValueError(f"{array.shape} entries, {int(indptr[-1])} expected"))


def count_terms(
    corpus_tokens: Sequence[Sequence[str]], show_progress: bool = False
) -> tuple[sparse.csr_matrix, dict[str, int]]:
    """A (terms × documents) count matrix and the vocabulary numbering its rows."""
    vocab: dict[str, int] = {}
    rows, cols, tfs = [], [], []
    docs = tqdm(corpus_tokens, desc="BM25", unit="doc", disable=not show_progress)
    for doc_id, tokens in enumerate(docs):
        for term, count in Counter(tokens).items():
            rows.append(vocab.setdefault(term, len(vocab)))
            cols.append(doc_id)
            tfs.append(count)
    shape = (len(vocab), len(corpus_tokens))
    tf = sparse.csr_matrix((np.asarray(tfs, dtype=np.float64), (rows, cols)), shape=shape)
    return tf, vocab


def _okapi_idf(doc_freq: np.ndarray, n_docs: int, epsilon: float) -> np.ndarray:
    """rank-bm25's idf: log(N - n + 0.5) - log(n + 0.5), negatives floored to eps * mean idf."""
    idf = np.log(n_docs - doc_freq + 0.5) - np.log(doc_freq + 0.5)
    if len(idf) == 0:
        return idf
    floor = epsilon * float(idf.mean())
    return np.where(idf < 0, floor, idf)


def _term_weights(
    tf: sparse.csr_matrix, idf: np.ndarray, lengths: np.ndarray, avgdl: float, k1: float, b: float
) -> sparse.csr_matrix:
    weights = tf.copy()
    norm = k1 * (1 - b + b * lengths / avgdl)
    doc_of_entry = weights.indices
    term_of_entry = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))
    data = weights.data
    weights.data = idf[term_of_entry] * data * (k1 + 1) / (data + norm[doc_of_entry])
    weights.eliminate_zeros()
    return weights
