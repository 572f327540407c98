"""Every command finds catalog, index, store and model through `movierec.config`: the same
MOVIEREC_* variables the app reads, one test per variable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from movierec.community import load_current
from movierec.config import DEFAULT_CATALOG, community_dir, default_index_dir
from movierec.store import ProfileStore
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables

HEAT, COLLATERAL, OCEANS, TOY_STORY, NEMO = 949, 1538, 161, 862, 12


def custom_catalog(tmp_path: Path) -> Path:
    """The fixture catalog less Toy Story and Nemo: another catalog, with its own index folder."""
    path = tmp_path / "custom.csv"
    films = pd.read_csv(FIXTURE_CATALOG)
    films[~films["id"].isin([TOY_STORY, NEMO])].to_csv(path, index=False)
    return path


def test_movierec_home_holds_the_index(cli, monkeypatch, tmp_path) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("MOVIEREC_HOME", str(home))
    result = cli("build", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    index = default_index_dir(FIXTURE_CATALOG, home)
    assert index.parent == home / "indexes" and f"into {index} in" in result.stdout
    assert (index / "manifest.json").exists()


def test_movierec_catalog_is_the_catalog_of_every_command(cli, monkeypatch, tmp_path) -> None:
    custom = custom_catalog(tmp_path)
    monkeypatch.setenv("MOVIEREC_CATALOG", str(custom))
    result = cli("build", "-q")
    assert result.returncode == 0, result.stderr
    assert "Indexed 28 movies" in result.stdout and str(default_index_dir(custom)) in result.stdout
    info = json.loads(cli("info", "--json").stdout)
    assert info["movies"] == 28
    assert cli("similar", "Heat", "--json", "-q").returncode == 0
    assert cli("info", "--json", "--catalog", FIXTURE_CATALOG).returncode == 0  # a flag wins
    assert json.loads(cli("info", "--json", "--catalog", FIXTURE_CATALOG).stdout)["movies"] == 30


def test_movierec_index_is_where_the_index_goes(cli, monkeypatch, tmp_path) -> None:
    index = tmp_path / "my-index"
    monkeypatch.setenv("MOVIEREC_INDEX", str(index))
    result = cli("build", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    assert f"into {index} in" in result.stdout and (index / "manifest.json").exists()
    assert not default_index_dir(FIXTURE_CATALOG).exists()
    search = cli("search", "heist", "--catalog", FIXTURE_CATALOG, "--json", "-q")
    assert search.returncode == 0 and json.loads(search.stdout)["results"]
    assert not default_index_dir(FIXTURE_CATALOG).exists()  # read from MOVIEREC_INDEX, not built


def test_movierec_store_is_the_profile_store(cli, monkeypatch, tmp_path) -> None:
    store = tmp_path / "shared-profiles.db"
    monkeypatch.setenv("MOVIEREC_STORE", str(store))
    result = cli("profile", "ana", "--like", "Heat", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    assert ProfileStore(store).profile("ana").liked == [HEAT]
    recs = cli("recommend", "--user", "ana", "--catalog", FIXTURE_CATALOG, "--json", "-q")
    assert recs.returncode == 0, recs.stderr
    assert HEAT not in [r["id"] for r in json.loads(recs.stdout)["results"]]


def test_movierec_model_is_the_model_that_encodes(cli, fake_model, monkeypatch) -> None:
    monkeypatch.setenv("MOVIEREC_MODEL", "test/another-encoder")
    result = cli("build", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    assert fake_model == ["test/another-encoder"]
    info = json.loads(cli("info", "--catalog", FIXTURE_CATALOG, "--json").stdout)
    assert info["model"] == "test/another-encoder"


def test_movierec_backend_is_the_backend_that_encodes(cli, fake_model, monkeypatch) -> None:
    monkeypatch.setenv("MOVIEREC_BACKEND", "onnx-int8")
    result = cli("build", "--catalog", FIXTURE_CATALOG, "-q")
    assert result.returncode == 0, result.stderr
    assert "encoder backend onnx-int8" in result.stdout
    info = json.loads(cli("info", "--catalog", FIXTURE_CATALOG, "--json").stdout)
    assert info["backend"] == "onnx-int8"
    monkeypatch.setenv("MOVIEREC_BACKEND", "torch")  # an int8 index is not queried by torch
    refused = cli("info", "--catalog", FIXTURE_CATALOG)
    assert refused.returncode == 2 and "--backend onnx-int8" in refused.stderr


def _movielens(tmp_path: Path) -> tuple[Path, Path]:
    """Users 1-3 like Heat and Collateral; users 4-5 like Toy Story and Nemo."""
    links = tmp_path / "links.csv"
    links.write_text(
        "movieId,imdbId,tmdbId\n"
        + "".join(f"{m},0,{t}\n" for m, t in enumerate([HEAT, COLLATERAL, TOY_STORY, NEMO], 1))
    )
    rows = [(u, m) for u in (1, 2, 3) for m in (1, 2)] + [(u, m) for u in (4, 5) for m in (3, 4)]
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "userId,movieId,rating,timestamp\n" + "".join(f"{u},{m},5,0\n" for u, m in rows)
    )
    return ratings, links


def test_movierec_catalog_retrain_trains_for_that_catalog(cli, monkeypatch, tmp_path) -> None:
    custom = custom_catalog(tmp_path)
    custom_ids = pd.read_csv(custom)["id"].tolist()
    assert {HEAT, COLLATERAL} <= set(custom_ids) and TOY_STORY not in custom_ids
    monkeypatch.setenv("MOVIEREC_CATALOG", str(custom))
    monkeypatch.setenv("MOVIEREC_STORE", str(tmp_path / "profiles.db"))
    ratings, links = _movielens(tmp_path)
    imported = cli("import-ratings", ratings, "--links", links)
    assert imported.returncode == 0, imported.stderr
    # Toy Story and Nemo are not in the custom catalog: only users 1-3 are imported
    assert imported.stdout.startswith(
        "imported 6 events for 3 users (0 unchanged): 6 likes, 0 dislikes and 0 seen films "
        "(rated in between); 2 MovieLens"
    )

    result = cli("retrain", "--kind", "item_knn")
    assert result.returncode == 0, result.stderr
    root = community_dir(default_index_dir(custom)) / "item_knn"
    assert f"-> {root} (version" in result.stdout
    model = load_current(root)
    assert model is not None and model.ids.tolist() == custom_ids  # the custom catalog's films
    assert model.n_users == 3 and model.n_likes == 6
    packaged = community_dir(default_index_dir(DEFAULT_CATALOG))
    assert not packaged.exists()  # not the packaged catalog's community folder
