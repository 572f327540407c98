"""`scripts/train_default_adapter.py --card-only`: new held-out metrics go into the shipped
adapter's manifest and MODEL_CARD.md while its weights stay exactly as they are."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from movierec.tuning.adapter import Adapter
from movierec.tuning.shipped import SHIPPED

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "train_default_adapter.py"


def _card_only(out: Path, *metrics: str) -> subprocess.CompletedProcess:
    inputs = ("--ratings", "r.csv", "--links", "l.csv", "--tags", "t.csv")
    extra = ("--metrics", ",".join(metrics)) if metrics else ()
    command = [sys.executable, str(SCRIPT), *inputs, *extra, "--out", str(out), "--card-only"]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def test_card_only_rewrites_the_metrics_and_keeps_the_weights(tmp_path) -> None:
    out = tmp_path / "adapter"
    shutil.copytree(SHIPPED, out)
    weights = (out / "adapter.npz").read_bytes()
    runs = _runs(tmp_path, folds=5)
    result = _card_only(out, *map(str, runs))
    assert result.returncode == 0, result.stderr
    assert (out / "adapter.npz").read_bytes() == weights
    adapter = Adapter.load(out)  # the manifest still vouches for the weights
    assert adapter.digest() == Adapter.load(SHIPPED).digest()
    assert adapter.info["metrics"] == {
        "seeds": [1, 2],
        "profile_folds": 5,
        "profile_seen": True,
        "warm/tuned content": {"profile_recall@10": 0.25, "similar_ndcg@10": 0.5},
    }
    card = (out / "MODEL_CARD.md").read_text()
    assert "mean of seeds 1, 2" in card and "'profile_recall@10': 0.25" in card
    assert "held out in 5 parts in turn (--folds 5)" in card
    assert "rated in between (2.5-3.5) held as seen" in card
    assert adapter.digest()[:16] in card and str(tmp_path) not in card


def _runs(directory: Path, folds: int | None, seeds=(1, 2), seen: bool = True) -> list[Path]:
    """Results files of evaluate_tuning.py for `seeds` (profile recall 0.1 + seed / 10);
    `folds` None: a file written before the files recorded their protocol (folds and seen)."""
    runs = []
    for seed in seeds:
        runs.append(directory / f"seed{seed}-{folds}-{seen}.json")
        scores = {"profile_recall@10": seed / 10 + 0.1, "similar_ndcg@10": 0.5}
        results = {f"seed {seed} warm/tuned content": scores}
        if folds is not None:
            results = {"profile folds": folds, "profile seen": seen, **results}
        runs[-1].write_text(json.dumps(results))
    return runs


def test_files_of_one_draw_say_so_and_mixed_protocols_are_refused(tmp_path) -> None:
    out = tmp_path / "adapter"
    shutil.copytree(SHIPPED, out)
    assert _card_only(out, *map(str, _runs(tmp_path, folds=None))).returncode == 0
    card = (out / "MODEL_CARD.md").read_text()
    assert "one 80/20 draw of each test user's likes" in card
    assert "films rated in between not held (--no-seen" in card
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    mixed = [*_runs(tmp_path, folds=1, seeds=(1,)), *_runs(tmp_path, folds=5, seeds=(2,))]
    result = _card_only(out, *map(str, mixed))
    assert result.returncode != 0 and "mix profile protocols" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    mixed = [*_runs(tmp_path, 5, seeds=(1,), seen=False), *_runs(tmp_path, 5, seeds=(2,))]
    result = _card_only(out, *map(str, mixed))
    assert result.returncode != 0 and "with and without --no-seen" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_card_only_without_metrics_is_refused_and_changes_nothing(tmp_path) -> None:
    out = tmp_path / "adapter"
    shutil.copytree(SHIPPED, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = _card_only(out)
    assert result.returncode == 2 and "--card-only needs --metrics" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_evaluate_tuning_refuses_a_bad_config_before_loading_anything() -> None:
    """A --config that TrainConfig refuses ends in a usage error saying why (exit 2), not a
    traceback after the model and the ratings have loaded (the files here do not exist)."""
    script = SCRIPT.parent / "evaluate_tuning.py"
    inputs = ("--ratings", "r.csv", "--links", "l.csv", "--tags", "t.csv")
    for config, says in (
        ('{"separate_query": false}', "views=False"),
        ('{"stepz": 10}', "stepz"),
        ("{bad", "--config"),
    ):
        command = [sys.executable, str(script), *inputs, "--config", config]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 2, result.stderr
        assert says in result.stderr and "Traceback" not in result.stderr
