"""An index on disk: a directory holding manifest.json plus one file per component."""

from __future__ import annotations

import json
import logging
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from movierec.catalog_text import ROW_GROUP, LongText, read_catalog
from movierec.files import atomic_directory
from movierec.index.base import DamagedIndexError, IndexMismatchError, StaleIndexError
from movierec.index.bm25 import BM25Index, Tokenizer
from movierec.index.dense import VECTORS_FILE, DenseIndex

LOG = logging.getLogger(__name__)
FORMAT_VERSION = 3  # 3: BM25 as .npy arrays (memory-mapped), hnsw_sq; 2: no title in BM25
MANIFEST = "manifest.json"
CATALOG_FILE = "catalog.parquet"
EMBEDDINGS_FILE = VECTORS_FILE  # written by DenseIndex.save
HASHES_FILE = "hashes.npy"


__all__ = [  # the errors live in movierec.index.base; importable from here as before
    "DamagedIndexError",
    "IndexBundle",
    "IndexMismatchError",
    "StaleIndexError",
    "load_index",
    "read_manifest",
    "save_index",
]


@dataclass
class IndexBundle:
    """Everything a recommender needs, as built or as loaded from disk."""

    manifest: dict[str, Any]
    catalog: pd.DataFrame
    embeddings: np.ndarray
    hashes: np.ndarray
    dense: DenseIndex
    bm25: BM25Index
    tokenizer: Tokenizer
    long_text: LongText | None = None  # a large catalog's overview, tagline, keywords
    # the films' views once computed, by what made them (movierec.tuning.views; not saved here)
    views: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)


def _versions() -> dict[str, str]:
    names = ("movierec", "faiss-cpu", "sentence-transformers", "numpy", "pandas", "torch")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def save_index(directory: Path, bundle: IndexBundle) -> dict[str, Any]:
    """Write every component and the manifest atomically; returns the manifest written."""
    with atomic_directory(Path(directory)) as tmp:
        if bundle.long_text is not None:
            raise ValueError("a catalog loaded without its long text cannot be saved again")
        bundle.catalog.to_parquet(tmp / CATALOG_FILE, index=False, row_group_size=ROW_GROUP)
        np.save(tmp / HASHES_FILE, bundle.hashes)
        entries = {"dense": bundle.dense.save(tmp), "bm25": bundle.bm25.save(tmp)}
        manifest = {
            **bundle.manifest,
            "format_version": FORMAT_VERSION,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "dimension": int(bundle.embeddings.shape[1]),
            "metric": "inner_product",
            "normalized": True,
            **entries,
            "tokenizer": bundle.tokenizer.settings(),
            "counts": {
                "movies": len(bundle.catalog),
                "vocabulary": bundle.bm25.params()["vocab_size"],
            },
            "files": [*sorted(p.name for p in tmp.iterdir()), MANIFEST],
            "versions": _versions(),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    bundle.manifest = manifest
    LOG.info("index written to %s (%d movies)", directory, len(bundle.catalog))
    return manifest


def read_manifest(directory: Path, any_format: bool = False) -> dict[str, Any]:
    """The manifest of an index directory; FileNotFoundError says how to build one.

    An index of an older format raises StaleIndexError, of a newer or unknown one
    IndexMismatchError, unless `any_format`.
    """
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(
            f"no index at {directory} (missing {MANIFEST}); run `movierec build`"
        )
    manifest = json.loads(path.read_text())
    version = manifest.get("format_version")
    if version != FORMAT_VERSION and not any_format:
        older = isinstance(version, int) and 0 < version < FORMAT_VERSION
        raise (StaleIndexError if older else IndexMismatchError)(
            f"index format {version} at {directory} is not the supported "
            f"format {FORMAT_VERSION}; rebuild it with `movierec build`"
        )
    return manifest


def check_manifest(manifest: dict[str, Any], **expected: Any) -> None:
    """Raise IndexMismatchError naming both values for the first expectation that fails."""
    keys = {
        "model": ("model",),
        "dimension": ("dimension",),
        "fingerprint": ("catalog", "fingerprint"),
    }
    for name, want in expected.items():
        if want is None:
            continue
        have: Any = manifest
        for key in keys[name]:
            have = have.get(key) if isinstance(have, dict) else None
        if have != want:
            error = StaleIndexError if name == "fingerprint" else IndexMismatchError
            raise error(
                f"index {name} mismatch: the index was built with {name} {have!r} but "
                f"{want!r} was asked for; rebuild it with `movierec build`"
            )


def load_index(
    directory: Path,
    expect_model: str | None = None,
    expect_dimension: int | None = None,
    expect_fingerprint: str | None = None,
) -> IndexBundle:
    """Load an index directory, refusing one built for another model, dimension or catalog."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    check_manifest(
        manifest, model=expect_model, dimension=expect_dimension, fingerprint=expect_fingerprint
    )
    tokenizer = Tokenizer.from_settings(manifest["tokenizer"])
    dense = DenseIndex.load(directory, manifest["dense"])
    catalog, long_text = read_catalog(directory / CATALOG_FILE)
    return IndexBundle(
        manifest=manifest,
        catalog=catalog,
        embeddings=dense.vectors,
        hashes=np.load(directory / HASHES_FILE, allow_pickle=False),
        dense=dense,
        bm25=BM25Index.load(directory, manifest["bm25"]),
        tokenizer=tokenizer,
        long_text=long_text,
    )
