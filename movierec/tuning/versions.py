"""Adapter versions beside the index: `<index>.adapter/versions/<time>-<hash>/` + `CURRENT`."""

from __future__ import annotations

from pathlib import Path

from movierec import versions
from movierec.tuning.adapter import RETUNE, Adapter, AdapterError


def adapter_dir(index_dir: str | Path) -> Path:
    """Where the adapters of an index live: beside it, so a rebuild keeps them."""
    index_dir = Path(index_dir)
    return index_dir.with_name(f"{index_dir.name}.adapter")


def save_adapter_version(
    adapter: Adapter, root: str | Path, keep: int = versions.KEEP_VERSIONS
) -> Path:
    """Write a new version and atomically make it current; keeps the newest `keep`."""
    return versions.publish(root, adapter.save, adapter.digest()[:8], keep)


def load_current_adapter(
    root: str | Path, model: str | None = None, dimension: int | None = None
) -> Adapter | None:
    """The adapter `root/CURRENT` names (None before the first tuning), checked against the
    base `model` and `dimension`."""
    folder = versions.current_folder(root, AdapterError, RETUNE)
    return None if folder is None else Adapter.load(folder, model, dimension)
