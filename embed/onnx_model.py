"""Run an exported sentence-transformers model with ONNX Runtime: tokenize, infer, pool, normalize.

Reproduces the model's own pipeline (its `tokenizer.json`, truncation at `max_seq_length`, mean or
CLS pooling, L2 normalization) without torch. Texts are sorted by token count before batching so
that a batch pads to similar lengths.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from movierec.embed.onnx_export import ExportError

LOG = logging.getLogger(__name__)
POOLINGS = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}


def sentence_settings(location: str) -> tuple[int, str]:
    """(max_seq_length, pooling) of the sentence-transformers model folder at `location`."""
    folder = Path(location)
    bert = folder / "sentence_bert_config.json"
    max_length = json.loads(bert.read_text()).get("max_seq_length") if bert.is_file() else None
    pooling = "mean"
    configs = sorted(folder.glob("*Pooling*/config.json"))
    if configs:
        config = json.loads(configs[0].read_text())
        if isinstance(config.get("pooling_mode"), str):  # sentence-transformers >= 6 writes this
            pooling = config["pooling_mode"]
        else:
            modes = [k for k, on in config.items() if k.startswith("pooling_mode") and on is True]
            pooling = POOLINGS.get(modes[0], modes[0]) if len(modes) == 1 else " and ".join(modes)
    if pooling not in POOLINGS.values():
        raise ExportError(
            f"the ONNX backends pool by mean or CLS token, and the model at {location} "
            f"pools by {pooling or 'nothing'}; use --backend torch"
        )
    return int(max_length or 512), pooling


def providers(use_cuda: bool) -> list[str]:
    """CUDA first when asked for and this onnxruntime has it, then the CPU."""
    import onnxruntime

    available = onnxruntime.get_available_providers()
    wanted = ["CUDAExecutionProvider"] if use_cuda else []
    return [p for p in wanted if p in available] + ["CPUExecutionProvider"]


class OnnxModel:
    """A sentence-transformers model as an ONNX Runtime session plus its tokenizer."""

    def __init__(self, location: str, model_file: Path, use_cuda: bool = False):
        import onnxruntime
        from tokenizers import Tokenizer

        self.max_length, self.pooling = sentence_settings(location)
        tokenizer_file = Path(location) / "tokenizer.json"
        if not tokenizer_file.is_file():
            raise ExportError(f"no tokenizer.json in {location}; use --backend torch")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # no notes about nodes placed on the CPU
        self.session = onnxruntime.InferenceSession(
            str(model_file), options, providers=providers(use_cuda)
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(
        self, texts: Sequence[str], batch_size: int = 16, show_progress: bool = False
    ) -> np.ndarray:
        """L2-normalized float32 vectors of `texts`, in order."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="Batches", disable=not show_progress):
            rows = order[start : start + batch_size]
            vectors[rows] = self._batch([encodings[r] for r in rows])
        return vectors

    def _batch(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, encoding in enumerate(encodings):
            ids[i, : len(encoding.ids)] = encoding.ids
            mask[i, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        tokens = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        if self.pooling == "cls":
            pooled = tokens[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)
