"""Encode the default catalog with each encoder backend as `movierec build` would (CUDA when
present) and print films/s and cosines to torch. For a GPU machine without the project's
dependencies beyond torch, sentence-transformers, pandas and onnxruntime (no FAISS needed):

    PYTHONPATH=. python scripts/benchmark_gpu_encode.py [--model FOLDER]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from movierec.catalog import load_catalog
from movierec.embed.documents import build_documents
from movierec.embed.encoder import Encoder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="model folder (default: the packaged one)")
    parser.add_argument("--catalog", default="movierec/data/catalog.parquet")
    args = parser.parse_args()
    docs = build_documents(load_catalog(args.catalog))
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else None
    out: dict = {"gpu": gpu, "films": len(docs)}
    vectors = {}
    home = Path(tempfile.mkdtemp(prefix="movierec-gpu-"))
    for backend in ("torch", "onnx", "onnx-int8"):
        try:
            encoder = Encoder(args.model, backend=backend, home=home)
            encoder.encode(docs[:64])  # load, export, warm up
            start = time.perf_counter()
            vectors[backend] = encoder.encode(docs)
            seconds = time.perf_counter() - start
            out[backend] = {
                "films_per_s": round(len(docs) / seconds, 1),
                "seconds": round(seconds, 2),
            }
        except Exception as error:  # report it and measure the others
            out[backend] = {"error": repr(error)[:300]}
    for backend, found in vectors.items():
        cosines = np.sum(found * vectors["torch"], axis=1) if "torch" in vectors else None
        if cosines is not None:
            out[backend]["cosine_to_torch"] = [
                round(float(cosines.mean()), 5),
                round(float(cosines.min()), 5),
            ]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
