"""Content-hash caching of embeddings so a rebuild encodes only new or changed texts."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

LOG = logging.getLogger(__name__)
HASH_DTYPE = "S40"


class TextEncoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...


def content_hashes(texts: Sequence[str], model_name: str) -> np.ndarray:
    """sha1 of model name and text, one fixed-width bytes entry per text."""
    prefix = model_name.encode() + b"\x00"
    digests = [hashlib.sha1(prefix + t.encode()).hexdigest() for t in texts]
    return np.array(digests, dtype=HASH_DTYPE)


def encode_cached(
    encoder: TextEncoder,
    texts: Sequence[str],
    previous: tuple[np.ndarray, np.ndarray] | None = None,
    show_progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Encode texts, reusing vectors from `previous` (hashes, vectors) whose hash matches.

    Returns (vectors, hashes, number of texts actually encoded).
    """
    hashes = content_hashes(texts, encoder.name)
    known = {} if previous is None else {h: i for i, h in enumerate(previous[0])}
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    fresh = encoder.encode([texts[i] for i in missing], show_progress=show_progress)
    dim = fresh.shape[1] if len(missing) else previous[1].shape[1]  # type: ignore[index]
    vectors = np.empty((len(texts), dim), dtype=np.float32)
    fresh_rows = {hashes[i]: row for row, i in enumerate(missing)}
    for i, h in enumerate(hashes):
        vectors[i] = fresh[fresh_rows[h]] if h in fresh_rows else previous[1][known[h]]  # type: ignore[index]
    LOG.info("embeddings: %d reused, %d encoded", len(texts) - len(missing), len(missing))
    return vectors, hashes, len(missing)
