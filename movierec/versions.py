"""Versioned artifacts: `root/versions/<UTC time>-<hash>/` folders and an atomic `root/CURRENT`.

The scheme of the community models (movierec.community), for any artifact written by a function:
a new version is written whole into its own folder, then `CURRENT` is replaced atomically to name
it, and all but the newest `keep` versions are deleted (never the current one). A reader that
re-reads `CURRENT` on each call switches on its next call and never sees half a version.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CURRENT = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 3
STALE_TEMP_S = 3600.0  # a hidden temporary older than this was left by a killed writer


def version_names(root: str | Path) -> list[str]:
    """The complete version folders under `root/versions`, oldest first."""
    folder = Path(root) / VERSIONS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def current_name(
    root: str | Path, error: type[Exception] = ValueError, hint: str = "write a new version"
) -> str | None:
    """The version folder `root/CURRENT` names, or None when there is no CURRENT."""
    path = Path(root) / CURRENT
    if not path.exists():
        return None
    name = path.read_text().strip()
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise error(f"{path} does not name a version folder ({name!r}); {hint}")
    return name


def current_folder(
    root: str | Path, error: type[Exception] = ValueError, hint: str = "write a new version"
) -> Path | None:
    """The folder `root/CURRENT` names (checked to exist), or None when there is none yet."""
    name = current_name(root, error, hint)
    if name is None:
        return None
    folder = Path(root) / VERSIONS / name
    if not folder.is_dir():
        raise error(f"{Path(root) / CURRENT} points to version {name!r}, which is missing; {hint}")
    return folder


def point_current(root: Path, name: str) -> None:
    """Atomically make `root/CURRENT` name `name` (fsynced temporary file, then rename)."""
    tmp = root / f".{CURRENT}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "w") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, root / CURRENT)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def publish(
    root: str | Path, write: Callable[[Path], Any], digest: str, keep: int = KEEP_VERSIONS
) -> Path:
    """Call `write(folder)` for a new `root/versions/<UTC time>-<digest>/` (which must write it
    atomically, e.g. with movierec.files.atomic_directory), point CURRENT at it and prune.

    If `write` fails, CURRENT and every existing version are left as they were.
    """
    root = Path(root)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = root / VERSIONS / f"{stamp}-{digest}"
    write(folder)
    point_current(root, folder.name)
    for name in version_names(root)[: -max(keep, 1)]:
        if name != folder.name:
            shutil.rmtree(root / VERSIONS / name, ignore_errors=True)
    remove_stale_temporaries(root)
    return folder


def remove_stale_temporaries(root: str | Path, older_than_s: float = STALE_TEMP_S) -> list[str]:
    """Delete hidden `.….tmp-…` / `.….old-…` leftovers of killed writers under `root`; recent
    ones may belong to a writer still running and are kept. Returns the names removed."""
    root = Path(root)
    cutoff = time.time() - older_than_s
    removed = []
    for folder in (root, root / VERSIONS):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            name = path.name
            if not (name.startswith(".") and (".tmp-" in name or ".old-" in name)):
                continue
            try:
                if path.lstat().st_mtime >= cutoff:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:
                continue  # gone already, or not ours to delete: never fail a writer over it
            removed.append(name)
    return sorted(removed)
