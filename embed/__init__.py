"""Turn movies and queries into normalized sentence-transformers vectors."""

from __future__ import annotations

from movierec.embed.cache import encode_cached
from movierec.embed.documents import DEFAULT_FIELDS, KEYWORD_FIELDS, build_documents
from movierec.embed.encoder import Encoder
from movierec.embed.model import DEFAULT_MODEL, resolve_model

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_MODEL",
    "KEYWORD_FIELDS",
    "Encoder",
    "build_documents",
    "encode_cached",
    "resolve_model",
]
