"""Export a local sentence-transformers model to ONNX (and int8) once, offline, into a cache.

The transformer is traced with `torch.onnx.export` (eager attention, so that ONNX Runtime's
BERT optimizer fuses attention, layer norms and GELU), optimized, and for `onnx-int8` quantized
with dynamic per-channel int8 weights on the MatMuls and the fused attention (per-tensor weights
and int8 embeddings, quantize_dynamic's defaults, lose too much: mean cosine 0.945 to torch
instead of 0.994). Tokenizing, mean pooling and normalizing
stay outside the graph (`embed.onnx_model`).

Each file is written to a temporary sibling and renamed into place, and its sha256 is recorded in
`export.json` beside it; a file that does not match its record is exported again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

from movierec.errors import UsageError
from movierec.files import atomic_write, file_sha256

LOG = logging.getLogger(__name__)
EXPORT_VERSION = 2  # bump when the export recipe changes: older caches are exported again
MODEL_FILE = "model.onnx"
RECORD_FILE = "export.json"
OPSET = 17
QUANTIZED_OPS = ("MatMul", "Attention")  # the nodes whose weights onnx-int8 stores as int8
# ...except every layer's feed-forward output, whose outlier activations cost the most: keeping
# the first in float lifts the mean cosine to torch from 0.9925 to 0.994 (min 0.984 -> 0.990),
# all six to 0.9965, which keeps `movierec eval` within 2% of torch (docs/benchmarks.md).
FLOAT_NODES = tuple(f"/layer.{i}/output/dense/MatMul" for i in range(6))


class ExportError(UsageError):
    """The model cannot run on an ONNX backend; the message says which backend to use instead."""


def cache_dir(root: Path, model_name: str, location: str) -> Path:
    """`root/encoders/<model>-<key>`: the key changes with the model's files and the recipe."""
    folder = Path(location)
    if not folder.is_dir():
        raise ExportError(
            f"the ONNX backends export a local model folder, and {location!r} is not one; "
            "pass --model with a folder holding a sentence-transformers model, or --backend torch"
        )
    digest = hashlib.sha256(f"{EXPORT_VERSION}\0{model_name}\0{folder.resolve()}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"\0{path.relative_to(folder)}\0{path.stat().st_size}".encode())
    slug = model_name.replace("/", "--").replace(":", "-")
    return Path(root) / "encoders" / f"{slug}-{digest.hexdigest()[:12]}"


def exported_model(root: Path, model_name: str, location: str, backend: str) -> Path:
    """The ONNX file of `backend` for the model at `location`, exported first if missing.

    One export writes both ONNX backends' files (the int8 one is quantized from the other), so
    that switching between them never exports again.
    """
    folder = cache_dir(root, model_name, location)
    target = folder / backend / MODEL_FILE
    if _verified(target):
        LOG.debug("reusing the exported model %s", target)
        return target
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="movierec-export-") as work:
        plain, optimized, int8 = (Path(work) / n for n in ("plain", "optimized", "int8"))
        _export(location, plain)
        _optimize(plain, optimized, location)
        _quantize(optimized, int8)
        for name, made in (("onnx", optimized), ("onnx-int8", int8)):
            if name == backend or not _verified(folder / name / MODEL_FILE):
                _publish(made, folder / name / MODEL_FILE, name, model_name)
    seconds = time.perf_counter() - start
    LOG.info("exported %s (%s) in %.1fs to %s", model_name, backend, seconds, target)
    return target


def _verified(target: Path) -> bool:
    """Whether `target` exists and matches the sha256 recorded when it was exported."""
    record = target.parent / RECORD_FILE
    if not target.is_file() or not record.is_file():
        return False
    try:
        expected = json.loads(record.read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        expected = None
    if expected == file_sha256(target):
        return True
    LOG.warning("the exported model %s does not match its record; exporting it again", target)
    return False


def _publish(source: Path, target: Path, backend: str, model_name: str) -> None:
    """Copy `source` to `target` atomically, then record its digest (the record comes last)."""
    (target.parent / RECORD_FILE).unlink(missing_ok=True)
    atomic_write(target, source.read_bytes())
    record: dict[str, Any] = {
        "model": model_name,
        "backend": backend,
        "sha256": file_sha256(target),
        "export_version": EXPORT_VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": _versions(),
    }
    atomic_write(target.parent / RECORD_FILE, json.dumps(record, indent=2, sort_keys=True))


def _versions() -> dict[str, str]:
    found = {}
    for name in ("torch", "transformers", "onnx", "onnxruntime"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _export(location: str, path: Path) -> None:
    """Trace the transformer (token ids → token embeddings) to ONNX with dynamic batch/length."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise here
    base = AutoModel.from_pretrained(location, attn_implementation="eager").eval()

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            out = self.base(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "token_embeddings"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about Python branches on shapes
        torch.onnx.export(
            TokenEmbeddings(),
            (sample, sample, torch.zeros_like(sample)),
            str(path),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _optimize(source: Path, target: Path, location: str) -> None:
    """ONNX Runtime's transformer fusions (attention, skip layer norm, GELU), CPU-agnostic."""
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((Path(location) / "config.json").read_text())
    heads, hidden = config.get("num_attention_heads", 0), config.get("hidden_size", 0)
    model = optimize_model(
        str(source), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1
    )
    LOG.debug("fused operators: %s", model.get_fused_operator_statistics())
    model.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantization of the MatMul and fused attention weights, per channel, but
    for `FLOAT_NODES`."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = [node.name for node in onnx.load(str(source), load_external_data=False).graph.node]
    kept = [name for name in names if name.endswith(FLOAT_NODES)]

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs every tensor on the root logger
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=list(QUANTIZED_OPS),
            nodes_to_exclude=kept,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)
