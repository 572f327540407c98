"""Content-hash caching of embeddings so a rebuild encodes only new or changed texts."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

LOG = logging.getLogger(__name__)
HASH_DTYPE = "S40"
PROGRESS_CHUNK = 512
Progress = Callable[[int, int], None]


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
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Encode texts, reusing vectors from `previous` (hashes, vectors) whose hash matches.

    `progress(done, total)` is called as chunks of new texts are encoded (for a UI progress bar).
    Returns (vectors, hashes, number of texts actually encoded).
    """
    hashes = content_hashes(texts, encoder.name)
    known = {} if previous is None else {h: i for i, h in enumerate(previous[0])}
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    if missing:
        fresh = _encode(encoder, [texts[i] for i in missing], show_progress, progress)
    else:  # everything reused: the model is not even loaded
        fresh = np.zeros((0, 0), dtype=np.float32)
        if progress is not None:
            progress(0, 0)
    dim = fresh.shape[1] if len(missing) else previous[1].shape[1]  # type: ignore[index]
    vectors = np.empty((len(texts), dim), dtype=np.float32)
    fresh_rows = {hashes[i]: row for row, i in enumerate(missing)}
    for i, h in enumerate(hashes):
        vectors[i] = fresh[fresh_rows[h]] if h in fresh_rows else previous[1][known[h]]  # type: ignore[index]
    LOG.info("embeddings: %d reused, %d encoded", len(texts) - len(missing), len(missing))
    return vectors, hashes, len(missing)


def _encode(
    encoder: TextEncoder, texts: list[str], show_progress: bool, progress: Progress | None
) -> np.ndarray:
    if progress is None or len(texts) <= PROGRESS_CHUNK:
        vectors = encoder.encode(texts, show_progress=show_progress)
        if progress is not None:
            progress(len(texts), len(texts))
        return vectors
    parts = []
    for start in range(0, len(texts), PROGRESS_CHUNK):
        parts.append(encoder.encode(texts[start : start + PROGRESS_CHUNK], show_progress=False))
        progress(min(len(texts), start + PROGRESS_CHUNK), len(texts))
    return np.concatenate(parts)
