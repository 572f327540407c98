"""Atomic writes: a file or a folder is replaced whole, or not at all."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

MANIFEST = "manifest.json"
# What np.load raises on a damaged .npz (not a zip, cut short, a bad member)
UNREADABLE_NPZ = (OSError, ValueError, EOFError, zipfile.BadZipFile)


def _hidden_sibling(path: Path, kind: str) -> Path:
    return path.parent / f".{path.name}.{kind}-{uuid.uuid4().hex[:8]}"


def atomic_write(path: Path, data: str | bytes | Callable[[Path], None]) -> Path:
    """Write `data` (text, bytes, or a function that writes a given path) to `path` atomically.

    The data goes to a hidden temporary sibling that replaces `path` only once it is complete; on
    any failure the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name (for example {path}/x.json)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _hidden_sibling(path, "tmp")
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        elif isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            data(tmp)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    return path


def check_writable_file(path: Path) -> None:
    """Raise the OSError that writing `path` with `atomic_write` would meet (a parent that is a
    file, a missing or read-only location, no permission), without writing anything: a file is
    created and removed in the nearest existing folder."""
    path = Path(path)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    probe = _hidden_sibling(folder / path.name, "probe")
    try:
        probe.open("x").close()
    except OSError as error:  # named after the folder: the probe is no name the user gave
        raise OSError(error.errno, error.strerror or str(error), str(folder)) from None
    probe.unlink()


@contextmanager
def atomic_directory(directory: Path) -> Iterator[Path]:
    """Yield a temporary sibling directory that replaces `directory` only if the block succeeds.

    NotADirectoryError, before anything is written, when something other than a folder is at
    `directory`: a user's file is never replaced.
    """
    directory = Path(directory)
    if (directory.exists() or directory.is_symlink()) and not directory.is_dir():
        raise NotADirectoryError(
            errno.ENOTDIR, "a file is there, not a folder; it is left as it is", str(directory)
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = _hidden_sibling(directory, "tmp")
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = _hidden_sibling(directory, "old")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_arrays(
    directory: Path, arrays_file: str, arrays: Mapping[str, np.ndarray], manifest: dict[str, Any]
) -> dict[str, Any]:
    """Write `arrays` (one .npz, no pickle) and `manifest.json` into `directory` atomically and
    durably; the manifest gains the creation time and the arrays file's sha256. Returns it."""
    with atomic_directory(Path(directory)) as tmp:
        np.savez(tmp / arrays_file, **arrays)
        manifest = {
            **manifest,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": {arrays_file: file_sha256(tmp / arrays_file)},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        for name in (arrays_file, MANIFEST):
            with open(tmp / name, "rb") as handle:
                os.fsync(handle.fileno())
    return manifest
