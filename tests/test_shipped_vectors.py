"""The packaged catalog's shipped vectors: they cover every film and a build reuses them."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.build import reusable_embeddings, shipped_embeddings
from movierec.catalog import DEFAULT_CATALOG, load_catalog
from movierec.embed import DEFAULT_FIELDS, DEFAULT_MODEL, build_documents
from movierec.embed.cache import content_hashes, encode_cached


def test_shipped_vectors_cover_every_film_of_the_packaged_catalog(tmp_path) -> None:
    shipped = shipped_embeddings(DEFAULT_MODEL)
    assert shipped is not None, "run scripts/build_default_vectors.py after changing the catalog"
    hashes, vectors = shipped
    documents = build_documents(load_catalog(DEFAULT_CATALOG), DEFAULT_FIELDS)
    assert set(content_hashes(documents, DEFAULT_MODEL)) <= set(hashes)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert reusable_embeddings(tmp_path / "no-index-yet", DEFAULT_MODEL) is not None


def test_a_build_reuses_shipped_vectors_instead_of_encoding(fake_encoder) -> None:
    shipped = shipped_embeddings(DEFAULT_MODEL)
    documents = build_documents(load_catalog(DEFAULT_CATALOG).head(50), DEFAULT_FIELDS)
    fake_encoder.name = DEFAULT_MODEL  # the hashes are of the packaged model's name
    vectors, _, encoded = encode_cached(fake_encoder, documents, shipped)
    assert encoded == 0 and fake_encoder.encoded == []
    assert vectors.shape == (50, 384)


def test_other_models_get_no_shipped_vectors() -> None:
    assert shipped_embeddings("some/other-model") is None


@pytest.mark.model
def test_a_fresh_install_serves_the_packaged_catalog_through_the_shipped_adapter(
    tmp_path, monkeypatch
) -> None:
    from movierec.recommender import Recommender
    from movierec.tuning.shipped import SHIPPED, shipped_adapter

    if not (SHIPPED / "manifest.json").exists():
        pytest.skip("no shipped adapter in this checkout")
    monkeypatch.setenv("MOVIEREC_HOME", str(tmp_path))
    served = Recommender.open(show_progress=False)
    shipped = shipped_adapter(DEFAULT_MODEL, 384)
    assert served.bundle.manifest["adapter"]["digest"] == shipped.digest()
    assert served.like_counts is not None and served.similar_bundle is not None
    base = Recommender.open(show_progress=False, tuned=False)
    assert "adapter" not in base.bundle.manifest
    assert not np.allclose(served.bundle.embeddings[:5], base.bundle.embeddings[:5])
    assert len(served.search("a cozy, feel-good film for a rainy Sunday", k=5)) == 5
