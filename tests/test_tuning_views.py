"""Film views: what they say, how they are kept, and the document map that reads them."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from movierec.tuning import (
    AdapterError,
    TrainConfig,
    TunedSource,
    adapt,
    load_current_adapter,
    tune,
)
from movierec.tuning import views as film_views_module
from movierec.tuning.serve import views_of_liked_films
from movierec.tuning.views import (
    VIEW_FIELDS,
    VIEWS_FILE,
    film_views,
    save_views,
    view_texts,
    views_key,
)
from tests.helpers import fixture_recommender

ALIEN, AMELIE, SHINING = 348, 194, 694
TINY = TrainConfig(steps=5, batch_size=8, lr=1e-2, views=True)


@pytest.fixture
def rec(fake_encoder):
    return fixture_recommender(fake_encoder)


def likes() -> dict[str, list[int]]:
    return {f"u{u}": [ALIEN, AMELIE, SHINING] for u in range(6)}


def fresh(bundle):
    """The same index as a new process would load it: nothing kept in memory."""
    return dataclasses.replace(bundle, views={})


def test_views_render_the_films_metadata_and_are_empty_without_it(rec) -> None:
    row = rec.movies.row(ALIEN)
    genres, people = (view_texts(rec.bundle, fields)[row] for fields in VIEW_FIELDS)
    assert genres.startswith("Genres: ") and "Keywords: " in genres
    assert people.startswith("Directed by Ridley Scott.") and "Starring: " in people
    blank = dataclasses.replace(rec.bundle, catalog=rec.bundle.catalog.assign(director=None))
    blank = blank.catalog.assign(cast=[[] for _ in range(len(blank.catalog))])
    assert set(view_texts(dataclasses.replace(rec.bundle, catalog=blank), VIEW_FIELDS[1])) == {""}
    views = film_views(dataclasses.replace(rec.bundle, catalog=blank, views={}), rec.encoder)
    dim = rec.encoder.dimension
    assert views.shape == (len(blank), 2 * dim)
    assert np.abs(views[:, :dim]).sum(axis=1).min() > 0  # every fixture film has genres
    assert not views[:, dim:].any()  # no director, no cast: zeros, not the vector of ""


def test_views_are_encoded_once_then_kept_in_memory_and_on_disk(rec, tmp_path) -> None:
    built = len(rec.encoder.encoded)  # the index's own documents
    views = film_views(rec.bundle, rec.encoder, cache_dir=tmp_path)
    encoded = len(rec.encoder.encoded) - built
    assert encoded == 2 * len(rec.movies.ids) and (tmp_path / VIEWS_FILE).exists()
    assert film_views(rec.bundle, rec.encoder, cache_dir=tmp_path) is views  # memory
    again = film_views(fresh(rec.bundle), rec.encoder, cache_dir=tmp_path)  # disk
    assert len(rec.encoder.encoded) == built + encoded
    np.testing.assert_array_equal(again, views)
    # Views made for another catalog are not reused, and are replaced by this one's.
    other = fresh(rec.bundle)
    other.manifest = {**other.manifest, "catalog": {"fingerprint": "another catalog"}}
    film_views(other, rec.encoder, cache_dir=tmp_path)
    assert len(rec.encoder.encoded) == built + 2 * encoded
    stored = np.load(tmp_path / VIEWS_FILE)
    assert json.loads(str(stored["key"]))["catalog"] == "another catalog"
    assert stored["views"].dtype == np.float16  # half the disk, the same vectors served


def test_the_document_map_reads_the_views_and_needs_them(rec, tmp_path) -> None:
    tune(rec.bundle, rec.encoder, likes(), tmp_path, [("space horror", ALIEN)], TINY)
    served = TunedSource(rec, tmp_path).current()
    adapter_views = json.loads(
        next((tmp_path / "versions").iterdir()).joinpath("manifest.json").read_text()
    )["views"]
    assert [tuple(v) for v in adapter_views] == list(VIEW_FIELDS)
    assert (tmp_path / VIEWS_FILE).exists()  # tune kept them for serving
    adapter = load_current_adapter(tmp_path, rec.encoder.name)
    base = np.asarray(rec.bundle.embeddings)
    views = film_views(rec.bundle, rec.encoder)
    mapped = adapter.documents(base, views)
    alone = adapter.documents(base, np.zeros_like(views))
    # the views move the films: the same map without them gives other vectors
    assert not np.allclose(alone, mapped, atol=1e-4)
    # Films the tuning saw liked are served with their views; the others (nobody liked them
    # yet) from their own vector alone, as view dropout taught the map to read a film.
    liked = np.isin(rec.movies.ids, [ALIEN, AMELIE, SHINING])
    assert liked.sum() == 3 and (~liked).sum() > 0
    np.testing.assert_allclose(served.bundle.embeddings[liked], mapped[liked], rtol=1e-6)
    np.testing.assert_allclose(served.bundle.embeddings[~liked], alone[~liked], rtol=1e-6)
    served_views = views_of_liked_films(views, served.unseen)
    np.testing.assert_array_equal(served_views[liked], views[liked])
    assert not served_views[~liked].any() and views[~liked].any()  # a copy: the cache is intact
    mapped = adapter.documents(base, served_views)
    with pytest.raises(AdapterError, match=r"genres\+keywords, director\+cast.*film_views"):
        adapter.documents(base)
    with pytest.raises(AdapterError, match="expected an array of shape"):
        adapter.documents(base, views[:, :10])
    # A new process serves the tuned vectors from the kept views, encoding nothing.
    again = fixture_recommender(rec.encoder)
    before = len(rec.encoder.encoded)
    np.testing.assert_allclose(adapt(again, adapter, tmp_path).bundle.embeddings, mapped, rtol=1e-6)
    assert len(rec.encoder.encoded) == before


def test_the_packaged_catalogs_views_are_read_not_encoded(rec, tmp_path, monkeypatch) -> None:
    views = film_views(rec.bundle, rec.encoder)
    packaged = tmp_path / "packaged" / VIEWS_FILE
    packaged.parent.mkdir()
    key = views_key(rec.bundle, rec.encoder.name)
    save_views(packaged, key, views)
    monkeypatch.setattr(film_views_module, "PACKAGED", packaged)
    fresh = fixture_recommender(rec.encoder)  # a new process: nothing in memory, none kept
    encoded = len(rec.encoder.encoded)
    np.testing.assert_array_equal(film_views(fresh.bundle, rec.encoder, cache_dir=tmp_path), views)
    assert len(rec.encoder.encoded) == encoded  # a fresh install encodes none of them
    assert not (tmp_path / VIEWS_FILE).exists()  # the packaged file is read, not copied
    # Views made for another catalog (or model, or fields) are never served in its place.
    save_views(packaged, {**key, "catalog": "another catalog"}, views)
    other = fixture_recommender(rec.encoder)
    encoded = len(rec.encoder.encoded)
    np.testing.assert_array_equal(film_views(other.bundle, rec.encoder), views)
    assert len(rec.encoder.encoded) > encoded  # encoded again, the same vectors


@pytest.mark.parametrize("damage", [b"PK\x03\x04 not a zip", b"", b"\x93NUMPY garbage"])
def test_a_damaged_views_file_is_encoded_again_and_rewritten(rec, tmp_path, damage) -> None:
    views = film_views(rec.bundle, rec.encoder, cache_dir=tmp_path)
    (tmp_path / VIEWS_FILE).write_bytes(damage)  # e.g. a disk that filled up under another tool
    fresh = fixture_recommender(rec.encoder)
    encoded = len(rec.encoder.encoded)
    np.testing.assert_array_equal(film_views(fresh.bundle, rec.encoder, cache_dir=tmp_path), views)
    assert len(rec.encoder.encoded) > encoded  # encoded again, the same vectors
    again = fixture_recommender(rec.encoder)
    encoded = len(rec.encoder.encoded)
    np.testing.assert_array_equal(film_views(again.bundle, rec.encoder, cache_dir=tmp_path), views)
    assert len(rec.encoder.encoded) == encoded  # the rewritten file is read next time


def test_views_need_a_separate_query_map() -> None:
    with pytest.raises(ValueError, match=r"separate query map.*views=False"):
        TrainConfig(separate_query=False)  # views are on by default
    assert TrainConfig().views and not TrainConfig(separate_query=False, views=False).views


@pytest.mark.parametrize("value", [-0.1, 1.0, float("nan")])
def test_views_dropout_is_a_share_below_one(value) -> None:
    with pytest.raises(ValueError, match="views_dropout"):
        TrainConfig(views=True, views_dropout=value)


def test_views_dropout_is_seeded_and_changes_what_the_map_learns(rec, tmp_path) -> None:
    def trained(folder, **config):
        tune(
            rec.bundle,
            rec.encoder,
            likes(),
            tmp_path / folder,
            [("space horror", ALIEN)],
            dataclasses.replace(TINY, **config),
        )
        return load_current_adapter(tmp_path / folder, rec.encoder.name)

    a, again, none = trained("a"), trained("again"), trained("none", views_dropout=0.0)
    assert a.info["train"]["views_dropout"] == 0.5 and none.info["train"]["views_dropout"] == 0.0
    np.testing.assert_array_equal(a.weights["document.W"], again.weights["document.W"])
    assert not np.allclose(a.weights["document.W"], none.weights["document.W"])
    # without views there is nothing to drop: the same map whatever the share
    b = trained("b", views=False)
    c = trained("c", views=False, views_dropout=0.0)
    np.testing.assert_array_equal(b.weights["document.W"], c.weights["document.W"])


def test_an_adapter_whose_views_do_not_match_its_map_is_refused(rec, tmp_path) -> None:
    from movierec.tuning import Adapter
    from movierec.versions import current_folder

    tune(rec.bundle, rec.encoder, likes(), tmp_path, [("space horror", ALIEN)], TINY)
    folder = current_folder(tmp_path, ValueError)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "views": []}))
    with pytest.raises(AdapterError, match=r"reads 384 numbers a film.*0 views of 128 \(128\)"):
        Adapter.load(folder)
    source = TunedSource(rec, tmp_path)
    assert source.current() is rec  # refused, so the base vectors keep serving
