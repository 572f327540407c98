"""A film's views: base-encoder vectors of parts of its metadata (genres and keywords; director
and cast) that an adapter's document map reads beside the film's own vector.

A film's vector is mostly its overview; the views let the map weigh what people pick films by
(docs/tuning.md, "Views of a film"). They are computed once per catalog and model, then kept in
memory on the index bundle and on disk in the adapter folder (`views.npz`, float16); the
packaged catalog's ship with movierec (`PACKAGED`), so a fresh install encodes none.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from movierec.embed.documents import build_documents
from movierec.files import UNREADABLE_NPZ, atomic_write

LOG = logging.getLogger(__name__)

VIEW_FIELDS: tuple[tuple[str, ...], ...] = (("genres", "keywords"), ("director", "cast"))
VIEWS_FILE = "views.npz"
# The packaged catalog's views, shipped like its vectors (movierec/data/catalog_vectors.npz)
PACKAGED = Path(__file__).resolve().parent.parent / "data" / "catalog_views.npz"
Fields = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FilmViews:
    """The views an adapter learns from: their catalog fields and a row of vectors per film."""

    fields: Fields
    vectors: np.ndarray


def view_texts(bundle: Any, fields: Sequence[str]) -> list[str]:
    """One text per catalog row from `fields` (embed.documents' renderers; "" when the film
    has none of them); a large catalog's long columns are read from its file."""
    catalog: pd.DataFrame = bundle.catalog
    long_text = getattr(bundle, "long_text", None)
    columns: dict[str, Any] = {}
    for name in fields:
        if name in catalog:
            columns[name] = catalog[name].tolist()
        elif long_text is not None and name in long_text.columns:
            import pyarrow.parquet as pq

            columns[name] = pq.read_table(long_text.path, columns=[name]).column(name).to_pylist()
    if not columns:
        return [""] * len(catalog)
    present = tuple(f for f in fields if f in columns)
    return build_documents(pd.DataFrame(columns), present)


def encode_views(
    bundle: Any, encoder: Any, fields: Fields = VIEW_FIELDS, show_progress: bool = False
) -> np.ndarray:
    """(films, views × dimension) float32: each view's unit vector, zeros where a film has no
    text for it."""
    parts = []
    for view in fields:
        texts = view_texts(bundle, view)
        present = [i for i, text in enumerate(texts) if text]
        vectors = np.zeros((len(texts), bundle.embeddings.shape[1]), dtype=np.float32)
        if present:
            encoded = encoder.encode([texts[i] for i in present], show_progress=show_progress)
            vectors[present] = np.asarray(encoded, dtype=np.float32)
        parts.append(vectors)
    return np.hstack(parts)


def views_key(bundle: Any, model: str, fields: Fields = VIEW_FIELDS) -> dict[str, Any]:
    """What stored views must have been made for: model, catalog fingerprint and fields."""
    fingerprint = (bundle.manifest.get("catalog") or {}).get("fingerprint")
    return {"model": model, "catalog": fingerprint, "fields": [list(f) for f in fields]}


def _read(path: Path, key: dict[str, Any], rows: int) -> np.ndarray | None:
    """The views stored at `path` when they were made for `key` and `rows` films, else None."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            if json.loads(str(stored["key"])) != key or stored["views"].shape[0] != rows:
                return None
            return stored["views"].astype(np.float32)
    except (KeyError, *UNREADABLE_NPZ) as error:
        if not isinstance(error, FileNotFoundError):  # damaged: encoded again, then rewritten
            LOG.warning("not reusing the film views in %s (%s)", path, error)
        return None


def save_views(path: Path, key: dict[str, Any], views: np.ndarray) -> None:
    """Write views (float16) with the key they were made for, atomically."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, key=np.array(json.dumps(key)), views=views.astype(np.float16))

    atomic_write(Path(path), write)


def film_views(
    bundle: Any,
    encoder: Any,
    fields: Fields = VIEW_FIELDS,
    cache_dir: str | Path | None = None,
    show_progress: bool = False,
) -> np.ndarray:
    """The index `bundle`'s film views for `fields`, made by the base `encoder`: from memory,
    `cache_dir`/views.npz, the packaged catalog's (`PACKAGED`, when made for this very catalog,
    model and fields), or encoded now (then written to `cache_dir`); the same vectors whichever
    way."""
    fields = tuple(tuple(f) for f in fields)
    key = views_key(bundle, encoder.name, fields)
    memo_key = json.dumps(key)
    memo: dict[str, np.ndarray] = getattr(bundle, "views", None)
    if memo is None:  # a bundle-like object without a memo: encoded each time
        memo = {}
    if memo_key in memo:
        return memo[memo_key]
    rows = len(bundle.catalog)
    cache = None if cache_dir is None else Path(cache_dir) / VIEWS_FILE
    views = None if cache is None else _read(cache, key, rows)
    if views is None:  # the packaged catalog's, shipped beside its vectors
        views = _read(PACKAGED, key, rows)
    if views is None:
        LOG.info("encoding %d views of %d films", len(fields), rows)
        views = encode_views(bundle, encoder, fields, show_progress)
        views = views.astype(np.float16).astype(np.float32)  # as stored, whichever way
        if cache is not None:
            try:
                save_views(cache, key, views)
            except OSError as error:  # a read-only home still serves, encoding again next time
                LOG.warning("could not keep the film views in %s (%s)", cache, error)
    memo[memo_key] = views
    return views


def views_for(
    bundle: Any, encoder: Any, config: Any, cache_dir: str | Path | None = None
) -> FilmViews | None:
    """The views a tuning with `config` (a TrainConfig) learns from: VIEW_FIELDS, or None
    with `config.views` off."""
    if not config.views:
        return None
    vectors = film_views(bundle, encoder, VIEW_FIELDS, cache_dir, config.show_progress)
    return FilmViews(VIEW_FIELDS, vectors)
