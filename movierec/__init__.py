"""movierec: an offline movie recommender (sentence-transformers + FAISS + BM25)."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
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
