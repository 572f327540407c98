"""Contrastive training of an adapter on frozen vectors (in-batch negatives, MNRL-like)."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass

import numpy as np

from movierec.tuning.adapter import KINDS, Adapter
from movierec.tuning.pairs import LikeLists, TextPairs

LOG = logging.getLogger(__name__)

DEVICES = "auto, cpu, cuda, cuda:N or mps"
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one tuning run (defaults chosen by scripts/evaluate_tuning.py)."""

    kind: str = "linear"
    separate_query: bool = True
    hidden: int = 512
    text_share: float = 0.75  # weight of the text-pair loss (the co-like loss gets the rest)
    profile_share: float = 0.5  # share of the co-like loss with profile anchors (mean of likes)
    profile_size: int = 10  # at most this many likes make a profile anchor
    similar_map: bool = True  # also learn the "films like this" map from likers' neighbours
    views: bool = True  # the document map also reads each film's views (movierec.tuning.views)
    views_dropout: float = 0.5  # with views: share of films read without them in each batch
    similar_min_likers: int = 10  # films liked by fewer people give the similar map no pairs
    batch_size: int = 256
    steps: int = 1500
    lr: float = 1e-3
    weight_decay: float = 1e-4
    scale: float = 20.0
    seed: int = 0
    max_minutes: float | None = None
    show_progress: bool = False
    device: str = "auto"  # "auto": CUDA when torch sees a GPU, else the CPU

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown adapter kind {self.kind!r}; choose one of {KINDS}")
        if not 0.0 <= self.text_share <= 1.0:
            raise ValueError(f"text_share must be between 0 and 1, got {self.text_share}")
        if self.steps < 1 or self.batch_size < 2:
            raise ValueError("steps must be >= 1 and batch_size >= 2")
        if not 0.0 <= self.views_dropout < 1.0:
            raise ValueError(f"views_dropout must be in [0, 1), got {self.views_dropout}")
        if self.views and not self.separate_query:
            raise ValueError(
                "views need a separate query map (queries have no views); "
                "pass views=False for a shared map"
            )
        if not _DEVICE.fullmatch(self.device):
            raise ValueError(f"unknown device {self.device!r}; choose {DEVICES}")


def resolve_device(name: str = "auto") -> str:
    """The torch device `name` trains on; a GPU torch cannot see is refused, saying why."""
    import torch

    if not _DEVICE.fullmatch(name):
        raise ValueError(f"unknown device {name!r}; choose {DEVICES}")
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = int(name.partition(":")[2] or 0)
        if index >= count:
            seen = f"sees {count} CUDA device(s)" if count else "sees no CUDA GPU"
            build = f"torch {torch.__version__}" + ("" if torch.version.cuda else " (a CPU build)")
            raise ValueError(f"cannot train on {name}: {build} {seen}; use cpu or auto")
    if name == "mps" and not torch.backends.mps.is_available():
        raise ValueError("cannot train on mps: this torch sees no Apple GPU; use cpu or auto")
    return name


def _residual(torch, kind: str, dim: int, hidden: int, extra: int = 0, dropout: float = 0.0):
    """A torch module x → x[:dim] + f(x); f starts at zero so training starts from the base
    vectors. The input may carry `extra` columns after the vector (a film's views) that only f
    reads; in training, each row's extra columns are zeroed with probability `dropout`, so the
    map also learns to place a film from its vector alone (how films nobody liked are served)."""
    nn = torch.nn

    class Residual(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            width = dim + extra
            if kind == "linear":
                self.f = nn.Linear(width, dim)
                last = self.f
            else:
                self.f = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, dim))
                last = self.f[2]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

        def forward(self, x):
            if extra and dropout > 0.0 and self.training:
                keep = torch.rand((*x.shape[:-1], 1), device=x.device) >= dropout
                x = torch.cat([x[..., :dim], x[..., dim:] * keep.to(x.dtype)], dim=-1)
            return nn.functional.normalize(x[..., :dim] + self.f(x), dim=-1)

    return Residual()


def _export(module, kind: str, side: str) -> dict[str, np.ndarray]:
    layers = [module.f] if kind == "linear" else [module.f[0], module.f[2]]
    names = [("W", "b")] if kind == "linear" else [("W1", "b1"), ("W2", "b2")]
    out = {}
    for layer, (w, b) in zip(layers, names, strict=True):
        out[f"{side}.{w}"] = layer.weight.detach().cpu().numpy().T.copy()
        out[f"{side}.{b}"] = layer.bias.detach().cpu().numpy().copy()
    return out


def _mnrl(torch, anchors, positives, ids, scale: float):
    """Cross-entropy of each anchor against all positives of the batch; other rows holding the
    same film as an anchor's own positive are masked (they are not negatives)."""
    logits = scale * anchors @ positives.T
    eye = torch.eye(len(ids), dtype=torch.bool, device=ids.device)
    logits = logits.masked_fill((ids[:, None] == ids[None, :]) & ~eye, float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(ids), device=ids.device))


