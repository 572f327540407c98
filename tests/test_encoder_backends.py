"""Encoder backends: names, compatibility, manifest, vector reuse and the ONNX export cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from movierec import config
from movierec.build import build_index, reusable_embeddings, shipped_embeddings
from movierec.embed import DEFAULT_MODEL
from movierec.embed import onnx_export as export
from movierec.embed.backends import BACKENDS, check_backend, compatible
from movierec.errors import UsageError
from movierec.index.storage import IndexMismatchError, read_manifest
from movierec.recommender import Recommender
from tests import cli_support
from tests.helpers import FIXTURE_CATALOG

cli = cli_support.cli
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables


def test_backend_names_and_the_default() -> None:
    assert [check_backend(b) for b in BACKENDS] == list(BACKENDS)
    assert check_backend(None) == "torch" and check_backend(" ONNX-int8 ") == "onnx-int8"
    with pytest.raises(UsageError, match="choose one of torch, onnx, onnx-int8"):
        check_backend("tensorrt")


def test_only_backends_within_the_tolerance_are_compatible() -> None:
    assert compatible("torch", "onnx") and compatible("onnx", "torch")
    assert not compatible("torch", "onnx-int8") and not compatible("onnx-int8", "onnx")
    assert all(compatible(b, b) for b in BACKENDS)


def test_backend_resolves_from_flag_then_environment() -> None:
    assert config.resolve(environ={}).backend is None
    assert config.resolve(environ={"MOVIEREC_BACKEND": "onnx"}).backend == "onnx"
    flag = config.resolve(backend="onnx-int8", environ={"MOVIEREC_BACKEND": "onnx"})
    assert flag.backend == "onnx-int8"
    with pytest.raises(UsageError, match="unknown encoder backend 'cuda'"):
        config.resolve(environ={"MOVIEREC_BACKEND": "cuda"})


def test_cli_refuses_an_unknown_backend_with_exit_2(cli) -> None:
    result = cli("build", "--catalog", FIXTURE_CATALOG, "--backend", "fast", "-q")
    assert result.returncode == 2
    assert "unknown encoder backend 'fast'; choose one of torch, onnx, onnx-int8" in result.stderr


def test_build_records_the_backend_and_queries_need_a_compatible_one(cli, isolated_home) -> None:
    built = cli("build", "--catalog", FIXTURE_CATALOG, "--backend", "onnx-int8", "-q")
    assert built.returncode == 0, built.stderr
    assert "encoder backend onnx-int8" in built.stdout
    index = config.default_index_dir(FIXTURE_CATALOG, isolated_home)
    assert read_manifest(index)["backend"] == "onnx-int8"
    refused = cli("search", "heist", "--catalog", FIXTURE_CATALOG, "--backend", "torch")
    assert refused.returncode == 2
    assert "built with encoder backend 'onnx-int8'" in refused.stderr
    assert "--backend onnx-int8" in refused.stderr and "--backend torch`" in refused.stderr
    own = cli("info", "--catalog", FIXTURE_CATALOG, "--json")  # no flag: the index's backend
    assert own.returncode == 0 and json.loads(own.stdout)["backend"] == "onnx-int8"


def test_a_torch_index_may_be_queried_through_onnx(fake_encoder, tmp_path) -> None:
    build_index(FIXTURE_CATALOG, tmp_path / "idx", fake_encoder)
    assert read_manifest(tmp_path / "idx")["backend"] == "torch"
    opened = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx", build=False, backend="onnx")
    assert opened.encoder.backend == "onnx"
    with pytest.raises(IndexMismatchError, match=r"'torch'.*'onnx-int8'"):
        Recommender.open(FIXTURE_CATALOG, tmp_path / "idx", build=False, backend="onnx-int8")


def test_vectors_are_reused_only_from_a_compatible_backend(fake_encoder, tmp_path) -> None:
    fake_encoder.backend = "onnx-int8"
    build_index(FIXTURE_CATALOG, tmp_path / "idx", fake_encoder)
    name = fake_encoder.name
    assert reusable_embeddings(tmp_path / "idx", name, "onnx-int8") is not None
    assert reusable_embeddings(tmp_path / "idx", name, "torch") is None
    assert reusable_embeddings(tmp_path / "idx", name, "onnx") is None
    # the shipped vectors were made by torch: onnx may reuse them, onnx-int8 may not
    assert shipped_embeddings(DEFAULT_MODEL, "onnx") is not None
    assert shipped_embeddings(DEFAULT_MODEL, "onnx-int8") is None


@pytest.fixture
def fake_exporter(monkeypatch, tmp_path) -> list[str]:
    """The export steps replaced by ones writing small files; returns the steps run."""
    steps: list[str] = []

    def step(name: str):
        def run(source, target, *rest) -> None:
            steps.append(name)
            Path(target).write_bytes(f"{name} of {Path(source).name}".encode())

        return run

    monkeypatch.setattr(export, "_export", lambda location, path: step("export")(location, path))
    monkeypatch.setattr(export, "_optimize", step("optimize"))
    monkeypatch.setattr(export, "_quantize", step("quantize"))
    return steps


def model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text("{}")
    return folder


def test_the_export_is_cached_and_both_onnx_files_written_once(fake_exporter, tmp_path) -> None:
    folder = model_folder(tmp_path)
    first = export.exported_model(tmp_path / "home", "m", str(folder), "onnx-int8")
    assert fake_exporter == ["export", "optimize", "quantize"]
    assert first.read_bytes().startswith(b"quantize")
    second = export.exported_model(tmp_path / "home", "m", str(folder), "onnx")
    assert fake_exporter == ["export", "optimize", "quantize"]  # nothing exported again
    assert (
        second.read_bytes().startswith(b"optimize") and second.parent.parent == first.parent.parent
    )
    record = json.loads((first.parent / export.RECORD_FILE).read_text())
    assert record["backend"] == "onnx-int8" and record["model"] == "m"


@pytest.mark.parametrize("damage", ["truncate", "no-record", "bad-record"])
def test_a_damaged_or_half_written_export_is_exported_again(fake_exporter, tmp_path, damage):
    folder = model_folder(tmp_path)
    path = export.exported_model(tmp_path / "home", "m", str(folder), "onnx-int8")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:5])
    elif damage == "no-record":
        (path.parent / export.RECORD_FILE).unlink()
    else:
        (path.parent / export.RECORD_FILE).write_text("{not json")
    again = export.exported_model(tmp_path / "home", "m", str(folder), "onnx-int8")
    assert fake_exporter.count("export") == 2
    assert again == path and path.read_bytes().startswith(b"quantize")


def test_a_model_that_is_not_a_local_folder_is_refused(tmp_path) -> None:
    with pytest.raises(export.ExportError, match="--backend torch"):
        export.exported_model(tmp_path, "org/remote-model", "org/remote-model", "onnx")


def test_the_cache_key_follows_the_model_files(tmp_path) -> None:
    folder = model_folder(tmp_path)
    before = export.cache_dir(tmp_path, "m", str(folder))
    (folder / "model.safetensors").write_bytes(b"weights")
    assert export.cache_dir(tmp_path, "m", str(folder)) != before


# -- the real packaged model, exported once per session --------------------------------------

TEXTS = [
    "Heat (1995). Genres: Action, Crime. A group of professional bank robbers.",
    "Toy Story (1995). Genres: Animation, Family. Toys come to life when humans are away.",
    "a cozy feel-good film for a rainy Sunday",
    "heist with a twist",
    "Alien (1979). In space no one can hear you scream. " * 12,  # truncated at 256 tokens
]


@pytest.fixture(scope="session")
def export_home(tmp_path_factory) -> Path:
    """A MOVIEREC_HOME holding both ONNX exports of the packaged model."""
    from movierec.embed import Encoder

    home = tmp_path_factory.mktemp("onnx-home")
    _ = Encoder(backend="onnx-int8", home=home).model
    return home


@pytest.mark.model
@pytest.mark.parametrize(("backend", "mean", "least"), [("onnx", 0.9999, 0.9999),
                                                         ("onnx-int8", 0.99, 0.98)])  # fmt: skip
def test_onnx_vectors_match_torch(real_encoder, export_home, backend, mean, least) -> None:
    from movierec.embed import Encoder

    encoder = Encoder(backend=backend, home=export_home)
    vectors = encoder.encode(TEXTS)
    cosines = np.sum(vectors * real_encoder.encode(TEXTS), axis=1)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosines.mean() >= mean and cosines.min() >= least, cosines
    assert encoder.dimension == 384
    # queries go through the float export, documents through `backend`
    query = encoder.encode_query(TEXTS[3])
    assert float(query @ real_encoder.encode(TEXTS[3:4])[0]) >= 0.9999
    assert float(query @ vectors[3]) >= least


@pytest.mark.model
def test_a_second_open_reuses_the_cached_export(export_home, monkeypatch) -> None:
    from movierec.embed import Encoder

    def no_export(*args) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(export, "_export", no_export)
    assert Encoder(backend="onnx-int8", home=export_home).encode(TEXTS[:1]).shape == (1, 384)


@pytest.mark.model
def test_an_onnx_int8_index_finds_the_same_films(export_home, tmp_path) -> None:
    from movierec.embed import Encoder

    encoder = Encoder(backend="onnx-int8", home=export_home)
    bundle, report = build_index(FIXTURE_CATALOG, tmp_path / "idx", encoder)
    assert report.backend == "onnx-int8" and report.encoded == report.movies == 30
    assert read_manifest(tmp_path / "idx")["backend"] == "onnx-int8"
    top = [hit.title for hit in Recommender(bundle, encoder).search("heist with a twist", k=4)]
    assert {"Ocean's Eleven", "Inception"} & set(top[:2]), top


@pytest.mark.parametrize(
    ("config", "pooling"),
    [
        ({"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}, "mean"),
        ({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}, "cls"),
        ({"embedding_dimension": 384, "pooling_mode": "mean", "include_prompt": True}, "mean"),
        ({"pooling_mode": "max", "include_prompt": True}, None),
        ({"pooling_mode_max_tokens": True}, None),
    ],
)
def test_pooling_is_read_from_either_config_format(tmp_path, config, pooling) -> None:
    from movierec.embed.onnx_model import sentence_settings

    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(config))
    if pooling is None:
        with pytest.raises(export.ExportError, match="use --backend torch"):
            sentence_settings(str(tmp_path))
    else:
        assert sentence_settings(str(tmp_path)) == (512, pooling)
