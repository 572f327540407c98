"""Tuning the text side: a small adapter on frozen sentence vectors, learned from co-likes and
people's tags, versioned beside the index and applied when serving."""

from movierec.tuning.adapter import Adapter, AdapterError
from movierec.tuning.pairs import TextPairs, colike_pairs, read_tags, text_pairs
from movierec.tuning.serve import AdaptedEncoder, TunedSource, adapt
from movierec.tuning.train import TrainConfig, train_adapter
from movierec.tuning.tune import NothingToLearnError, TuneReport, tune
from movierec.tuning.versions import (
    adapter_dir,
    load_current_adapter,
    save_adapter_version,
    save_base_version,
)

__all__ = [
    "AdaptedEncoder",
    "Adapter",
    "AdapterError",
    "NothingToLearnError",
    "TextPairs",
    "TrainConfig",
    "TuneReport",
    "TunedSource",
    "adapt",
    "adapter_dir",
    "colike_pairs",
    "load_current_adapter",
    "read_tags",
    "save_adapter_version",
    "save_base_version",
    "text_pairs",
    "train_adapter",
    "tune",
]
