"""The adapter: a small residual map on frozen sentence vectors, applied with numpy.

Documents (catalog films) go through the document map; queries through the query map, which is
the document map itself unless the adapter was trained with a separate one; "films like this"
goes through the similar map when the adapter has one (learnt from likers' neighbours). On disk
an adapter is a directory with `adapter.npz` (weights, no pickle) and `manifest.json` (base
model, dimension, kind, seed, data summary, metrics, library versions), written atomically.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from movierec.files import UNREADABLE_NPZ, file_sha256, save_arrays

FORMAT = "movierec-adapter"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "adapter.npz"
KINDS = ("linear", "mlp")
SIDES = ("document", "query", "similar")
RETUNE = "run `movierec tune` again"


class AdapterError(ValueError):
    """A stored adapter is missing, corrupt, or made for another base model or dimension."""


@dataclass
class Adapter:
    """Residual map x + f(x), then L2-normalized; f is linear (W, b) or an MLP (W1, b1, W2, b2).

    `weights` holds arrays named `<side>.<name>`, side "document" and, with a separate query
    map, "query"; with a similar map, "similar".
    """

    kind: str
    base_model: str
    dimension: int
    weights: dict[str, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def separate_query(self) -> bool:
        return any(name.startswith("query.") for name in self.weights)

    @property
    def has_similar(self) -> bool:
        return any(name.startswith("similar.") for name in self.weights)

    @property
    def views(self) -> tuple[tuple[str, ...], ...]:
        """The catalog fields of each view the document map reads beside a film's vector
        (movierec.tuning.views); () for a map of the vector alone."""
        return tuple(tuple(fields) for fields in self.info.get("views") or ())

    def _apply(self, side: str, vectors: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
        x = np.asarray(vectors, dtype=np.float32)
        full = x if extra is None else np.hstack([x, np.asarray(extra, dtype=np.float32)])
        w = {k.split(".", 1)[1]: v for k, v in self.weights.items() if k.startswith(side + ".")}
        if self.kind == "linear":
            y = x + full @ w["W"] + w["b"]
        else:
            y = x + np.maximum(full @ w["W1"] + w["b1"], 0.0) @ w["W2"] + w["b2"]
        norms = np.linalg.norm(y, axis=-1, keepdims=True)
        return (y / np.maximum(norms, 1e-12)).astype(np.float32)

    def documents(self, vectors: np.ndarray, views: np.ndarray | None = None) -> np.ndarray:
        """Mapped unit vectors of catalog documents, shape as given; an adapter with `views`
        needs each film's view vectors (`movierec.tuning.views.film_views`), row for row."""
        if not self.views:
            return self._apply("document", vectors)
        width = len(self.views) * self.dimension
        if views is None or np.shape(views) != (len(vectors), width):
            got = "none" if views is None else f"shape {np.shape(views)}"
            raise AdapterError(
                f"this adapter's document map also reads {len(self.views)} views of each film "
                f"({', '.join('+'.join(v) for v in self.views)}): expected an array of shape "
                f"{(len(vectors), width)}, got {got}; movierec.tuning.views.film_views makes it"
            )
        return self._apply("document", vectors, views)

    def queries(self, vectors: np.ndarray) -> np.ndarray:
        """Mapped unit vectors of free-text queries (the document map when shared)."""
        return self._apply("query" if self.separate_query else "document", vectors)

    def similars(self, vectors: np.ndarray, views: np.ndarray | None = None) -> np.ndarray:
        """Mapped unit vectors of catalog documents for "films like this" (the document map,
        with its `views`, when the adapter has no similar map)."""
        if self.has_similar:
            return self._apply("similar", vectors)
        return self.documents(vectors, views)

    def digest(self) -> str:
        """sha256 of kind, model and weights: equal adapters, equal digests."""
        sha = hashlib.sha256(f"{self.kind}\0{self.base_model}\0{self.dimension}".encode())
        for name in sorted(self.weights):
            sha.update(name.encode() + np.ascontiguousarray(self.weights[name]).tobytes())
        return sha.hexdigest()

    def check(self, model: str | None = None, dimension: int | None = None) -> None:
        """Raise AdapterError naming both values when made for another model or dimension."""
        if model is not None and model != self.base_model:
            raise AdapterError(
                f"adapter mismatch: it was trained on base model {self.base_model!r} but the "
                f"index uses {model!r}; {RETUNE}"
            )
        if dimension is not None and int(dimension) != self.dimension:
            raise AdapterError(
                f"adapter mismatch: it maps {self.dimension}-dimensional vectors but the index "
                f"holds {int(dimension)}-dimensional ones; {RETUNE}"
            )

    def check_views(self, where: object = "the adapter") -> None:
        """Raise AdapterError when the document map's input width does not match the views
        its manifest names (a hand-edited or damaged manifest would fail at serving)."""
        first = self.weights.get("document.W" if self.kind == "linear" else "document.W1")
        expected = self.dimension * (1 + len(self.views))
        if first is not None and first.shape[0] != expected:
            raise AdapterError(
                f"{where}: the document map reads {first.shape[0]} numbers a film but the "
                f"manifest names {len(self.views)} views of {self.dimension} ({expected}); "
                f"{RETUNE}"
            )

    def save(self, directory: str | Path) -> dict[str, Any]:
        """Write `adapter.npz` and `manifest.json` atomically; returns the manifest."""
        arrays = {k: np.asarray(v, dtype=np.float32) for k, v in self.weights.items()}
        manifest = {
            **self.info,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "base_model": self.base_model,
            "dimension": self.dimension,
            "separate_query": self.separate_query,
            "similar_map": self.has_similar,
            "digest": self.digest(),
            "versions": library_versions(),
        }
        return save_arrays(Path(directory), WEIGHTS, arrays, manifest)

    @classmethod
    def load(
        cls, directory: str | Path, model: str | None = None, dimension: int | None = None
    ) -> Adapter:
        """Load an adapter, refusing one made for another base `model` or `dimension`."""
        directory = Path(directory)
        manifest = read_manifest(directory)
        path = directory / WEIGHTS
        if not path.exists() or file_sha256(path) != manifest["files"].get(WEIGHTS):
            raise AdapterError(f"{path} is missing or does not match its manifest; {RETUNE}")
        try:
            with np.load(path, allow_pickle=False) as npz:
                weights = {name: npz[name] for name in npz.files}
        except UNREADABLE_NPZ as error:
            raise AdapterError(f"{path} is unreadable ({error}); {RETUNE}") from error
        info = {k: v for k, v in manifest.items() if k not in ("files", "format", "digest")}
        adapter = cls(
            manifest["kind"], manifest["base_model"], manifest["dimension"], weights, info
        )
        adapter.check(model, dimension)
        adapter.check_views(path)
        return adapter


def read_manifest(directory: Path) -> dict[str, Any]:
    """The checked manifest of an adapter directory; AdapterError when missing or foreign."""
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise AdapterError(f"no adapter at {directory} (missing {MANIFEST}); {RETUNE}")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, OSError) as error:
        raise AdapterError(f"{path} is not valid JSON ({error}); {RETUNE}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise AdapterError(f"{path} is not an adapter manifest (expected format {FORMAT!r})")
    if manifest.get("format_version") != FORMAT_VERSION or manifest.get("kind") not in KINDS:
        raise AdapterError(
            f"{path}: adapter format {manifest.get('format_version')} / kind "
            f"{manifest.get('kind')!r} is not supported; {RETUNE}"
        )
    return manifest


def library_versions() -> dict[str, str]:
    """Versions of the libraries that made an artifact."""
    found = {"python": platform.python_version()}
    for name in ("movierec", "numpy", "torch", "sentence-transformers"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
