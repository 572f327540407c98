"""`movierec tune` in-process with the fake encoder on the fixture catalog: it learns from the
store's likes and tags, publishes a version the next command serves, and refuses what it can't
use without changing anything."""

from __future__ import annotations

import json
from pathlib import Path

from movierec.config import default_index_dir
from movierec.recommender import Recommender
from movierec.store import ProfileStore
from movierec.tuning import TrainConfig, adapter_dir
from movierec.versions import current_folder, current_name
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
built = cli_support.built
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables

HEAT, COLLATERAL, OCEANS, TOY_STORY, NEMO, UP = 949, 1538, 161, 862, 12, 14160


def _root() -> Path:
    return adapter_dir(default_index_dir(FIXTURE_CATALOG))


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "profiles.db"
    profiles = ProfileStore(store)
    for user in range(6):
        for movie in (HEAT, COLLATERAL, OCEANS) if user % 2 else (TOY_STORY, NEMO, UP):
            profiles.like(f"u{user}", movie)
    return store


def test_tune_on_an_empty_store_says_there_is_nothing_to_learn(cli, built, tmp_path) -> None:
    result = cli("tune", "--catalog", built, "--store", tmp_path / "empty.db", "-q")
    assert result.returncode == 2
    assert "nothing to learn from" in result.stderr and "Traceback" not in result.stderr
    assert not _root().exists()


def test_tune_publishes_a_version_the_next_command_serves(cli, built, tmp_path) -> None:
    tags = tmp_path / "tags.csv"
    tags.write_text(f"text,movie_id\nheist crew,{HEAT}\nfish,{NEMO}\n")
    args = ("--catalog", built, "--store", _store(tmp_path), "--tags", tags, "--steps", "5")
    result = cli("tune", *args, "-q")
    assert result.returncode == 0, result.stderr
    assert "tuned on 6 users" in result.stdout and "2 text pairs" in result.stdout
    assert "films read with 2 views" in result.stdout  # genres and keywords; director and cast
    assert " on cpu, loss " in result.stdout or " on cuda, loss " in result.stdout
    first = current_name(_root(), ValueError)
    assert first is not None
    served = Recommender.open(built)
    assert "adapter" in served.bundle.manifest
    assert "adapter" not in Recommender.open(built, tuned=False).bundle.manifest
    assert cli("search", "heist", "--catalog", built, "--k", "2").returncode == 0
    assert cli("tune", *args, "--seed", "1", "-q").returncode == 0
    assert current_name(_root(), ValueError) not in (None, first)


def test_tune_refuses_bad_options_and_a_foreign_adapter(cli, built, tmp_path) -> None:
    store = _store(tmp_path)
    bad = cli("tune", "--catalog", built, "--store", store, "--steps", "0")
    assert bad.returncode == 2 and "--steps must be at least 1" in bad.stderr
    tags = tmp_path / "tags.csv"
    tags.write_text("userId,movieId,tag,timestamp\n1,1,heist,0\n")
    unlinked = cli("tune", "--catalog", built, "--store", store, "--tags", tags)
    assert unlinked.returncode == 2 and "--links" in unlinked.stderr
    for content in (b"", b"\xff\xfe\x00bad", b'text,movie_id\n"unclosed,1\n'):
        tags.write_bytes(content)
        broken = cli("tune", "--catalog", built, "--store", store, "--tags", tags)
        assert broken.returncode == 2 and "cannot read" in broken.stderr, broken.stderr
    tags.write_text("text,movie_id\nheist,notanumber\n")
    bad_id = cli("tune", "--catalog", built, "--store", store, "--tags", tags)
    assert bad_id.returncode == 2 and "line 2: movie_id 'notanumber'" in bad_id.stderr
    assert "Traceback" not in bad_id.stderr
    # the pre-trained adapter is for all-MiniLM-L6-v2; this index was built with the fake model
    shipped = cli("tune", "--catalog", built, "--shipped")
    assert shipped.returncode == 2
    assert "all-MiniLM-L6-v2" in shipped.stderr and "fake" in shipped.stderr
    assert not _root().exists()


def test_tune_trains_where_and_what_it_is_told_and_refuses_the_rest(cli, built, tmp_path) -> None:
    import torch

    store = _store(tmp_path)
    args = ("--catalog", built, "--store", store, "--steps", "3", "-q")
    refusals = {
        "tpu": ("unknown device 'tpu'", "choose auto, cpu"),
        "cuda:7": ("cannot train on cuda:7", "use cpu or auto"),
    }
    for device, (why, what_to_do) in refusals.items():
        if device.startswith("cuda") and torch.cuda.device_count() > 7:
            continue
        refused = cli("tune", *args, "--device", device)
        assert refused.returncode == 2 and why in refused.stderr, refused.stderr
        assert what_to_do in refused.stderr and "Traceback" not in refused.stderr
        assert not _root().exists()
    bad_kind = cli("tune", *args, "--kind", "transformer")
    assert bad_kind.returncode == 2 and "--kind must be one of linear, mlp" in bad_kind.stderr
    assert not _root().exists()
    trained = cli("tune", *args, "--device", "cpu")
    assert trained.returncode == 0, trained.stderr
    assert " on cpu, loss " in trained.stdout
    version = current_folder(_root(), ValueError)
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["train"]["device"] == "cpu" and manifest["kind"] == TrainConfig().kind
    other = "mlp" if TrainConfig().kind == "linear" else "linear"
    assert cli("tune", *args, "--kind", other).returncode == 0
    version = current_folder(_root(), ValueError)
    assert json.loads((version / "manifest.json").read_text())["kind"] == other
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["views"] == [["genres", "keywords"], ["director", "cast"]]  # the default
    assert (_root() / "views.npz").exists()  # kept for serving: nothing encoded again
    plain = cli("tune", *args, "--no-views")
    assert plain.returncode == 0 and "views" not in plain.stdout
    version = current_folder(_root(), ValueError)
    assert "views" not in json.loads((version / "manifest.json").read_text())
    assert cli("similar", "Heat", "--catalog", built, "--k", "2").returncode == 0


def test_tune_base_serves_the_plain_vectors_until_the_next_tuning(cli, built, tmp_path) -> None:
    args = ("--catalog", built, "--store", _store(tmp_path), "--steps", "3", "-q")
    assert cli("tune", *args).returncode == 0
    assert "adapter" in Recommender.open(built).bundle.manifest
    plain = cli("tune", "--catalog", built, "--base")
    assert plain.returncode == 0 and "plain sentence vectors" in plain.stdout, plain.stderr
    assert "adapter" not in Recommender.open(built).bundle.manifest
    assert cli("search", "heist", "--catalog", built, "--k", "2").returncode == 0
    assert cli("tune", *args, "--seed", "1").returncode == 0
    assert "adapter" in Recommender.open(built).bundle.manifest
    both = cli("tune", "--catalog", built, "--base", "--shipped")
    assert both.returncode == 2 and "not allowed with" in both.stderr
