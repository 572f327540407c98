"""The pre-trained adapter shipped in movierec/data/adapter/ (`movierec tune --shipped`).

Tuned film vectors are the adapter's map of the base vectors (shipped too, for the packaged
catalog: movierec/data/catalog_vectors.npz), so they are not shipped twice.
"""

from __future__ import annotations

from pathlib import Path

from movierec.tuning.adapter import Adapter

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "adapter"


def shipped_adapter(model: str | None = None, dimension: int | None = None) -> Adapter | None:
    """The packaged adapter (None when this install has none), checked against the base model."""
    if not (SHIPPED / "manifest.json").exists():
        return None
    return Adapter.load(SHIPPED, model, dimension)