def _profiles(torch, doc_map, docs, anchors):
    """Unit mean of the mapped vectors of each row's liked films (-1 = padding), the way
    Recommender.recommend builds a profile vector."""
    mask = (anchors >= 0).float()
    mapped = doc_map(docs[anchors.clamp(min=0)]) * mask[..., None]
    return torch.nn.functional.normalize(mapped.sum(dim=1), dim=-1)


def train_adapter(
    documents: np.ndarray,
    colikes: np.ndarray,
    texts: TextPairs | None = None,
    text_vectors: np.ndarray | None = None,
    base_model: str = "",
    config: TrainConfig | None = None,
    likes: LikeLists | None = None,
    label: str = "tuning",
    views: np.ndarray | None = None,
) -> Adapter:
    """Train on co-like pairs (rows of `documents`, both sides through the document map) and
    text pairs (`text_vectors[i]` through the query map against its film); seeded, on
    `config.device` (CUDA if available by default). Stops after `config.steps` or
    `config.max_minutes`. With `views` (a row of more vectors per film,
    movierec.tuning.views), the document map reads them beside each film's vector."""
    import torch
    from tqdm import tqdm

    config = config or TrainConfig()
    has_text = texts is not None and len(texts) > 0 and text_vectors is not None
    if len(colikes) == 0 and not has_text:
        raise ValueError("nothing to learn from: no co-like pairs and no text pairs")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    device = resolve_device(config.device)
    dim = documents.shape[1]
    extra = 0 if views is None else int(views.shape[1])
    doc_map = _residual(torch, config.kind, dim, config.hidden, extra, config.views_dropout)
    doc_map = doc_map.to(device)
    query_map = _residual(torch, config.kind, dim, config.hidden).to(device)
    modules = [doc_map, query_map] if config.separate_query else [doc_map]
    params = [p for m in modules for p in m.parameters()]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    inputs = documents if views is None else np.hstack([documents, views])
    docs = torch.from_numpy(np.array(inputs, dtype=np.float32)).to(device)
    tvecs = (
        torch.from_numpy(np.asarray(text_vectors, dtype=np.float32)).to(device)
        if has_text
        else None
    )
    qmap = query_map if config.separate_query else doc_map
    text_weight = config.text_share if has_text and len(colikes) else float(has_text)
    use_profiles = likes is not None and len(likes) > 0 and text_weight < 1.0
    profile_weight = config.profile_share if use_profiles else 0.0
    start, losses = time.perf_counter(), []
    bar = tqdm(range(config.steps), desc=label, disable=not config.show_progress)
    for step in bar:
        loss = torch.zeros((), device=device)
        if text_weight < 1.0 and profile_weight < 1.0:
            batch = colikes[rng.integers(0, len(colikes), config.batch_size)]
            ids = torch.from_numpy(batch[:, 1]).to(device)
            a, b = doc_map(docs[batch[:, 0]]), doc_map(docs[batch[:, 1]])
            loss = loss + (1 - text_weight) * (1 - profile_weight) * _mnrl(
                torch, a, b, ids, config.scale
            )
        if profile_weight > 0.0:
            anchors, positive = likes.sample(rng, config.batch_size, config.profile_size)
            a = _profiles(torch, doc_map, docs, torch.from_numpy(anchors).to(device))
            ids = torch.from_numpy(positive).to(device)
            b = doc_map(docs[ids])
            loss = loss + (1 - text_weight) * profile_weight * _mnrl(torch, a, b, ids, config.scale)
        if text_weight > 0.0:
            batch = texts.pairs[rng.integers(0, len(texts.pairs), config.batch_size)]
            ids = torch.from_numpy(batch[:, 1]).to(device)
            q, d = qmap(tvecs[batch[:, 0]]), doc_map(docs[batch[:, 1]])
            loss = loss + text_weight * _mnrl(torch, q, d, ids, config.scale)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}", refresh=False)
        if config.max_minutes is not None and time.perf_counter() - start > 60 * config.max_minutes:
            LOG.warning("tuning stopped by max_minutes after %d steps", step + 1)
            break
    weights = _export(doc_map, config.kind, "document")
    if config.separate_query:
        weights |= _export(query_map, config.kind, "query")
    info = {
        "seed": config.seed,
        "train": {**asdict(config), "steps_done": len(losses), "device": device},
        "loss": {"first": round(losses[0], 4), "last50": round(float(np.mean(losses[-50:])), 4)},
        "seconds": round(time.perf_counter() - start, 1),
    }
    LOG.info(
        "adapter trained: %d steps in %.1fs, loss %.3f",
        len(losses),
        info["seconds"],
        info["loss"]["last50"],
    )
    return Adapter(config.kind, base_model, dim, weights, info)
