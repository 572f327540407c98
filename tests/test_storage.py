"""Index directories: round trip, manifest, mismatches refused, atomic replacement, rebuilds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from movierec.build import build_index
from movierec.catalog import catalog_fingerprint, load_catalog
from movierec.index.storage import (
    FORMAT_VERSION,
    DamagedIndexError,
    IndexMismatchError,
    StaleIndexError,
    load_index,
    read_manifest,
    save_index,
)
from movierec.recommender import Recommender
from tests.helpers import FIXTURE_CATALOG, fixture_recommender

LIST_COLUMNS = ("genres", "keywords", "cast")


def hit_list(rec: Recommender) -> list:
    return [
        [(h.id, round(h.score, 5)) for h in rec.search("heist in los angeles", k=8)],
        [(h.id, round(h.score, 5)) for h in rec.similar("Alien", k=8)],
        [(h.id, round(h.score, 5)) for h in rec.recommend([862, 12], [348], k=8)],
    ]


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_round_trip_gives_identical_hits(tmp_path, fake_encoder, kind) -> None:
    built = fixture_recommender(fake_encoder, kind=kind)
    save_index(tmp_path / "idx", built.bundle)
    loaded = Recommender(load_index(tmp_path / "idx"), fake_encoder)
    assert hit_list(loaded) == hit_list(built)
    # Parquet gives list columns back as arrays: the content, and so the fingerprint, is the same.
    before, after = built.bundle.catalog, loaded.bundle.catalog
    assert catalog_fingerprint(after) == catalog_fingerprint(before)
    for column in before.columns:
        assert [list(v) if column in LIST_COLUMNS else v for v in after[column]] == [
            list(v) if column in LIST_COLUMNS else v for v in before[column]
        ], column


def test_manifest_records_what_built_the_index(tmp_path, fake_encoder) -> None:
    save_index(tmp_path / "idx", fixture_recommender(fake_encoder).bundle)
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["model"] == fake_encoder.name
    assert manifest["dimension"] == fake_encoder.dimension
    assert manifest["metric"] == "inner_product"
    assert manifest["bm25"]["k1"] == 1.5 and manifest["bm25"]["b"] == 0.75
    assert manifest["tokenizer"]["lowercase"] is True
    assert manifest["catalog"]["fingerprint"] == catalog_fingerprint(load_catalog(FIXTURE_CATALOG))
    assert manifest["counts"]["movies"] == 30
    assert {"numpy", "faiss-cpu", "python"} <= set(manifest["versions"])
    assert all((tmp_path / "idx" / name).exists() for name in manifest["files"])
    assert not any(name.endswith((".pkl", ".pickle")) for name in manifest["files"])


@pytest.mark.parametrize(
    ("expectation", "value", "named"),
    [
        ("expect_model", "other/model", "'other/model'"),
        ("expect_dimension", 384, "384"),
        ("expect_fingerprint", "0" * 64, "0000"),
    ],
)
def test_mismatch_is_refused_naming_both_values(tmp_path, fake_encoder, expectation, value, named):
    save_index(tmp_path / "idx", fixture_recommender(fake_encoder).bundle)
    manifest = read_manifest(tmp_path / "idx")
    with pytest.raises(IndexMismatchError) as error:
        load_index(tmp_path / "idx", **{expectation: value})
    message = str(error.value)
    assert named in message
    have = {
        "expect_model": repr(manifest["model"]),
        "expect_dimension": str(manifest["dimension"]),
        "expect_fingerprint": manifest["catalog"]["fingerprint"][:12],
    }[expectation]
    assert have in message
    assert "movierec build" in message


def test_missing_index_says_how_to_build(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="run `movierec build`"):
        load_index(tmp_path / "nothing")


def test_failed_build_leaves_previous_index_untouched(tmp_path, fake_encoder, monkeypatch) -> None:
    directory = tmp_path / "idx"
    build_index(FIXTURE_CATALOG, directory, fake_encoder)
    before = (directory / "manifest.json").read_text()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("movierec.index.bm25.BM25Index.save", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index(FIXTURE_CATALOG, directory, fake_encoder)
    assert (directory / "manifest.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]  # no temporary left behind
    load_index(directory)


def test_rebuild_reencodes_only_changed_rows(tmp_path, fake_encoder) -> None:
    directory = tmp_path / "idx"
    _, first = build_index(FIXTURE_CATALOG, directory, fake_encoder)
    assert (first.encoded, first.reused) == (30, 0)
    lines = FIXTURE_CATALOG.read_text().splitlines()
    lines[1] = lines[1].replace("meticulous", "careful")  # edit Heat's overview
    lines.append(
        '99,New Film,2024,Drama,"A brand new film about a lighthouse keeper.",,'
        "lighthouse,Someone,Nobody,90,en,6.0,10,1.0"
    )
    edited = tmp_path / "edited.csv"
    edited.write_text("\n".join(lines) + "\n")
    fake_encoder.encoded.clear()
    bundle, second = build_index(edited, directory, fake_encoder)
    assert (second.encoded, second.reused) == (2, 29)
    assert len(fake_encoder.encoded) == 2
    assert bundle.manifest["catalog"]["rows"] == 31


def test_open_builds_then_loads_and_rebuilds_when_catalog_changes(
    tmp_path, monkeypatch, fake_encoder
):
    monkeypatch.setattr("movierec.recommender.Encoder", lambda *_, **__: fake_encoder)
    catalog = tmp_path / "movies.csv"
    catalog.write_text(FIXTURE_CATALOG.read_text())
    first = Recommender.open(catalog, tmp_path / "idx")
    assert len(first.bundle.catalog) == 30
    again = Recommender.open(catalog, tmp_path / "idx", build=False)
    assert hit_list(again) == hit_list(first)
    catalog.write_text(FIXTURE_CATALOG.read_text().replace("Heat,1995", "Heat,1996"))
    with pytest.raises(IndexMismatchError, match="fingerprint"):
        Recommender.open(catalog, tmp_path / "idx", build=False)
    rebuilt = Recommender.open(catalog, tmp_path / "idx")
    assert rebuilt.movie(949)["year"] == 1996
    assert np.asarray(rebuilt.bundle.embeddings).shape == (30, fake_encoder.dimension)


def test_bm25_documents_leave_out_the_title(tmp_path, fake_encoder) -> None:
    built = fixture_recommender(fake_encoder)
    manifest = built.bundle.manifest["document"]
    assert "title" in manifest["fields"] and "title" not in manifest["keyword_fields"]
    tokens = built.bundle.tokenizer
    scores = built.bundle.bm25.get_scores(tokens("heat"))  # a word of a title alone
    row = built.movies.row_of[949]  # Heat: its overview never says "heat"
    assert "heat" not in tokens(str(built.bundle.catalog.loc[row, "overview"]))
    assert scores[row] == 0.0
    assert built.bundle.bm25.get_scores(tokens("thief")).max() > 0  # the story still counts


def _make_format(directory, version) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["format_version"] = version
    path.write_text(json.dumps(manifest))


def test_an_older_index_format_is_rebuilt_reusing_its_vectors(
    tmp_path, monkeypatch, fake_encoder
) -> None:
    monkeypatch.setattr("movierec.recommender.Encoder", lambda *_, **__: fake_encoder)
    first = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    _make_format(tmp_path / "idx", 1)
    with pytest.raises(StaleIndexError, match="format 1"):
        Recommender.open(FIXTURE_CATALOG, tmp_path / "idx", build=False)
    fake_encoder.encoded.clear()
    rebuilt = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    assert fake_encoder.encoded == []  # every vector reused
    assert read_manifest(tmp_path / "idx")["format_version"] == FORMAT_VERSION
    assert hit_list(rebuilt) == hit_list(first)


def test_a_format_2_index_with_its_bm25_npz_is_rebuilt_reusing_its_vectors(
    tmp_path, monkeypatch, fake_encoder
) -> None:
    monkeypatch.setattr("movierec.recommender.Encoder", lambda *_, **__: fake_encoder)
    first = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    for path in (tmp_path / "idx").glob("bm25_*.npy"):  # format 2 kept BM25 in one bm25.npz
        path.unlink()
    (tmp_path / "idx" / "bm25.npz").write_bytes(b"PK")
    _make_format(tmp_path / "idx", 2)
    with pytest.raises(StaleIndexError, match="format 2"):
        load_index(tmp_path / "idx")
    fake_encoder.encoded.clear()
    rebuilt = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    assert fake_encoder.encoded == []  # every vector reused
    assert read_manifest(tmp_path / "idx")["format_version"] == FORMAT_VERSION == 3
    assert sorted(p.name for p in (tmp_path / "idx").glob("bm25_*.npy")) == [
        "bm25_indices.npy",
        "bm25_indptr.npy",
        "bm25_weights.npy",
    ]
    assert hit_list(rebuilt) == hit_list(first)


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, "2.x", None])
def test_a_newer_or_unknown_index_format_is_refused_not_overwritten(
    tmp_path, monkeypatch, fake_encoder, version
) -> None:
    monkeypatch.setattr("movierec.recommender.Encoder", lambda *_, **__: fake_encoder)
    Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    _make_format(tmp_path / "idx", version)
    before = (tmp_path / "idx" / "manifest.json").read_text()
    with pytest.raises(IndexMismatchError, match="movierec build") as caught:
        Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    assert not isinstance(caught.value, StaleIndexError)
    assert (tmp_path / "idx" / "manifest.json").read_text() == before


def test_an_index_written_before_entries_named_their_files_still_loads(
    tmp_path, fake_encoder
) -> None:
    built = fixture_recommender(fake_encoder)
    save_index(tmp_path / "idx", built.bundle)
    path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["dense"]["vectors"]
    manifest["bm25"] = {k: v for k, v in manifest["bm25"].items() if k not in ("matrix", "vocab")}
    manifest["tokenizer"]["stem"] = False  # recorded by tokenizers that could stem
    path.write_text(json.dumps(manifest))
    assert hit_list(Recommender(load_index(tmp_path / "idx"), fake_encoder)) == hit_list(built)


def test_an_older_tokenizer_is_rebuilt_reusing_vectors_a_newer_one_refused(
    tmp_path, monkeypatch, fake_encoder
) -> None:
    monkeypatch.setattr("movierec.recommender.Encoder", lambda *_, **__: fake_encoder)
    first = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(path.read_text())
    version = manifest["tokenizer"]["version"]
    path.write_text(json.dumps({**manifest, "tokenizer": {**manifest["tokenizer"], "stem": True}}))
    with pytest.raises(StaleIndexError, match="tokenizer version"):
        load_index(tmp_path / "idx")
    fake_encoder.encoded.clear()
    rebuilt = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    assert fake_encoder.encoded == []  # every vector reused
    assert read_manifest(tmp_path / "idx")["tokenizer"]["version"] == version
    assert hit_list(rebuilt) == hit_list(first)
    newer = {**manifest, "tokenizer": {**manifest["tokenizer"], "version": version + 1}}
    path.write_text(json.dumps(newer))
    with pytest.raises(IndexMismatchError, match=f"tokenizer version {version + 1}") as caught:
        Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    assert not isinstance(caught.value, StaleIndexError)


@pytest.mark.parametrize(("damaged", "encoded"), [("dense.faiss", 0), ("embeddings.npy", 30)])
def test_a_damaged_index_is_named_then_rebuilt(
    tmp_path, monkeypatch, fake_encoder, damaged, encoded
) -> None:
    monkeypatch.setattr("movierec.recommender.Encoder", lambda *_, **__: fake_encoder)
    first = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    (tmp_path / "idx" / damaged).write_bytes(b"not an index")
    with pytest.raises(DamagedIndexError, match=f"{damaged} is damaged"):
        Recommender.open(FIXTURE_CATALOG, tmp_path / "idx", build=False)
    fake_encoder.encoded.clear()
    rebuilt = Recommender.open(FIXTURE_CATALOG, tmp_path / "idx")
    assert len(fake_encoder.encoded) == encoded  # intact vectors are reused
    assert hit_list(rebuilt) == hit_list(first)


def test_a_large_catalog_loads_compact_with_its_long_text_left_on_disk(
    tmp_path, monkeypatch, fake_encoder
) -> None:
    from movierec import catalog_text
    from movierec.filters import Filters
    from movierec.index import dense
    from movierec.index.vector_file import VectorFile

    built = fixture_recommender(fake_encoder)
    save_index(tmp_path / "idx", built.bundle)
    monkeypatch.setattr(catalog_text, "LAZY_ABOVE", 0)  # as for a catalog above 200,000 films
    monkeypatch.setattr(dense, "READ_ROWS_ABOVE", 0)
    bundle = load_index(tmp_path / "idx")
    assert isinstance(bundle.embeddings, VectorFile) and bundle.embeddings is bundle.dense.vectors
    assert bundle.long_text is not None
    assert not {"overview", "tagline", "keywords"} & set(bundle.catalog.columns)
    assert bundle.catalog["original_language"].dtype == "category"
    loaded = Recommender(bundle, fake_encoder)
    assert hit_list(loaded) == hit_list(built)
    for id in built.movies.ids[:: len(built.movies.ids) // 5]:
        assert loaded.movie(int(id)) == built.movie(int(id))  # same fields, same order
    np.testing.assert_array_equal(np.asarray(bundle.embeddings), built.bundle.embeddings)
    french = Filters(languages=["FR"])
    assert [h.id for h in loaded.search("love", filters=french)] == [
        h.id for h in built.search("love", filters=french)
    ]
    with pytest.raises(ValueError, match="cannot be saved again"):
        save_index(tmp_path / "again", bundle)
