"""The adapter shipped in movierec/data/adapter/ and the default catalog's tuned vectors.

`vectors.npy` (float16) holds the tuned vector of each default-catalog document and `hashes.npy`
its content hash (movierec.embed.cache.content_hashes: model name + document text), so an index
build can take a film's tuned vector when its document is unchanged instead of mapping it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from movierec.tuning.adapter import Adapter

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "adapter"
VECTORS = "vectors.npy"
HASHES = "hashes.npy"


def shipped_adapter(model: str | None = None, dimension: int | None = None) -> Adapter | None:
    """The packaged adapter (None when this install has none), checked against the base model."""
    if not (SHIPPED / "manifest.json").exists():
        return None
    return Adapter.load(SHIPPED, model, dimension)


def save_tuned_vectors(directory: Path, vectors: np.ndarray, hashes: np.ndarray) -> None:
    """Write tuned vectors as float16 beside their document hashes."""
    np.save(Path(directory) / VECTORS, np.asarray(vectors, dtype=np.float16), allow_pickle=False)
    np.save(Path(directory) / HASHES, np.asarray(hashes), allow_pickle=False)


def tuned_vectors(hashes: np.ndarray, directory: Path = SHIPPED) -> np.ndarray | None:
    """float32 unit tuned vectors for documents whose hash is shipped; rows of unknown hashes
    are NaN. None when nothing is shipped."""
    if not (Path(directory) / VECTORS).exists():
        return None
    stored = np.load(Path(directory) / VECTORS, allow_pickle=False).astype(np.float32)
    known = {h: i for i, h in enumerate(np.load(Path(directory) / HASHES, allow_pickle=False))}
    out = np.full((len(hashes), stored.shape[1]), np.nan, dtype=np.float32)
    for row, digest in enumerate(hashes):
        if digest in known:
            out[row] = stored[known[digest]]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(np.isnan(norms), 1.0, np.maximum(norms, 1e-12))
