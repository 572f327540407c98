"""Tuning: a tiny adapter run, its versioned artifact, serving it, and refusing bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from movierec.errors import UsageError
from movierec.tuning import (
    Adapter,
    AdapterError,
    NothingToLearnError,
    TrainConfig,
    TunedSource,
    adapt,
    load_current_adapter,
    tune,
)
from movierec.tuning.pairs import colike_pairs, neighbour_pairs, read_tags, text_pairs
from movierec.versions import CURRENT, VERSIONS, version_names
from tests.helpers import fixture_recommender

ALIEN, AMELIE, NOTEBOOK, SHINING, WALL_E = 348, 194, 11036, 694, 10681
TINY = TrainConfig(steps=5, batch_size=8, lr=1e-2)


@pytest.fixture
def rec(fake_encoder):
    return fixture_recommender(fake_encoder)


def likes() -> dict[str, list[int]]:
    return {f"u{u}": [ALIEN, AMELIE] for u in range(6)} | {"x": [SHINING, NOTEBOOK, 999999]}


def tags() -> list[tuple[str, int]]:
    return [("dreamlike", AMELIE), ("space horror", ALIEN), ("robots", WALL_E), ("x", 999999)]


def tuned_once(rec, root: Path, **config) -> Adapter:
    tune(rec.bundle, rec.encoder, likes(), root, tags(), TrainConfig(**{**TINY.__dict__, **config}))
    adapter = load_current_adapter(root, rec.encoder.name)
    assert adapter is not None
    return adapter


def views_of(rec, adapter: Adapter) -> np.ndarray | None:
    """The film views an adapter's document map reads when serving (None for one without
    views): zeros for the films it saw no like of."""
    from movierec.tuning.serve import unseen_rows, views_of_liked_films
    from movierec.tuning.views import film_views

    if not adapter.views:
        return None
    views = film_views(rec.bundle, rec.encoder, adapter.views)
    return views_of_liked_films(views, unseen_rows(adapter, rec.movies.ids))


def test_pairs_stay_inside_the_catalog_and_are_seeded(rec) -> None:
    row_of = rec.movies.row_of
    pairs = colike_pairs(likes(), row_of, seed=1, per_user=4)
    assert len(pairs) and (pairs[:, 0] != pairs[:, 1]).all()
    assert np.array_equal(pairs, colike_pairs(likes(), row_of, seed=1, per_user=4))
    texts = text_pairs(tags(), row_of)
    assert texts.texts == ["dreamlike", "space horror", "robots"] and len(texts) == 3


def test_read_tags_accepts_movielens_and_plain_csv(tmp_path: Path) -> None:
    (tmp_path / "plain.csv").write_text("text,movie_id\n Feel  Good ,194\n")
    assert read_tags(tmp_path / "plain.csv") == [("feel good", 194)]
    (tmp_path / "tags.csv").write_text("userId,movieId,tag,timestamp\n1,7,Dreamlike,0\n")
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n7,1,194\n")
    assert read_tags(tmp_path / "tags.csv", tmp_path / "links.csv") == [("dreamlike", 194)]
    with pytest.raises(ValueError, match=r"links\.csv"):
        read_tags(tmp_path / "tags.csv")


def test_read_tags_skips_empty_texts_and_refuses_ids_that_are_no_numbers(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("text,movie_id\nheist,949\n,12\nfish,12.0\n")
    assert read_tags(plain) == [("heist", 949), ("fish", 12)]
    plain.write_text("text,movie_id\nheist,949\nfish,notanumber\n")
    with pytest.raises(UsageError, match=r"plain\.csv, line 3: movie_id 'notanumber'"):
        read_tags(plain)
    plain.write_text("text,movie_id\nheist,9.5\n")
    with pytest.raises(UsageError, match=r"line 2: movie_id '9\.5' is not a whole number"):
        read_tags(plain)
    tags, links = tmp_path / "tags.csv", tmp_path / "links.csv"
    tags.write_text("userId,movieId,tag,timestamp\n1,7,Dreamlike,0\n1,8,Odd,0\n")
    links.write_text("movieId,imdbId,tmdbId\n7,1,194\n8,2,\n")  # 8: no TMDB entry
    assert read_tags(tags, links) == [("dreamlike", 194)]
    tags.write_text("userId,movieId,tag,timestamp\n1,7,Dreamlike,0\n1,seven,Odd,0\n")
    with pytest.raises(UsageError, match="line 3: movieId 'seven'"):
        read_tags(tags, links)
    tags.write_text("userId,movieId,tag,timestamp\n1,7,Dreamlike,0\n")
    links.write_text("movieId,imdbId\n7,1\n")
    with pytest.raises(UsageError, match=r"missing column.*tmdbId"):
        read_tags(tags, links)
    links.write_bytes(b"")
    with pytest.raises(UsageError, match=r"cannot read .*links"):
        read_tags(tags, links)


@pytest.mark.parametrize(
    "kind,separate,views", [("linear", False, False), ("mlp", True, True), ("linear", True, True)]
)
def test_tiny_tuning_round_trips_and_changes_the_vectors(
    rec, tmp_path, kind, separate, views
) -> None:
    adapter = tuned_once(rec, tmp_path, kind=kind, separate_query=separate, hidden=16, views=views)
    assert adapter.separate_query is separate and bool(adapter.views) is views
    base = np.asarray(rec.bundle.embeddings)
    mapped = adapter.documents(base, views_of(rec, adapter))
    assert not np.allclose(mapped, base, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(mapped, axis=1), 1.0, rtol=1e-5)
    again = Adapter.load(tmp_path / VERSIONS / version_names(tmp_path)[0])
    np.testing.assert_array_equal(again.documents(base, views_of(rec, again)), mapped)
    assert again.info["data"]["colike_pairs"] > 0 and again.info["seed"] == 0
    served = adapt(rec, adapter)
    np.testing.assert_allclose(served.bundle.embeddings, mapped, rtol=1e-6)
    query = served.encoder.encode_query("dreamlike")
    np.testing.assert_allclose(query, adapter.queries(rec.encoder.encode(["dreamlike"]))[0])
    assert served.search("dreamlike", k=3) and served.recommend([ALIEN], k=3)


def test_tuning_lists_its_liked_films_and_serving_marks_the_others(rec, tmp_path) -> None:
    adapter = tuned_once(rec, tmp_path)
    liked = sorted([ALIEN, AMELIE, NOTEBOOK, SHINING])  # 999999 is not in the catalog
    assert adapter.info["data"]["liked_films"] == liked
    again = Adapter.load(tmp_path / VERSIONS / version_names(tmp_path)[0])
    assert again.info["data"]["liked_films"] == liked
    served = adapt(rec, again)
    assert served.unseen.dtype == bool
    marked = {int(i) for i, u in zip(rec.movies.ids, served.unseen, strict=True) if u}
    assert marked == set(map(int, rec.movies.ids)) - set(liked)
    assert served.with_community(None).unseen is served.unseen
    assert rec.unseen is None  # the base vectors mark nothing


def test_tuning_counts_its_likes_and_tuned_profiles_lean_on_them(rec, tmp_path) -> None:
    from movierec.ranking import likes_prior, quality_prior

    adapter = tuned_once(rec, tmp_path)
    data = Adapter.load(tmp_path / VERSIONS / version_names(tmp_path)[0]).info["data"]
    assert data["liked_films"] == [AMELIE, ALIEN, SHINING, NOTEBOOK]  # sorted ids
    assert data["like_counts"] == [6, 6, 1, 1]  # six users liked Amélie and Alien
    served = adapt(rec, adapter)
    count_of = dict(zip(map(int, rec.movies.ids), served.like_counts.tolist(), strict=True))
    assert count_of[AMELIE] == 6 and count_of[SHINING] == 1 and count_of[WALL_E] == 0
    assert served.with_community(None).like_counts is served.like_counts
    assert served.mode_defaults["recommend"]["prior_likes"] == 1.0
    assert "prior_likes" not in served.mode_defaults["search"]
    quality = quality_prior(rec.bundle.catalog)
    liked = likes_prior(served.like_counts, quality)
    np.testing.assert_allclose(
        served.prior_for(served.settings.with_overrides(prior_likes=1.0)), liked
    )
    half = served.prior_for(served.settings.with_overrides(prior_likes=0.5))
    np.testing.assert_allclose(half, 0.5 * quality + 0.5 * liked)
    row = rec.movies.row_of
    assert liked[row[AMELIE]] == liked[row[ALIEN]] == 1.0
    assert liked[row[SHINING]] == pytest.approx(np.log(2) / np.log(7))  # log(1 + 1) / log(1 + 6)
    # A profile that leans on the prior ranks the film six people liked above the one one
    # person liked, whatever the catalog's votes say; the base engine knows no like counts,
    # so prior_likes leaves its prior as it was.
    order = [h.id for h in served.recommend([NOTEBOOK], k=29, prior_weight=100.0)]
    assert order.index(AMELIE) < order.index(SHINING) and order.index(ALIEN) < order.index(SHINING)
    np.testing.assert_array_equal(
        rec.prior_for(rec.settings.with_overrides(prior_likes=1.0)), quality
    )


def test_prior_likes_on_an_engine_without_like_counts_says_so_once(rec, caplog) -> None:
    plain = [h.id for h in rec.recommend([NOTEBOOK], k=5)]
    assert [h.id for h in rec.recommend([NOTEBOOK], k=5, prior_likes=1.0)] == plain
    rec.search("space", k=3, prior_likes=0.5)
    assert caplog.text.count("prior_likes has no effect: this engine knows no like counts") == 1
    assert "movierec tune" in caplog.text


def test_an_adapter_without_like_counts_keeps_the_quality_prior(rec, tmp_path, caplog) -> None:
    from movierec.tuning.serve import TUNED_MODE_DEFAULTS

    adapter = tuned_once(rec, tmp_path)
    del adapter.info["data"]["like_counts"]  # an adapter saved before they were recorded
    served = adapt(rec, adapter)
    assert served.like_counts is None and served.unseen is not None
    assert served.mode_defaults == TUNED_MODE_DEFAULTS
    assert served.mode_defaults["recommend"]["community_prior_weight"] == 0.0
    adapter.info["data"]["like_counts"] = [1, 2]  # a hand-edited manifest: 4 films, 2 counts
    assert adapt(rec, adapter).like_counts is None
    assert "like_counts do not match" in caplog.text


def test_an_adapter_without_liked_films_marks_nothing(rec, tmp_path) -> None:
    adapter = tuned_once(rec, tmp_path)
    del adapter.info["data"]["liked_films"]  # an adapter saved before they were listed
    assert adapt(rec, adapter).unseen is None
    tune(rec.bundle, rec.encoder, {}, tmp_path / "text", tags(), TINY)  # text pairs only
    text_only = load_current_adapter(tmp_path / "text", rec.encoder.name)
    assert text_only.info["data"]["liked_films"] == []
    assert adapt(rec, text_only).unseen is None
    adapter.info["data"]["liked_films"] = ["Alien", None]  # a hand-edited manifest
    assert adapt(rec, adapter).unseen is None


def test_neighbour_pairs_follow_the_overlap_of_likers() -> None:
    # Film 0 (rows = ids here) is liked by u0-u5; film 1 by u0-u4 (Jaccard 5/6 with 0), film 2
    # by u3-u7 (3/8), film 3 by u5 only (one liker in common: below min_co_likers).
    likes = {f"u{u}": [0, 1] for u in range(3)} | {"u3": [0, 1, 2], "u4": [0, 1, 2]}
    likes |= {"u5": [0, 2, 3], "u6": [2], "u7": [2]}
    ids = list(range(5))  # catalog ids = rows
    pairs = neighbour_pairs(likes, ids, min_likers=5, top=20, min_co_likers=2)
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1]]
    top1 = neighbour_pairs(likes, ids, min_likers=6, top=1, min_co_likers=2)
    assert top1.tolist() == [[0, 1]]  # only film 0 has 6 likers; its closest is film 1
    assert neighbour_pairs({}, ids).shape == (0, 2)


def test_a_similar_map_serves_films_like_this_and_round_trips(rec, tmp_path, caplog) -> None:
    # ALIEN and AMELIE: 6 likers each, neighbours once films of 5 likers count (10 by default)
    assert not tuned_once(rec, tmp_path / "few").has_similar
    adapter = tuned_once(rec, tmp_path, similar_min_likers=5)
    assert adapter.has_similar and adapter.info["similar"]["neighbour_pairs"] == 2
    base = np.asarray(rec.bundle.embeddings)
    similar = adapter.similars(base)
    assert not np.allclose(similar, adapter.documents(base, views_of(rec, adapter)), atol=1e-4)
    again = Adapter.load(tmp_path / VERSIONS / version_names(tmp_path)[0])
    assert again.has_similar and json_manifest(tmp_path)["similar_map"] is True
    np.testing.assert_array_equal(again.similars(base), similar)
    served = adapt(rec, again)
    np.testing.assert_allclose(served.similar_bundle.embeddings, similar, rtol=1e-6)
    seed = rec.movies.row(ALIEN)
    for hit in served.similar(id=ALIEN, k=5):  # plain "films like this": the similar map
        row = rec.movies.row(hit.id)
        assert hit.vector_score == pytest.approx(float(similar[seed] @ similar[row]), abs=1e-5)
    tuned = served.bundle.embeddings
    for hit in served.similar(id=ALIEN, text="dreamlike", k=3):  # steered: the query space
        row = rec.movies.row(hit.id)
        assert hit.vector_score == pytest.approx(float(tuned[seed] @ tuned[row]), abs=1e-5)
    assert served.with_community(None).similar_bundle is served.similar_bundle
    assert rec.similar_bundle is None
    # A run whose max_minutes the document map spent gets none, and says so.
    with caplog.at_level("WARNING"):
        rushed = tuned_once(rec, tmp_path / "rushed", similar_min_likers=5, max_minutes=1e-9)
    assert not rushed.has_similar and "no similar map" in caplog.text
    # Without the similar map (or with no film liked by enough people), "similar" uses the
    # document map as before.
    plain = tuned_once(rec, tmp_path / "plain", similar_map=False)
    assert not plain.has_similar and adapt(rec, plain).similar_bundle is None
    views = views_of(rec, plain)
    np.testing.assert_array_equal(plain.similars(base, views), plain.documents(base, views))


def json_manifest(root: Path) -> dict:
    import json

    return json.loads((root / VERSIONS / version_names(root)[0] / "manifest.json").read_text())


def test_same_seed_same_artifact(rec, tmp_path) -> None:
    first = tuned_once(rec, tmp_path / "a")
    second = tuned_once(rec, tmp_path / "b")
    assert first.digest() == second.digest()


def test_current_switch_is_atomic_and_keeps_three(rec, tmp_path) -> None:
    source = TunedSource(rec, tmp_path)
    assert source.current() is rec  # nothing tuned yet: the base recommender
    digests = set()
    for seed in range(4):
        digests.add(tuned_once(rec, tmp_path, seed=seed).digest())
        name = (tmp_path / CURRENT).read_text().strip()
        assert name == version_names(tmp_path)[-1]
        served = source.current()
        assert served.bundle.manifest["adapter"]["digest"].startswith(name.rsplit("-", 1)[1])
    assert len(digests) == 4 and len(version_names(tmp_path)) == 3
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_failed_tuning_keeps_the_old_version(rec, tmp_path, monkeypatch) -> None:
    tuned_once(rec, tmp_path)
    before = (tmp_path / CURRENT).read_text()

    def crash(self, directory):
        (Path(directory).parent / "half").mkdir(parents=True)
        raise KeyboardInterrupt  # killed while writing

    monkeypatch.setattr(Adapter, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        tuned_once(rec, tmp_path, seed=5)
    assert (tmp_path / CURRENT).read_text() == before
    assert load_current_adapter(tmp_path) is not None


def test_unreadable_new_version_keeps_serving_the_previous(rec, tmp_path) -> None:
    source = TunedSource(rec, tmp_path)
    tuned_once(rec, tmp_path)
    served = source.current()
    folder = tmp_path / VERSIONS / "20990101T000000.000000Z-broken"
    folder.mkdir()
    (folder / "manifest.json").write_text("{not json")
    (tmp_path / CURRENT).write_text(folder.name + "\n")
    assert source.current() is served


def test_mismatched_adapter_is_refused_naming_both(rec, tmp_path) -> None:
    adapter = tuned_once(rec, tmp_path)
    folder = tmp_path / VERSIONS / version_names(tmp_path)[-1]
    with pytest.raises(AdapterError, match=r"'test/fake-hashing-encoder'.*'other/model'"):
        Adapter.load(folder, model="other/model")
    with pytest.raises(AdapterError, match=r"128-dimensional.*384-dimensional"):
        Adapter.load(folder, dimension=384)
    adapter.base_model = "other/model"
    with pytest.raises(AdapterError, match="other/model"):
        adapt(rec, adapter)


def test_nothing_to_learn_raises_and_writes_nothing(rec, tmp_path) -> None:
    root = tmp_path / "adapters"
    with pytest.raises(NothingToLearnError, match="nothing to learn"):
        tune(rec.bundle, rec.encoder, {"alone": [ALIEN]}, root, [("x", 999999)], TINY)
    assert not root.exists()


def test_profile_anchors_never_hold_their_positive(rec) -> None:
    from movierec.tuning.pairs import like_lists

    lists = like_lists(likes() | {"big": [ALIEN, AMELIE, SHINING, WALL_E]}, rec.movies.row_of)
    anchors, positives = lists.sample(np.random.default_rng(0), 64, anchor=3)
    assert anchors.shape == (64, 3) and (anchors[:, 0] >= 0).all()
    assert not (anchors == positives[:, None]).any()


@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_the_losses_keep_every_tensor_on_the_batch_device(kind) -> None:
    """Tuning on a GPU once failed at its first step: the loss made its mask and targets on the
    CPU. The "meta" device stands in for CUDA here: it refuses any tensor made on the CPU."""
    import torch

    from movierec.tuning.train import _mnrl, _profiles, _residual

    ids = torch.tensor([3, 1, 3, 2], device="meta")
    vectors = torch.empty(4, 8, device="meta")
    assert _mnrl(torch, vectors, vectors, ids, 20.0).device.type == "meta"
    doc_map = _residual(torch, kind, 8, 16).to("meta")
    anchors = torch.tensor([[0, 1, -1], [2, -1, -1]], device="meta")
    profiles = _profiles(torch, doc_map, torch.empty(5, 8, device="meta"), anchors)
    assert profiles.device.type == "meta" and profiles.shape == (2, 8)


def test_profile_share_trains(rec, tmp_path) -> None:
    adapter = tuned_once(rec, tmp_path, profile_share=0.5, profile_size=2)
    assert adapter.info["train"]["profile_share"] == 0.5


def test_fallback_adapter_is_served_until_the_first_tuning(rec, tmp_path) -> None:
    shipped = tuned_once(rec, tmp_path / "shipped", seed=7)
    source = TunedSource(rec, tmp_path / "live", fallback=shipped)
    assert source.current().bundle.manifest["adapter"]["digest"] == shipped.digest()
    own = tuned_once(rec, tmp_path / "live", seed=8)
    assert source.current().bundle.manifest["adapter"]["digest"] == own.digest()


def test_a_base_version_serves_the_base_vectors_even_with_a_fallback(rec, tmp_path) -> None:
    from movierec.tuning import save_base_version

    shipped = tuned_once(rec, tmp_path / "shipped", seed=7)
    source = TunedSource(rec, tmp_path / "live", fallback=shipped)
    assert "adapter" in source.current().bundle.manifest
    save_base_version(tmp_path / "live")
    served = source.current()
    assert "adapter" not in served.bundle.manifest
    np.testing.assert_array_equal(served.bundle.embeddings, rec.bundle.embeddings)
    assert load_current_adapter(tmp_path / "live") is None
    own = tuned_once(rec, tmp_path / "live", seed=8)
    assert source.current().bundle.manifest["adapter"]["digest"] == own.digest()


def test_shipped_adapter_loads_for_minilm_only() -> None:
    from movierec.embed.model import canonical_name
    from movierec.tuning.shipped import SHIPPED, shipped_adapter

    if not (SHIPPED / "manifest.json").exists():
        pytest.skip("no shipped adapter in this checkout")
    adapter = shipped_adapter(canonical_name(None), 384)
    assert adapter is not None and adapter.separate_query
    assert sum(p.stat().st_size for p in SHIPPED.iterdir()) < 8_000_000
    with pytest.raises(AdapterError, match="other/model"):
        shipped_adapter("other/model")


def test_the_shipped_adapter_is_the_default_of_the_packaged_catalog_only() -> None:
    import json

    from movierec.tuning.shipped import SHIPPED, default_adapter, is_shipped, taste_model

    if not (SHIPPED / "manifest.json").exists():
        pytest.skip("no shipped adapter in this checkout")
    shipped = json.loads((SHIPPED / "manifest.json").read_text())
    packaged = {
        "model": shipped["base_model"],
        "catalog": {"fingerprint": shipped["data"]["catalog"]},
    }
    adapter = default_adapter(packaged, 384)
    assert adapter is not None and adapter.digest() == shipped["digest"]
    for other, dimension in (
        ({**packaged, "catalog": {"fingerprint": "another catalog"}}, 384),
        ({**packaged, "model": "other/model"}, 384),
        (packaged, 768),
        ({}, 384),
    ):
        assert default_adapter(other, dimension) is None
    served = {"adapter": {"digest": shipped["digest"], "kind": "linear"}}
    assert is_shipped(served) and "shipped" in taste_model(served)
    assert not is_shipped({"adapter": {"digest": "0" * 64}}) and not is_shipped({})
    assert taste_model({"adapter": {"digest": "0123456789"}}).endswith("(01234567)")
    assert taste_model({}) == "plain sentence vectors"


def test_the_packaged_catalogs_views_ship_for_the_shipped_adapter() -> None:
    """The shipped adapter reads views, and the packaged ones were made for the very catalog,
    model and fields it was trained on, so a fresh install serves it without encoding any."""
    import json

    from movierec.catalog import DEFAULT_CATALOG, load_catalog
    from movierec.tuning.shipped import SHIPPED
    from movierec.tuning.views import PACKAGED

    if not (SHIPPED / "manifest.json").exists():
        pytest.skip("no shipped adapter in this checkout")
    shipped = json.loads((SHIPPED / "manifest.json").read_text())
    assert shipped["views"], "the shipped adapter was trained without views"
    with np.load(PACKAGED, allow_pickle=False) as stored:
        key, views = json.loads(str(stored["key"])), stored["views"]
    assert key == {
        "model": shipped["base_model"],
        "catalog": shipped["data"]["catalog"],
        "fields": shipped["views"],
    }
    assert views.dtype == np.float16
    assert views.shape[1] == len(shipped["views"]) * shipped["dimension"]
    assert views.shape[0] == len(load_catalog(DEFAULT_CATALOG)) and np.isfinite(views).all()


def spy_on_rank(served, monkeypatch, read) -> list:
    """What `read(query, overrides)` gives for every call of the engine's `_rank`, in order
    (the overrides are the mode's defaults with the caller's settings on top)."""
    seen: list = []
    rank = served._rank

    def spy(*args, **kwargs):
        seen.append(read(args[0], args[4]))
        return rank(*args, **kwargs)

    monkeypatch.setattr(served, "_rank", spy)
    return seen


def test_tuned_engine_uses_its_own_prior_per_mode_and_the_caller_still_wins(
    rec, tmp_path, monkeypatch
) -> None:
    served = adapt(rec, tuned_once(rec, tmp_path))
    seen = spy_on_rank(served, monkeypatch, lambda query, given: given.get("prior_weight"))
    served.recommend([ALIEN], k=3)
    served.search("dreamlike", k=3)
    served.similar(id=ALIEN, k=3)
    served.recommend([ALIEN], k=3, prior_weight=0.7)
    served.search("dreamlike", k=3, prior_weight=None)  # the CLI's "not given"
    # One like: 0.07 * sqrt(20 / 1), more prior for a short profile; a prior_weight the caller
    # gives is used as given.
    assert seen == [pytest.approx(0.07 * 20**0.5), 1.0, None, 0.7, 1.0]
    served.recommend([ALIEN], k=3, prior_weight=0.7, profile_prior_likes=4)
    assert seen[-1] == pytest.approx(0.7 * 2)
    assert served.with_community(None).mode_defaults == served.mode_defaults
    assert rec.mode_defaults == {}  # the base vectors keep one prior for every mode


def test_tuned_profiles_take_a_sharper_power_mean_than_base_ones(
    rec, tmp_path, monkeypatch
) -> None:
    served = adapt(rec, tuned_once(rec, tmp_path))
    used = spy_on_rank(
        served,
        monkeypatch,
        lambda query, given: served.settings.with_overrides(**given).profile_power_for(
            len(query.likes)
        ),
    )
    served.recommend([ALIEN, AMELIE], k=3)
    served.recommend([ALIEN, AMELIE], k=3, profile_power=1.0)  # the caller's own is used
    # Tuned: 1 + 7 * 2 / 40; base (the settings every engine starts from): 1 + 4 * 2 / 40, the
    # same 0.1 a like as before, up to 5 at 40 likes (docs/tuning.md, tenth session).
    assert used == [pytest.approx(1.35), 1.0]
    assert [rec.settings.profile_power_for(n) for n in (2, 20, 40, 400)] == [1.2, 3.0, 5.0, 5.0]


BLEND_SETTINGS = (
    "community_fusion",
    "community_weight",
    "community_rank_k",
    "community_dislike_weight",
)


def test_tuned_engine_fuses_profile_and_community_by_rank(rec, tmp_path, monkeypatch) -> None:
    served = adapt(rec, tuned_once(rec, tmp_path))
    seen: list[tuple] = []
    rank = served._rank
    monkeypatch.setattr(
        served,
        "_rank",
        lambda *a, **kw: (
            seen.append(tuple(a[4].get(name) for name in BLEND_SETTINGS)) or rank(*a, **kw)
        ),
    )
    served.recommend([ALIEN], k=3)
    served.similar(id=ALIEN, k=3)
    served.recommend([ALIEN], k=3, community_fusion="sum", community_weight=1.0)
    # k 20, weight 2.5, and the community side reads likes only (docs/tuning.md)
    assert seen == [("rank", 2.5, 20, 0.0), (None,) * 4, ("sum", 1.0, 20, 0.0)]
