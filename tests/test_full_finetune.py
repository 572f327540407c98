"""The full encoder fine-tune prepared for a lent GPU (scripts/export_full_finetune.py,
scripts/finetune_full.py, scripts/evaluate_full_finetune.py), run here on CPU for two steps:
the device gets a job it can run, and its vectors come back as the product's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
TEXTS = [
    "A crew of thieves plans one last heist in Paris.",
    "Two old friends drive across the desert to scatter their father's ashes.",
    "A robot learns to paint.",
    "Love blossoms between strangers stuck in a rainy train station.",
    "space opera",
    "haunted house",
]


@pytest.fixture(scope="module")
def scripts_path():
    sys.path.insert(0, str(SCRIPTS))
    yield
    sys.path.remove(str(SCRIPTS))


@pytest.fixture(scope="module")
def job(tmp_path_factory, scripts_path) -> Path:
    """A tiny job: four films (two with a view), two tag texts, one run of four pairs."""
    from export_full_finetune import pack_model, write_pairs

    from movierec.embed.model import resolve_model

    job = tmp_path_factory.mktemp("job")
    triples = np.array([(0, 1, 1), (2, 3, 3), (4, 0, 0), (5, 2, 2)])
    view_ids = np.array([[4, -1], [5, -1], [-1, -1], [-1, -1]])
    write_pairs(job, TEXTS, np.arange(4), view_ids, {"run_warm1": triples})
    pack_model(Path(resolve_model(None)), TEXTS, job)
    return job


@pytest.mark.model
def test_the_packed_model_keeps_the_rows_the_texts_use_and_zeroes_the_rest(job) -> None:
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    from movierec.embed.model import resolve_model

    original = load_file(Path(resolve_model(None)) / "model.safetensors")
    table = "embeddings.word_embeddings.weight"
    with np.load(job / "weights.npz") as packed:
        packed_table = packed[table]
        assert set(packed.files) == set(original)
        assert packed["encoder.layer.0.attention.self.query.weight"].dtype == np.float16
    tokenizer = AutoTokenizer.from_pretrained(job / "model")
    used = sorted({i for ids in tokenizer(TEXTS)["input_ids"] for i in ids})
    unused = sorted(set(range(len(packed_table))) - set(used))
    np.testing.assert_array_equal(packed_table[used], original[table][used].astype(np.float16))
    assert not packed_table[unused].any()


@pytest.mark.model
def test_two_cpu_steps_give_vectors_of_every_text_that_start_from_the_products(
    job, tmp_path, real_encoder
) -> None:
    from evaluate_full_finetune import read_run

    out = tmp_path / "out"
    command = [
        sys.executable, str(SCRIPTS / "finetune_full.py"), "--job", str(job), "--runs", "warm1",
        "--out", str(out), "--max-steps", "2", "--batch", "2", "--lr", "1e-3",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    with np.load(out / "warm1.npz") as run:
        assert run["q"].dtype == np.int8 and run["q"].shape == (len(TEXTS), 384)
        meta = json.loads(str(run["meta"]))
        base = run["base"]
    assert meta["steps"] == 2 and meta["pairs"] == 4 and meta["run"] == "warm1"
    product = real_encoder.encode(TEXTS)
    assert np.min(np.sum(base * product, axis=1)) > 0.9999  # the job's model is the product's
    _, texts, vectors, doc_ids, view_ids = read_run(out / "warm1.npz", job)
    assert texts == TEXTS and doc_ids.tolist() == [0, 1, 2, 3] and view_ids.shape == (4, 2)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert np.min(np.sum(vectors * product, axis=1)) < 0.999  # two steps moved the vectors


def test_texts_the_device_did_not_encode_are_refused_by_name(scripts_path) -> None:
    from evaluate_full_finetune import EncodedTexts

    texts = EncodedTexts("model", ["heist"], np.ones((1, 3), dtype=np.float32))
    assert texts.encode(["heist"]).shape == (1, 3)
    with pytest.raises(KeyError, match="romance"):
        texts.encode(["heist", "romance"])
