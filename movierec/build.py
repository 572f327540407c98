"""Build an index directory from a catalog: documents → embeddings + BM25 → FAISS → disk."""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from movierec.catalog import catalog_fingerprint, load_catalog
from movierec.embed import DEFAULT_FIELDS, KEYWORD_FIELDS, Encoder, build_documents, encode_cached
from movierec.embed.backends import DEFAULT_BACKEND, compatible
from movierec.embed.cache import Progress
from movierec.embed.documents import check_fields
from movierec.index.bm25 import BM25Index, Tokenizer
from movierec.index.dense import DenseIndex, check_kind
from movierec.index.storage import (
    EMBEDDINGS_FILE,
    HASHES_FILE,
    IndexBundle,
    read_manifest,
    save_index,
)

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the CLI to print."""

    directory: Path
    movies: int
    encoded: int
    reused: int
    seconds: float
    backend: str = DEFAULT_BACKEND


class IndexWriteError(OSError):
    """The index could not be written (disk full, no permission); the previous one is kept."""


SHIPPED_VECTORS = Path(__file__).parent / "data" / "catalog_vectors.npz"


def backend_of(encoder: object) -> str:
    """The encoder's backend (encoders without one, like the tests' fakes, count as torch)."""
    return str(getattr(encoder, "backend", DEFAULT_BACKEND))


def shipped_embeddings(
    model_name: str, backend: str = DEFAULT_BACKEND
) -> tuple[np.ndarray, np.ndarray] | None:
    """Hashes and vectors shipped for the packaged catalog (float16 on disk), for this model,
    when `backend` gives the same vectors as torch, which computed them."""
    if not compatible(backend, DEFAULT_BACKEND):
        return None
    try:
        with np.load(SHIPPED_VECTORS, allow_pickle=False) as shipped:
            if str(shipped["model"]) != model_name:
                return None
            hashes, vectors = shipped["hashes"], shipped["vectors"].astype(np.float32)
    except (FileNotFoundError, KeyError, ValueError) as error:
        LOG.debug("no shipped vectors: %s", error)
        return None
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return hashes, vectors


def reusable_embeddings(
    directory: Path, model_name: str, backend: str = DEFAULT_BACKEND
) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectors a build may reuse by content hash: the previous index's, then the shipped ones,
    each only when made by a backend compatible with `backend` (`embed.backends`)."""
    parts = (
        previous_embeddings(directory, model_name, backend),
        shipped_embeddings(model_name, backend),
    )
    found = [part for part in parts if part is not None]
    if len(found) < 2:
        return found[0] if found else None
    return np.concatenate([found[0][0], found[1][0]]), np.concatenate([found[0][1], found[1][1]])


def previous_embeddings(
    directory: Path, model_name: str, backend: str = DEFAULT_BACKEND
) -> tuple[np.ndarray, np.ndarray] | None:
    """Hashes and vectors of an existing index built with the same model and a compatible
    backend, to reuse on rebuild."""
    try:
        manifest = read_manifest(directory, any_format=True)  # vectors kept their layout
    except (FileNotFoundError, ValueError):
        return None
    if manifest.get("model") != model_name:
        return None
    if not compatible(manifest.get("backend", DEFAULT_BACKEND), backend):
        LOG.info("not reusing the vectors in %s: another encoder backend made them", directory)
        return None
    try:
        hashes = np.load(Path(directory) / HASHES_FILE, allow_pickle=False)
        vectors = np.load(Path(directory) / EMBEDDINGS_FILE, allow_pickle=False)
    except (OSError, ValueError) as error:  # missing or damaged: encode everything again
        LOG.warning("not reusing the vectors in %s (%s)", directory, error)
        return None
    return (hashes, vectors) if len(hashes) == len(vectors) else None


def build_bundle(
    catalog: pd.DataFrame,
    encoder: Encoder,
    kind: str = "auto",
    fields: Sequence[str] = DEFAULT_FIELDS,
    tokenizer: Tokenizer | None = None,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
    show_progress: bool = False,
    progress: Progress | None = None,
    keyword_fields: Sequence[str] = KEYWORD_FIELDS,
) -> tuple[IndexBundle, int]:
    """Everything an index holds, in memory; returns the bundle and how many rows were encoded.

    `fields` make the embedded documents, `keyword_fields` the BM25 ones.
    """
    check_kind(kind)
    fields = check_fields(fields)
    keyword_fields = check_fields(keyword_fields)
    tokenizer = tokenizer or Tokenizer()
    documents = build_documents(catalog, fields)
    vectors, hashes, encoded = encode_cached(encoder, documents, previous, show_progress, progress)
    keyword_documents = (
        documents if keyword_fields == fields else build_documents(catalog, keyword_fields)
    )
    bm25 = BM25Index.build(
        [tokenizer(doc) for doc in keyword_documents], show_progress=show_progress
    )
    manifest = {
        "model": encoder.name,
        "backend": backend_of(encoder),
        "document": {"fields": list(fields), "keyword_fields": list(keyword_fields)},
        "catalog": {"fingerprint": catalog_fingerprint(catalog), "rows": len(catalog)},
    }
    bundle = IndexBundle(
        manifest=manifest,
        catalog=catalog,
        embeddings=vectors,
        hashes=hashes,
        dense=DenseIndex.build(vectors, kind=kind),
        bm25=bm25,
        tokenizer=tokenizer,
    )
    return bundle, encoded


def build_index(
    catalog_path: Path,
    directory: Path,
    encoder: Encoder,
    kind: str = "auto",
    fields: Sequence[str] = DEFAULT_FIELDS,
    show_progress: bool = False,
    progress: Progress | None = None,
) -> tuple[IndexBundle, BuildReport]:
    """Validate the catalog, build every component and write the directory atomically."""
    start = time.perf_counter()
    catalog = load_catalog(catalog_path)
    previous = reusable_embeddings(directory, encoder.name, backend_of(encoder))
    bundle, encoded = build_bundle(
        catalog,
        encoder,
        kind,
        fields,
        previous=previous,
        show_progress=show_progress,
        progress=progress,
    )
    source = os.fsencode(Path(catalog_path).resolve()).decode("utf-8", "replace")  # printable
    bundle.manifest["catalog"]["source"] = source
    try:
        save_index(directory, bundle)
    except OSError as error:
        raise IndexWriteError(write_failure(Path(directory), error)) from error
    seconds = time.perf_counter() - start
    reused = len(catalog) - encoded
    report = BuildReport(
        Path(directory), len(catalog), encoded, reused, seconds, backend_of(encoder)
    )
    LOG.info("built %s: %d movies, %d encoded", directory, len(catalog), encoded)
    return bundle, report


def write_failure(directory: Path, error: OSError) -> str:
    """One line saying why the index at `directory` could not be written, and what to do."""
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        cause, todo = "the disk is full", "free some space and run `movierec build` again"
    else:
        cause = error.strerror or str(error)
        todo = "check that its folder is writable, or pass --index to build elsewhere"
    return (
        f"cannot write the index to {directory}: {cause}{where}; {todo}; "
        "any previous index is unchanged"
    )
