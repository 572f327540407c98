"""Model resolution, document texts, the embedding cache, and the real packaged model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movierec.embed.cache import content_hashes, encode_cached
from movierec.embed.documents import build_documents, check_fields, document_text
from movierec.embed.model import DEFAULT_MODEL, canonical_name, resolve_model


def test_default_model_resolves_to_packaged_folder() -> None:
    folder = Path(resolve_model(None))
    assert folder.is_dir()
    assert (folder / "modules.json").exists()
    assert resolve_model("all-MiniLM-L6-v2") == str(folder)
    assert canonical_name("all-MiniLM-L6-v2") == DEFAULT_MODEL


def test_other_model_names_pass_through() -> None:
    assert resolve_model("my-org/my-model") == "my-org/my-model"
    assert resolve_model("/models/local") == "/models/local"


ROW = pd.Series(
    {
        "title": "Heat",
        "year": 1995,
        "genres": ["Action", "Crime"],
        "overview": "A thief and a detective.",
        "tagline": "",
        "keywords": np.array(["heist", "los angeles"]),
        "director": "Michael Mann",
        "cast": ["Al Pacino", "Robert De Niro"],
    }
)


def test_document_text_orders_fields_and_skips_empty_ones() -> None:
    text = document_text(ROW)
    assert text.startswith("Heat (1995). Genres: Action, Crime. A thief and a detective.")
    assert "Keywords: heist, los angeles." in text
    assert "Directed by Michael Mann." in text
    assert "  " not in text
    assert document_text(ROW, ("overview", "title")) == "A thief and a detective. Heat (1995)."


def test_document_fields_are_validated() -> None:
    with pytest.raises(ValueError, match="choose from"):
        check_fields(["title", "plot"])


def test_missing_year_and_lists() -> None:
    row = pd.Series({"title": "Untitled", "year": pd.NA, "genres": [], "overview": "x"})
    assert build_documents(pd.DataFrame([row]), ("title", "genres", "overview")) == ["Untitled. x"]


def test_cache_reencodes_only_new_or_changed_texts(fake_encoder) -> None:
    texts = ["alpha film", "beta film", "gamma film"]
    vectors, hashes, encoded = encode_cached(fake_encoder, texts)
    assert encoded == 3
    fake_encoder.encoded.clear()
    changed = ["alpha film", "beta film, director's cut", "gamma film", "delta film"]
    new_vectors, new_hashes, encoded = encode_cached(fake_encoder, changed, (hashes, vectors))
    assert encoded == 2
    assert fake_encoder.encoded == ["beta film, director's cut", "delta film"]
    np.testing.assert_array_equal(new_vectors[0], vectors[0])
    np.testing.assert_array_equal(new_vectors[3], fake_encoder.encode(["delta film"])[0])
    assert new_hashes[2] == hashes[2]


def test_hashes_depend_on_model_and_text() -> None:
    a = content_hashes(["x"], "model-a")
    assert a[0] != content_hashes(["x"], "model-b")[0]
    assert a[0] != content_hashes(["y"], "model-a")[0]


@pytest.mark.model
def test_real_model_gives_normalized_meaningful_vectors(real_encoder) -> None:
    vectors = real_encoder.encode(
        ["a heist crew robs a casino", "thieves plan a bank robbery", "a cartoon fish"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert real_encoder.dimension == 384
    np.testing.assert_allclose(real_encoder.encode_query("a cartoon fish"), vectors[2], atol=1e-5)


def test_progress_is_reported_in_chunks(fake_encoder, monkeypatch) -> None:
    from movierec.embed import cache

    monkeypatch.setattr(cache, "PROGRESS_CHUNK", 4)
    calls = []
    texts = [f"text number {i}" for i in range(10)]
    vectors, _, encoded = cache.encode_cached(
        fake_encoder, texts, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(4, 10), (8, 10), (10, 10)]
    assert encoded == 10
    np.testing.assert_allclose(vectors, fake_encoder.encode(texts))
