"""The pre-trained adapter shipped in movierec/data/adapter/.

The packaged catalog's index serves it until its first `movierec tune` (`default_adapter`);
`movierec tune --shipped` installs it as a version for any other index of the same base model.
Tuned film vectors are the adapter's map of the base vectors (shipped too, for the packaged
catalog: movierec/data/catalog_vectors.npz), so they are not shipped twice.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from movierec.tuning.adapter import MANIFEST, Adapter, AdapterError

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "adapter"


def shipped_adapter(model: str | None = None, dimension: int | None = None) -> Adapter | None:
    """The packaged adapter (None when this install has none), checked against the base model."""
    if not (SHIPPED / MANIFEST).exists():
        return None
    return Adapter.load(SHIPPED, model, dimension)


def default_adapter(index_manifest: dict[str, Any], dimension: int) -> Adapter | None:
    """The shipped adapter when it was trained for this very index: the same base model,
    dimension and catalog (the packaged one, by content fingerprint); None for any other
    index, which serves its base vectors until its first `movierec tune`."""
    shipped = _shipped_manifest()
    catalog = (index_manifest.get("catalog") or {}).get("fingerprint")
    if (
        shipped.get("base_model") != index_manifest.get("model")
        or shipped.get("dimension") != dimension
        or (shipped.get("data") or {}).get("catalog") != catalog
    ):
        return None
    try:
        return shipped_adapter(index_manifest.get("model"), dimension)
    except AdapterError:
        return None


def is_shipped(index_manifest: dict[str, Any]) -> bool:
    """Whether the index is served through the shipped adapter (trained on MovieLens
    ml-latest-small and tags_dev: evaluating it on those data would leak)."""
    digest = (index_manifest.get("adapter") or {}).get("digest")
    return digest is not None and _shipped_manifest().get("digest") == digest


def taste_kind(index_manifest: dict[str, Any]) -> str:
    """Which text side an index is served through: "plain" sentence vectors, the "shipped"
    pre-trained adapter, or one `movierec tune` learnt here ("tuned")."""
    if not index_manifest.get("adapter"):
        return "plain"
    return "shipped" if is_shipped(index_manifest) else "tuned"


def taste_model(index_manifest: dict[str, Any]) -> str:
    """`taste_kind` in words (a tuned adapter with its digest)."""
    kind = taste_kind(index_manifest)
    if kind == "plain":
        return "plain sentence vectors"
    if kind == "shipped":
        return "pre-trained adapter shipped with movierec (MovieLens likes and tags)"
    digest = str(index_manifest["adapter"].get("digest", ""))[:8]
    return f"adapter learnt here by movierec tune ({digest})"


@cache
def _shipped_manifest() -> dict[str, Any]:
    """The shipped adapter's manifest, read once per process ({} when this install has none
    or it is unreadable: then nothing is served or recognised as shipped)."""
    try:
        manifest = json.loads((SHIPPED / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}
