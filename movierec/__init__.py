"""movierec: an offline movie recommender (sentence-transformers + FAISS + BM25)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__version__ = "0.1.0"

# The repository keeps `index/`, `embed/` and `app/` at its top level; the wheel installs them as
# `movierec.index`, `movierec.embed` and `movierec.app` (pyproject `package-dir`). Run from a
# source checkout, the same names resolve to those top-level folders.
_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "index" / "__init__.py").is_file():
    __path__.append(str(_CHECKOUT))
__all__ = ["Filters", "Hit", "Recommender", "Settings"]

_EXPORTS = {
    "Recommender": "movierec.recommender",
    "Filters": "movierec.filters",
    "Hit": "movierec.hits",
    "Settings": "movierec.settings",
}


def __getattr__(name: str) -> Any:
    """Import the public classes lazily, so `import movierec` stays cheap."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'movierec' has no attribute {name!r}")
