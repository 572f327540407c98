"""LoRA-tuned encoder for scripts/evaluate_finetune.py: low-rank deltas merged into the base.

The deltas come from `scripts/finetune_encoder.py` (GPU or CPU): for each wrapped Linear layer
`name`, arrays `lora/<name>.A` (r × in) and `lora/<name>.B` (out × r); the merged weight is
W + scale · B A with scale = alpha / r. Merging once at load time keeps serving exactly as fast
as the base model and needs no peft at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

from movierec.embed.encoder import Encoder
from movierec.tuning.adapter import AdapterError

PREFIX = "lora/"


def lora_pairs(arrays: Mapping[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """module name → (A, B) from the flat `lora/<name>.A|B` arrays; refuses a half pair."""
    names = {key[len(PREFIX) : -2] for key in arrays if key.startswith(PREFIX)}
    pairs = {}
    for name in sorted(names):
        a, b = arrays.get(f"{PREFIX}{name}.A"), arrays.get(f"{PREFIX}{name}.B")
        if a is None or b is None or a.shape[0] != b.shape[1]:
            raise AdapterError(f"LoRA weights for {name} are incomplete or of mismatched rank")
        pairs[name] = (np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32))
    if not pairs:
        raise AdapterError("no LoRA weights (lora/<module>.A and .B arrays) in the artifact")
    return pairs


def merge_lora(model: Any, arrays: Mapping[str, np.ndarray], scale: float) -> int:
    """Add scale · B A to each named Linear weight of `model` (in place); returns how many
    layers changed. A module the model lacks, or of another shape, is refused naming it."""
    import torch

    modules = dict(model.named_modules())
    pairs = lora_pairs(arrays)
    for name, (a, b) in pairs.items():
        layer = modules.get(name)
        weight = getattr(layer, "weight", None)
        if weight is None or tuple(weight.shape) != (b.shape[0], a.shape[1]):
            shape = None if weight is None else tuple(weight.shape)
            raise AdapterError(
                f"LoRA layer {name} ({b.shape[0]}×{a.shape[1]}) does not fit this model "
                f"(found {shape}); the adapter was trained for another base model"
            )
    with torch.no_grad():
        for name, (a, b) in pairs.items():
            weight = modules[name].weight
            delta = torch.from_numpy(b @ a * scale).to(weight.dtype)
            weight.add_(delta)
    return len(pairs)


class LoRAEncoder(Encoder):
    """The base encoder with LoRA deltas merged into its model on first use."""

    def __init__(self, model_name: str | None, arrays: Mapping[str, np.ndarray], scale: float):
        super().__init__(model_name)
        self.arrays = dict(arrays)
        self.scale = scale

    @cached_property
    def model(self) -> Any:
        """The base model with the deltas merged."""
        model = super().model
        merge_lora(model, self.arrays, self.scale)
        return model


def with_encoder(recommender: Any, vectors: np.ndarray, encoder: Any, info: Mapping) -> Any:
    """A recommender (same catalog, keyword index, settings, community source) whose film
    vectors are `vectors` (from the tuned encoder) in a dense index rebuilt on them, and whose
    queries go through `encoder`."""
    import dataclasses

    from movierec.index.dense import DenseIndex
    from movierec.recommender import Recommender

    bundle = recommender.bundle
    if vectors.shape != tuple(bundle.embeddings.shape):
        raise AdapterError(
            f"tuned vectors have shape {vectors.shape}, the index holds {bundle.embeddings.shape}"
        )
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dense = DenseIndex.build(vectors, kind=bundle.dense.kind, **bundle.dense.params)
    manifest = {**bundle.manifest, "adapter": dict(info)}
    tuned = dataclasses.replace(bundle, manifest=manifest, embeddings=vectors, dense=dense)
    other = Recommender(tuned, encoder, recommender.settings)
    other.community = recommender.community
    return other
