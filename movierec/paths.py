"""Where movierec keeps its indexes and data by default."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def home() -> Path:
    """`$MOVIEREC_HOME`, or ~/.cache/movierec."""
    configured = os.environ.get("MOVIEREC_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "movierec"


def default_index_dir(catalog_path: Path) -> Path:
    """One index directory per catalog file, named after it."""
    resolved = Path(catalog_path).expanduser().resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:8]
    return home() / "indexes" / f"{resolved.stem}-{digest}"


def community_dir(index_dir: Path) -> Path:
    """Where the community model of an index lives: beside it, so a rebuild keeps it."""
    index_dir = Path(index_dir)
    return index_dir.with_name(f"{index_dir.name}.community")
