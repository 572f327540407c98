"""A 2-D map of the catalog: t-SNE of the embeddings, computed once per index and cached."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from movierec.config import home

LOG = logging.getLogger(__name__)


def map_path(fingerprint: str, model: str) -> Path:
    """Where the coordinates for one catalog and model are kept."""
    safe_model = "".join(c if c.isalnum() else "-" for c in model)[-40:]
    return home() / "maps" / f"{fingerprint[:16]}-{safe_model}.npy"


def project(embeddings: np.ndarray, seed: int = 0) -> np.ndarray:
    """(n, 2) float32 coordinates scaled to [-1, 1]: PCA to 50 dimensions, then t-SNE."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    vectors = np.asarray(embeddings, dtype=np.float32)
    n = len(vectors)
    if n < 4:
        coords = np.zeros((n, 2), dtype=np.float32)
        coords[:, 0] = np.linspace(-1, 1, n) if n > 1 else 0.0
        return coords
    reduced = PCA(n_components=min(50, n - 1, vectors.shape[1]), random_state=seed).fit_transform(
        vectors
    )
    perplexity = float(min(30.0, (n - 1) / 3))
    coords = TSNE(
        n_components=2, perplexity=perplexity, init="pca", random_state=seed, metric="cosine"
    ).fit_transform(reduced)
    coords -= coords.mean(axis=0)
    scale = float(np.abs(coords).max()) or 1.0
    return (coords / scale).astype(np.float32)


def cached_projection(embeddings: np.ndarray, fingerprint: str, model: str) -> np.ndarray:
    """Coordinates from the cache file, or computed and written atomically."""
    path = map_path(fingerprint, model)
    if path.exists():
        coords = np.load(path, allow_pickle=False)
        if coords.shape == (len(embeddings), 2):
            return coords
        LOG.warning("ignoring %s: it holds %s coordinates", path, coords.shape)
    coords = project(embeddings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp-{os.getpid()}.npy")
    np.save(tmp, coords, allow_pickle=False)
    os.replace(tmp, path)
    return coords
