"""Full fine-tune of all-MiniLM-L6-v2 on one split per run, then every text encoded with it.

Self-contained (numpy, torch, transformers, sentence-transformers, safetensors) so that it runs on
a lent GPU machine without the project installed; CUDA when present, else CPU (a step of 128
pairs takes about a minute on 2 cores: use --max-steps for a smoke run, 0 steps encodes with
the base model). The job folder comes from scripts/export_full_finetune.py.

Each run: every weight trainable, in-batch-negative contrastive loss (MultipleNegativesRanking,
scale 20, other rows with the same positive film masked), AdamW, 10 % warm-up then linear
decay, bf16 autocast on CUDA, `--train-len` tokens; then every text of the job encoded in fp32
at 256 tokens (the serving length). Writes OUT/<run>.npz: `q` (int8) and `s` (float32 row
scales; vector = q * s), `meta` (JSON), and in the first run's file `base` (the first 300 texts
encoded before training, to check the pipeline against the product's vectors).

    python3 scripts/finetune_full.py --job gpu_job --runs warm76,warm77 --out $OUT
"""

import argparse
import json
import lzma
import os
import shutil
import time

import numpy as np
import torch
from safetensors.torch import save_file
from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer


def build_model_dir(src: str, weights: str, dst: str) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    w = np.load(weights)
    save_file(
        {k: torch.from_numpy(w[k].astype(np.float32)).contiguous() for k in w.files},
        f"{dst}/model.safetensors",
    )


def tokens(tok, texts, length, device):
    t = tok(texts, truncation=True, max_length=length, padding="max_length", return_tensors="pt")
    return {k: v.to(device) for k, v in t.items()}


def embed(model, feats, rows, amp):
    sub = {k: v[rows] for k, v in feats.items()}
    n = int(sub["attention_mask"].sum(1).max())
    sub = {k: v[:, :n] for k, v in sub.items()}
    with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=amp):
        out = model(sub)["sentence_embedding"]
    return torch.nn.functional.normalize(out.float(), dim=-1)


def encode_all(model, feats, n, device):
    model.eval()
    order = torch.argsort(feats["attention_mask"][:n].sum(1), descending=True)
    out = torch.empty((n, 384), dtype=torch.float32, device=device)
    with torch.no_grad():
        for i in range(0, n, 512):
            rows = order[i : i + 512]
            out[rows] = embed(model, feats, rows, amp=False)
    return out.cpu().numpy()


def schedule(warm: int, total: int):
    """Linear warm-up over `warm` steps, then linear decay to zero at `total`."""
    return lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))


def quantize(x):
    scale = np.abs(x).max(1, keepdims=True) / 127.0
    return np.round(x / scale).astype(np.int8), scale.astype(np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--job", default="gpu_job")
    p.add_argument("--runs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--epochs", type=float, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--scale", type=float, default=20.0)
    p.add_argument("--train-len", type=int, default=128)
    p.add_argument("--max-steps", type=int, default=-1, help="-1: the epochs; 0: no training")
    p.add_argument("--max-texts", type=int, default=0)
    p.add_argument("--budget-s", type=float, default=480)
    a = p.parse_args()
    begin = time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    amp = device == "cuda"
    here = a.job
    build_model_dir(f"{here}/model", f"{here}/weights.npz", "/tmp/ftmodel")
    z = np.load(f"{here}/pairs.npz")
    texts = json.loads(lzma.decompress(z["texts"].tobytes()))
    n = a.max_texts or len(texts)
    tok = AutoTokenizer.from_pretrained("/tmp/ftmodel")
    train_feats = tokens(tok, texts, a.train_len, device)
    serve_feats = tokens(tok, texts[:n], 256, device)
    print(f"setup {time.perf_counter() - begin:.1f}s, {len(texts)} texts", flush=True)
    os.makedirs(a.out, exist_ok=True)
    took = 0.0
    for i, name in enumerate(a.runs.split(",")):
        elapsed = time.perf_counter() - begin
        if elapsed + took > a.budget_s:
            print(f"skip {name}: {elapsed:.0f}s elapsed, a run takes {took:.0f}s", flush=True)
            continue
        start = time.perf_counter()
        torch.manual_seed(int("".join(c for c in name if c.isdigit())))
        model = SentenceTransformer("/tmp/ftmodel", device=device).float()
        extra = {}
        if i == 0:
            extra["base"] = encode_all(model, serve_feats, min(n, 300), device)
        triples = torch.as_tensor(z[f"run_{name}"].astype(np.int64), device=device)
        per_epoch = len(triples) // a.batch
        total = int(per_epoch * a.epochs)
        if a.max_steps >= 0:
            total = min(total, a.max_steps)
        warm = max(1, total // 10)
        opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule(warm, total))
        gen = torch.Generator(device=device)
        gen.manual_seed(int("".join(c for c in name if c.isdigit())))
        model.train()
        step, losses = 0, []
        labels = torch.arange(a.batch, device=device)
        eye = torch.eye(a.batch, dtype=torch.bool, device=device)
        while step < total:
            order = torch.randperm(len(triples), device=device, generator=gen)
            for b in range(per_epoch):
                if step >= total:
                    break
                batch = triples[order[b * a.batch : (b + 1) * a.batch]]
                emb = embed(model, train_feats, torch.cat([batch[:, 0], batch[:, 1]]), amp)
                anchors, positives = emb[: a.batch], emb[a.batch :]
                scores = a.scale * anchors @ positives.t()
                same = (batch[:, 2][:, None] == batch[:, 2][None, :]) & ~eye
                loss = torch.nn.functional.cross_entropy(scores.masked_fill(same, -1e4), labels)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                step += 1
                if step % 200 == 0 or step == total:
                    losses.append(loss.item())
                    rate = step / (time.perf_counter() - start)
                    line = f"{name} step {step}/{total} loss {losses[-1]:.3f} {rate:.1f}/s"
                    print(line, flush=True)
        trained = time.perf_counter() - start
        vectors = encode_all(model, serve_feats, n, device)
        q, s = quantize(vectors)
        meta = {
            "run": name,
            "steps": step,
            "train_s": round(trained, 1),
            "total_s": round(time.perf_counter() - start, 1),
            "lr": a.lr,
            "epochs": a.epochs,
            "batch": a.batch,
            "scale": a.scale,
            "train_len": a.train_len,
            "losses": losses,
            "pairs": len(triples),
            "device": torch.cuda.get_device_name() if amp else "cpu",
            "torch": torch.__version__,
        }
        np.savez_compressed(f"{a.out}/{name}.npz", q=q, s=s, meta=json.dumps(meta), **extra)
        took = time.perf_counter() - start
        print(json.dumps(meta), flush=True)
        del model, opt
        if amp:
            torch.cuda.empty_cache()
    print(f"done {time.perf_counter() - begin:.0f}s", flush=True)


if __name__ == "__main__":
    main()
