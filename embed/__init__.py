"""Turn movies and queries into normalized sentence-transformers vectors."""

from __future__ import annotations

from embed.cache import encode_cached
from embed.documents import DEFAULT_FIELDS, KEYWORD_FIELDS, build_documents
from embed.encoder import Encoder
from embed.model import DEFAULT_MODEL, resolve_model

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_MODEL",
    "KEYWORD_FIELDS",
    "Encoder",
    "build_documents",
    "encode_cached",
    "resolve_model",
]
