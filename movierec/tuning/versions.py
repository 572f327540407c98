"""Adapter versions beside the index: `<index>.adapter/versions/<time>-<hash>/` + `CURRENT`."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from movierec import versions
from movierec.files import atomic_directory
from movierec.tuning.adapter import FORMAT, FORMAT_VERSION, MANIFEST, RETUNE, Adapter, AdapterError

BASE_KIND = "none"  # a version that serves the base vectors (`movierec tune --base`)


def adapter_dir(index_dir: str | Path) -> Path:
    """Where the adapters of an index live: beside it, so a rebuild keeps them."""
    index_dir = Path(index_dir)
    return index_dir.with_name(f"{index_dir.name}.adapter")


def save_adapter_version(
    adapter: Adapter, root: str | Path, keep: int = versions.KEEP_VERSIONS
) -> Path:
    """Write a new version and atomically make it current; keeps the newest `keep`."""
    return _publish(root, adapter.save, adapter.digest()[:8], keep)


def save_base_version(root: str | Path, keep: int = versions.KEEP_VERSIONS) -> Path:
    """Publish a version that serves the base vectors (no adapter, not even a fallback) until
    the next tuning; the previous versions stay, as after any tuning."""

    def write(folder: Path) -> None:
        with atomic_directory(folder) as tmp:
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": BASE_KIND}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")

    return _publish(root, write, "base", keep)


def _publish(root: str | Path, write: Callable[[Path], Any], digest: str, keep: int) -> Path:
    """`versions.publish`; AdapterError when the version cannot be written (a read-only or
    full disk): the version served before stays current."""
    try:
        return versions.publish(root, write, digest, keep)
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        raise AdapterError(
            f"cannot save the adapter under {root}: {error.strerror or error}{where}; "
            f"{'free some space' if full else 'make that folder writable'} and tune again; "
            "the version served before stays current"
        ) from None


def current_choice(
    root: str | Path, model: str | None = None, dimension: int | None = None
) -> tuple[bool, Adapter | None]:
    """What `root/CURRENT` chose: (False, None) before the first tuning, (True, None) after
    `movierec tune --base`, else (True, its adapter checked against `model` and `dimension`)."""
    folder = versions.current_folder(root, AdapterError, RETUNE)
    if folder is None:
        return False, None
    if _is_base(folder):
        return True, None
    return True, Adapter.load(folder, model, dimension)


def load_current_adapter(
    root: str | Path, model: str | None = None, dimension: int | None = None
) -> Adapter | None:
    """The adapter `root/CURRENT` names (None before the first tuning or after `tune --base`),
    checked against the base `model` and `dimension`."""
    return current_choice(root, model, dimension)[1]


def _is_base(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False  # Adapter.load says what is wrong with it
    return isinstance(manifest, dict) and manifest.get("kind") == BASE_KIND
