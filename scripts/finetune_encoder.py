"""LoRA fine-tune of all-MiniLM-L6-v2 on exported pairs (scripts/export_finetune_pairs.py).

Self-contained (numpy, torch, sentence-transformers only) so it runs on a GPU machine without the
project installed; CUDA when present, CPU otherwise (slow: use --max-steps for a smoke run).
For each run in the pairs file: LoRA adapters (rank --rank) on every attention and feed-forward
projection, in-batch-negative contrastive loss (MultipleNegativesRankingLoss, scale 20; other
rows holding the same positive film are masked), then the catalog documents are encoded with the
tuned model. Writes OUT/<run>.npz: lora/<module>.A|B (float32), vectors (float16), meta (JSON).

    python scripts/finetune_encoder.py --model MODEL_DIR --pairs gpu_job/pairs.npz --out out/
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

TARGETS = ("query", "key", "value", "dense")


class LoRALinear(torch.nn.Module):
    """y = W x + (alpha / r) · B A x, with B = 0 at the start (so training starts at the base)."""

    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.A = torch.nn.Parameter(
            torch.randn(rank, base.in_features) / math.sqrt(base.in_features)
        )
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.t() @ self.B.t()) * self.scale


def inject(model: torch.nn.Module, rank: int, alpha: float) -> dict[str, LoRALinear]:
    """Wrap the transformer layers' Linear projections; returns them by module name."""
    wrapped = {}
    for name, module in list(model.named_modules()):
        for child, layer in list(module.named_children()):
            full = f"{name}.{child}"
            if isinstance(layer, torch.nn.Linear) and child in TARGETS and ".layer." in full:
                lora = LoRALinear(layer, rank, alpha)
                setattr(module, child, lora)
                wrapped[full] = lora
    for parameter in model.parameters():
        parameter.requires_grad = False
    for lora in wrapped.values():
        lora.A.requires_grad = lora.B.requires_grad = True
    return wrapped


def embed(model, texts: list[str], device: str, amp: bool) -> torch.Tensor:
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features = {k: v.to(device) if torch.is_tensor(v) else v for k, v in prepare(texts).items()}
    with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=amp):
        out = model(features)["sentence_embedding"]
    return torch.nn.functional.normalize(out.float(), dim=-1)


def train_run(args, name: str, triples: np.ndarray, texts: list[str], n_docs: int, out: Path):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    amp = device == "cuda"
    torch.manual_seed(args.seed)
    model = SentenceTransformer(args.model, device=device).float()
    serving_length = model.max_seq_length
    model.max_seq_length = args.max_seq_length
    wrapped = inject(model, args.rank, args.alpha)
    model.to(device)
    params = [p for lora in wrapped.values() for p in (lora.A, lora.B)]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    rng = np.random.default_rng(args.seed)
    per_epoch = len(triples) // args.batch
    total = (
        per_epoch * args.epochs
        if not args.max_steps
        else min(args.max_steps, per_epoch * args.epochs)
    )
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup + 1)))
    )
    start, step, losses = time.perf_counter(), 0, []
    model.train()
    while step < total:
        order = rng.permutation(len(triples))
        for b in range(per_epoch):
            if step >= total:
                break
            batch = triples[order[b * args.batch : (b + 1) * args.batch]]
            a = embed(model, [texts[i] for i in batch[:, 0]], device, amp)
            p = embed(model, [texts[i] for i in batch[:, 1]], device, amp)
            scores = args.scale * a @ p.t()
            film = torch.as_tensor(batch[:, 2], device=device)
            same = (film[:, None] == film[None, :]) & ~torch.eye(
                len(batch), dtype=torch.bool, device=device
            )
            scores = scores.masked_fill(same, -1e4)
            loss = torch.nn.functional.cross_entropy(
                scores, torch.arange(len(batch), device=device)
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if step % 100 == 0 or step == total:
                rate = step / (time.perf_counter() - start)
                print(
                    f"{name}: step {step}/{total} loss {np.mean(losses[-100:]):.4f} "
                    f"{rate:.1f} steps/s eta {(total - step) / rate:.0f}s",
                    flush=True,
                )
    seconds = time.perf_counter() - start
    model.eval()
    model.max_seq_length = serving_length
    with torch.no_grad():
        vectors = (
            torch.cat(
                [
                    embed(model, texts[i : min(i + 512, n_docs)], device, amp)
                    for i in range(0, n_docs, 512)
                ]
            )
            .cpu()
            .numpy()
        )
    arrays = {f"lora/{k}.A": v.A.detach().cpu().numpy() for k, v in wrapped.items()}
    arrays |= {f"lora/{k}.B": v.B.detach().cpu().numpy() for k, v in wrapped.items()}
    meta = {
        "run": name,
        "steps": step,
        "seconds": round(seconds, 1),
        "loss": float(np.mean(losses[-100:])),
        "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "rank": args.rank,
        "alpha": args.alpha,
        "lr": args.lr,
        "batch": args.batch,
        "epochs": args.epochs,
        "scale": args.scale,
        "seed": args.seed,
        "max_seq_length": args.max_seq_length,
        "pairs": len(triples),
        "trainable": int(sum(p.numel() for p in params)),
        "torch": torch.__version__,
    }
    np.savez(
        out / f"{name}.npz", vectors=vectors.astype(np.float16), meta=json.dumps(meta), **arrays
    )
    print(json.dumps(meta), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", default="warm0,full,warm1,warm2,cold0")
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=float, default=32.0)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seq-length", type=int, default=128, help="while training")
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--max-docs", type=int, default=0, help="encode only these (smoke runs)")
    parser.add_argument("--budget-s", type=float, default=1e9, help="start no run after this")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = np.load(args.pairs)
    texts, n_docs = data["texts"].tolist(), int(data["n_docs"])
    n_docs = min(n_docs, args.max_docs) if args.max_docs else n_docs
    begin = time.perf_counter()
    for name in args.runs.split(","):
        if time.perf_counter() - begin > args.budget_s:
            print(f"skipping {name}: over the time budget", flush=True)
            continue
        train_run(args, name, data[f"run_{name}"], texts, n_docs, out)


if __name__ == "__main__":
    main()
