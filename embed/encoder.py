"""A thin, always-normalizing wrapper around a sentence-transformers model, run by torch or by
ONNX Runtime (`embed.backends`)."""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from movierec.embed.backends import check_backend
from movierec.embed.model import canonical_name, resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from movierec.embed.onnx_model import OnnxModel

LOG = logging.getLogger(__name__)


class Encoder:
    """Encodes texts to float32, L2-normalized vectors; the model loads on first use.

    `backend` is torch, onnx or onnx-int8 (`embed.backends`); the ONNX files are exported once
    into `home` (default: MOVIEREC_HOME). The model runs on CUDA when there is one (int8 on CPU).
    With onnx-int8 only documents go through the int8 model (bulk encoding is where it pays);
    single queries use the float ONNX export, which keeps search within 2% of torch
    (docs/benchmarks.md, "Encoder backends").
    """

    def __init__(
        self,
        model_name: str | None = None,
        batch_size: int = 64,
        cache_size: int = 256,
        backend: str | None = None,
        home: Path | None = None,
    ):
        self.name = canonical_name(model_name)
        self.location = resolve_model(model_name)
        self.backend = check_backend(backend)
        self.batch_size = batch_size
        self.home = home
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @cached_property
    def model(self) -> SentenceTransformer | OnnxModel:
        """The loaded model (offline when it is a local folder)."""
        if Path(self.location).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        start = time.perf_counter()
        model = self._load_torch() if self.backend == "torch" else self._load_onnx()
        LOG.info(
            "loaded model %s (%s) in %.1fs", self.name, self.backend, time.perf_counter() - start
        )
        return model

    def _load_torch(self) -> SentenceTransformer:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise here
        device = "cuda" if torch.cuda.is_available() else "cpu"
        return SentenceTransformer(self.location, device=device)

    def _load_onnx(self, backend: str | None = None) -> OnnxModel:
        from movierec.config import home
        from movierec.embed.onnx_export import exported_model
        from movierec.embed.onnx_model import OnnxModel

        backend = backend or self.backend
        root = self.home if self.home is not None else home()
        path = exported_model(root, self.name, self.location, backend)
        return OnnxModel(self.location, path, use_cuda=backend == "onnx")

    @cached_property
    def query_model(self) -> SentenceTransformer | OnnxModel:
        """The model single queries go through: the float ONNX export for onnx-int8."""
        return self._load_onnx("onnx") if self.backend == "onnx-int8" else self.model

    @cached_property
    def dimension(self) -> int:
        """Length of the vectors this model produces."""
        if self.backend != "torch":
            return int(self.model.dimension)  # type: ignore[union-attr]
        get_dim = getattr(self.model, "get_embedding_dimension", None)
        dim = get_dim() if get_dim else self.model.get_sentence_embedding_dimension()
        return int(dim) if dim else int(self.encode(["dimension probe"]).shape[1])

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Encode texts in batches; returns an (n, d) float32 array of unit vectors."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.backend != "torch":
            return self.model.encode(texts, show_progress=show_progress)  # type: ignore[call-arg]
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """Encode one query; recent queries are served from a small in-memory cache."""
        cached = self._query_cache.get(text)
        if cached is not None:
            self._query_cache.move_to_end(text)
            return cached
        if self.backend == "onnx-int8":
            vector = self.query_model.encode([text])[0]  # type: ignore[call-arg]
        else:
            vector = self.encode([text])[0]
        self._query_cache[text] = vector
        if len(self._query_cache) > self._cache_size:
            self._query_cache.popitem(last=False)
        return vector
