"""The community model on tiny hand-made like tables whose right answers are known."""

from __future__ import annotations

import hashlib
import json
import os
import time

import numpy as np
import pytest

from movierec import community, files
from movierec.community import (
    CommunityModel,
    CommunityModelError,
    current_name,
    fit,
    fit_ease,
    fit_item_knn,
    load_current,
    save_version,
    version_names,
)
from movierec.errors import UsageError
from movierec.evaluation.community import Community, split_users
from movierec.movielens import Interactions

IDS = [10, 20, 30, 40, 50]
# 10 and 20 always go together; 30 is once liked with them; 40 bridges to 50.
LIKES = {1: [10, 20], 2: [10, 20], 3: [10, 20, 30], 4: [30, 40], 5: [40, 50]}
KINDS = {"item_knn": {"shrink": 0.0}, "ease": {"l2": 1.0}}


def dense(model: CommunityModel) -> np.ndarray:
    w = model.weights
    return w.toarray() if hasattr(w, "toarray") else np.asarray(w)


@pytest.mark.parametrize("kind", KINDS)
def test_co_liked_film_ranks_first(kind) -> None:
    model = fit(kind, LIKES, IDS, **KINDS[kind])
    scores = model.score([10])
    assert model.ids[np.argmax(scores)] == 20
    assert scores[IDS.index(20)] > scores[IDS.index(30)] > scores[IDS.index(50)]
    assert Community(model).recommend([10], [], 1) == [20]


@pytest.mark.parametrize("kind", KINDS)
def test_diagonal_is_zero_and_a_film_never_recommends_itself(kind) -> None:
    model = fit(kind, LIKES, IDS, **KINDS[kind])
    assert np.all(np.diag(dense(model)) == 0)
    for movie in IDS:
        assert model.similar(movie)[IDS.index(movie)] == 0
        assert movie not in Community(model).similar(movie, 5)
    assert len(Community(model).similar(10, 10)) == 4  # everything but itself


def test_item_knn_is_shrunk_cosine() -> None:
    plain = dense(fit_item_knn(LIKES, IDS, shrink=0.0))
    shrunk = dense(fit_item_knn(LIKES, IDS, shrink=10.0))
    # 10 and 20: 3 co-likes, 3 likes each; 10 and 30: 1 co-like, 3 and 2 likes
    assert plain[0, 1] == pytest.approx(1.0)
    assert plain[0, 2] == pytest.approx(1 / np.sqrt(6))
    assert shrunk[0, 1] == pytest.approx(3 / 13)
    assert shrunk[0, 2] == pytest.approx(1 / (np.sqrt(6) + 10))
    assert np.allclose(plain, plain.T) and plain[0, 3] == 0  # 10 and 40 never co-liked


def test_shrinkage_lowers_rarely_co_liked_pairs_more() -> None:
    # 1 & 2: one liker each, together; 3 & 4: four likers each, always together
    likes = {1: [1, 2], 2: [3, 4], 3: [3, 4], 4: [3, 4], 5: [3, 4]}
    plain = dense(fit_item_knn(likes, [1, 2, 3, 4], shrink=0.0))
    shrunk = dense(fit_item_knn(likes, [1, 2, 3, 4], shrink=10.0))
    assert plain[0, 1] == pytest.approx(plain[2, 3]) == pytest.approx(1.0)
    assert shrunk[0, 1] == pytest.approx(1 / 11)
    assert shrunk[2, 3] == pytest.approx(4 / 14)
    assert np.all(shrunk <= plain + 1e-7)


def test_matches_dense_numpy_and_blocks_change_nothing(monkeypatch) -> None:
    rng = np.random.default_rng(3)
    x = (rng.random((30, 12)) < 0.3).astype(np.float64)
    ids = list(range(100, 112))
    likes = {u: [ids[j] for j in np.flatnonzero(x[u])] for u in range(30)}
    whole = fit_item_knn(likes, ids, neighbours=12, shrink=2.0)
    co = x.T @ x
    n = x.sum(axis=0)
    expected = np.where(co > 0, co / (np.sqrt(np.outer(n, n)) + 2.0), 0.0)
    np.fill_diagonal(expected, 0.0)
    assert np.allclose(dense(whole), expected, atol=1e-6)
    monkeypatch.setattr(community, "BLOCK_PRODUCTS", 1)  # one row per block
    blocked = fit_item_knn(likes, ids, neighbours=12, shrink=2.0)
    assert np.array_equal(dense(blocked), dense(whole))
    assert whole.n_users == int((x.sum(axis=1) > 0).sum()) and whole.n_likes == int(x.sum())


def test_neighbour_pruning_keeps_exactly_k_per_row_ties_to_lower_rows() -> None:
    rng = np.random.default_rng(1)
    ids = list(range(1, 9))
    likes = {0: ids} | {u: rng.choice(ids, 4, replace=False).tolist() for u in range(1, 20)}
    full = dense(fit_item_knn(likes, ids, neighbours=100, shrink=1.0))
    pruned = fit_item_knn(likes, ids, neighbours=3, shrink=1.0)
    assert pruned.weights.getnnz(axis=1).tolist() == [3] * 8
    for row in range(8):
        kept = np.sort(pruned.weights[row].data)[::-1]
        assert np.allclose(kept, np.sort(full[row])[::-1][:3])
    # one user liking everything: all similarities tie, so the lowest other rows are kept
    tie = fit_item_knn({1: ids}, ids, neighbours=2)
    assert tie.weights[0].indices.tolist() == [1, 2]
    assert tie.weights[5].indices.tolist() == [0, 1]


def test_ease_matches_direct_numpy() -> None:
    x = np.array(
        [[1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 0, 1, 1]], dtype=np.float64
    )
    ids = [7, 8, 9, 10, 11]
    likes = {u: [ids[j] for j in np.flatnonzero(x[u])] for u in range(4)}
    p = np.linalg.inv(x.T @ x + 2.0 * np.eye(5))
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    model = fit_ease(likes, ids, l2=2.0)
    assert np.allclose(model.weights, b, atol=1e-6)
    assert np.allclose(model.score([7, 9]), x[1] @ b - b[1], atol=1e-5)  # user 1 without 8
    assert model.counts.tolist() == [2, 3, 2, 2, 1]


def test_ease_with_content_is_ease_on_the_gram_matrix_plus_text_similarity() -> None:
    ids = [7, 8, 9, 10]
    likes = {0: [7, 8], 1: [8, 9], 2: [7, 9]}  # nobody liked film 10
    x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 0]], dtype=float)
    c = np.array([[1, 0], [0, 1], [0.6, 0.8], [1, 0]])  # film 10 reads like film 7
    p = np.linalg.inv(x.T @ x + 3.0 * c @ c.T + 2.0 * np.eye(4))
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    model = fit_ease(likes, ids, l2=2.0, content=c, content_weight=3.0)
    assert np.allclose(model.weights, b, atol=1e-6)
    assert model.params == {"l2": 2.0, "content_weight": 3.0}
    assert model.score([7])[3] > 0  # liking film 7 now reaches film 10
    assert fit_ease(likes, ids, l2=2.0).score([7])[3] == 0  # likes alone never do
    assert fit_ease(likes, ids, content=c, content_weight=0.0).params == {"l2": 100.0}
    with pytest.raises(ValueError, match="content_weight must be >= 0"):
        fit_ease(likes, ids, content=c, content_weight=-1.0)
    with pytest.raises(ValueError, match="3 rows for 4 films"):
        fit_ease(likes, ids, content=c[:3])


def test_ease_with_features_adds_their_cosines_to_the_gram_matrix() -> None:
    from scipy import sparse

    ids = [7, 8, 9, 10]
    likes = {0: [7, 8], 1: [8, 9], 2: [7, 9]}  # nobody liked film 10
    x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 0]], dtype=float)
    f = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.6, 0, 0.8]])  # film 10 shares with 7, 9
    c = np.array([[1, 0], [0, 1], [0.6, 0.8], [1, 0]])
    p = np.linalg.inv(x.T @ x + 3.0 * c @ c.T + 5.0 * f @ f.T + 2.0 * np.eye(4))
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    model = fit_ease(
        likes,
        ids,
        l2=2.0,
        content=c,
        content_weight=3.0,
        features=sparse.csr_matrix(f),
        feature_weight=5.0,
    )
    assert np.allclose(model.weights, b, atol=1e-6)
    assert model.params == {"l2": 2.0, "content_weight": 3.0, "feature_weight": 5.0}
    alone = fit_ease(likes, ids, l2=2.0, features=sparse.csr_matrix(f), feature_weight=5.0)
    assert alone.score([7])[3] > 0 and alone.params == {"l2": 2.0, "feature_weight": 5.0}
    assert fit_ease(likes, ids, features=f, feature_weight=0.0).params == {"l2": 100.0}
    with pytest.raises(ValueError, match="feature_weight must be >= 0"):
        fit_ease(likes, ids, features=f, feature_weight=-1.0)
    with pytest.raises(ValueError, match="3 rows for 4 films"):
        fit_ease(likes, ids, features=f[:3])
    with pytest.raises(ValueError, match="features must be finite"):
        fit_ease(likes, ids, features=np.where(f > 0.7, np.nan, f))


def test_metadata_features_are_idf_weighted_shared_names_per_film() -> None:
    import pandas as pd

    from movierec.film_features import metadata_features

    catalog = pd.DataFrame(
        {
            "genres": [["Drama"], ["Drama", "Comedy"], "Comedy|Drama", [], None],
            "keywords": [["heist"], ["heist", "rare"], [], [], ["Heist"]],
            "director": ["Ann Lee", "Ann Lee", "", None, "Bo Kim"],
            "cast": [["A", "B", "C", "D", "E", "F"], ["F"], ["A"], [], []],
        }
    )
    features = metadata_features(catalog).toarray()
    norms = np.linalg.norm(features, axis=1)
    assert np.allclose(norms[:3], 1.0) and norms[3] == 0.0  # film 3 has nothing to share
    # rare (1 film), Bo Kim (1) and F (6th in film 0's cast) are left out; heist is 3 films
    cos = features @ features.T
    assert cos[0, 1] > cos[0, 2] > 0  # director + heist + drama beat drama + cast A
    assert cos[4, 0] > 0 and cos[4, 2] == 0  # "Heist" is "heist"; film 4 has no drama
    assert features.shape[1] == len(
        {"genre:drama", "genre:comedy", "keyword:heist", "director:ann lee", "cast:a"}
    )
    assert metadata_features(pd.DataFrame({"title": ["x", "y"]})).shape == (2, 0)


def test_ease_refuses_large_catalogs() -> None:
    with pytest.raises(ValueError, match="item_knn"):
        fit_ease({}, range(20_001))
    with pytest.raises(ValueError, match="l2"):
        fit_ease(LIKES, IDS, l2=0.0)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
@pytest.mark.parametrize(
    ("kind", "option"),
    [
        ("item_knn", "shrink"),
        ("ease", "l2"),
        ("ease", "content_weight"),
        ("ease", "feature_weight"),
        ("low_rank", "damping"),
        ("low_rank", "l2"),
    ],
)
def test_fits_refuse_nan_and_infinite_settings(kind, option, value) -> None:
    with pytest.raises(UsageError) as caught:
        fit(kind, LIKES, IDS, **{option: value})
    message = str(caught.value)
    assert option in message and "must be" in message and repr(value) in message


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("kind", KINDS)
def test_a_model_with_non_finite_weights_is_never_published(tmp_path, kind, bad) -> None:
    first = save_version(fit_item_knn(LIKES, IDS), tmp_path)
    broken = fit(kind, LIKES, IDS, **KINDS[kind])
    if kind == "ease":
        broken.weights[1, 2] = bad
    else:
        broken.weights.data[0] = bad
    listing = sorted(tmp_path.rglob("*"))
    with pytest.raises(CommunityModelError, match=r"not finite numbers .* nothing was saved"):
        save_version(broken, tmp_path)
    assert current_name(tmp_path) == first.name and sorted(tmp_path.rglob("*")) == listing


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_ids_are_ignored(kind) -> None:
    model = fit(kind, LIKES, IDS, **KINDS[kind])
    noisy = fit(kind, {**LIKES, 1: [10, 20, 999], 9: [998]}, IDS, **KINDS[kind])
    assert np.allclose(dense(noisy), dense(model)) and noisy.n_users == model.n_users == 5
    assert np.array_equal(model.score([10, 999], [998]), model.score([10]))
    assert not model.score([999]).any() and not model.similar(999).any()
    assert model.score([999]).shape == (5,)
    expected = model.score([10]) - 0.5 * model.score([40])
    assert np.allclose(model.score([10], [40]), expected)


@pytest.mark.parametrize("kind", KINDS)
def test_save_load_round_trip_gives_identical_scores(tmp_path, kind) -> None:
    model = fit(kind, LIKES, IDS, **KINDS[kind])
    manifest = model.save(tmp_path / "m")
    loaded = CommunityModel.load(tmp_path / "m")
    for liked, disliked in ([10], []), ([30, 40], [50]), ([50], [10]):
        assert np.array_equal(loaded.score(liked, disliked), model.score(liked, disliked))
    assert np.array_equal(loaded.ids, model.ids) and np.array_equal(loaded.counts, model.counts)
    assert (loaded.kind, loaded.params, loaded.n_users) == (kind, model.params, 5)
    on_disk = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["format"] == "movierec-community" and manifest["format_version"] == 1
    assert (manifest["n_items"], manifest["n_likes"]) == (5, 11)
    ids_bytes = np.asarray(IDS, dtype="<i8").tobytes()
    assert manifest["ids_sha256"] == hashlib.sha256(ids_bytes).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary leftovers


def _break_manifest(directory, **changes) -> None:
    path = directory / "manifest.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | changes))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").unlink(), "missing manifest.json"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "not valid JSON"),
        (lambda d: _break_manifest(d, format="movierec-index"), "not a community model"),
        (lambda d: _break_manifest(d, format_version=2), "format 2"),
        (lambda d: _break_manifest(d, kind="svd"), "incomplete"),
        (lambda d: (d / "model.npz").unlink(), "lacks model.npz"),
        (lambda d: (d / "model.npz").write_bytes(b"PK\x03\x04junk"), "checksum"),
        (lambda d: _break_manifest(d, ids_sha256="0" * 64), "fingerprint"),
        (lambda d: _break_manifest(d, n_items=4), "unreadable"),
        (lambda d: _break_manifest(d, n_items="five"), "unreadable"),
    ],
)
def test_corrupt_or_foreign_models_are_refused(tmp_path, damage, message) -> None:
    fit_item_knn(LIKES, IDS).save(tmp_path / "m")
    damage(tmp_path / "m")
    with pytest.raises(CommunityModelError, match=message) as error:
        CommunityModel.load(tmp_path / "m")
    assert "movierec retrain" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_versioned_save_switches_current_and_keeps_three(tmp_path) -> None:
    assert load_current(tmp_path) is None
    models = [fit_item_knn(LIKES, IDS, shrink=float(s)) for s in range(5)]
    folders = []
    for model in models:
        folders.append(save_version(model, tmp_path))
        assert current_name(tmp_path) == folders[-1].name
        assert load_current(tmp_path).params == model.params
    assert version_names(tmp_path) == [f.name for f in folders[-3:]]
    assert np.array_equal(load_current(tmp_path).score([30]), models[-1].score([30]))
    leftovers = [p.name for p in tmp_path.rglob(".*")]
    assert leftovers == []


def test_current_pointing_nowhere_is_a_clear_error(tmp_path) -> None:
    save_version(fit_item_knn(LIKES, IDS), tmp_path)
    (tmp_path / "CURRENT").write_text("20990101T000000.000000Z-deadbeef\n")
    with pytest.raises(CommunityModelError, match="which is missing"):
        load_current(tmp_path)
    (tmp_path / "CURRENT").write_text("../elsewhere\n")
    with pytest.raises(CommunityModelError, match="does not name a version"):
        load_current(tmp_path)


def _fail_arrays(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)


def _fail_after_arrays(monkeypatch) -> None:
    def boom(path):
        assert path.exists()  # the arrays were written, the manifest not yet
        raise OSError("disk full")

    monkeypatch.setattr(files, "file_sha256", boom)


def _fail_switch(monkeypatch) -> None:
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith("CURRENT"):
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("fail", [_fail_arrays, _fail_after_arrays, _fail_switch])
def test_interrupted_save_leaves_the_previous_model_current(tmp_path, monkeypatch, fail) -> None:
    old = fit_item_knn(LIKES, IDS)
    first = save_version(old, tmp_path)
    fail(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        save_version(fit_ease(LIKES, IDS), tmp_path)
    monkeypatch.undo()
    assert current_name(tmp_path) == first.name
    loaded = load_current(tmp_path)
    assert loaded.kind == "item_knn" and np.array_equal(loaded.score([10]), old.score([10]))
    assert [p.name for p in tmp_path.rglob(".*")] == []  # temporaries cleaned up
    assert first.name in version_names(tmp_path)


def test_a_retrain_sweeps_what_killed_retrains_left_but_not_running_ones(tmp_path) -> None:
    save_version(fit_item_knn(LIKES, IDS), tmp_path)
    versions = tmp_path / "versions"
    killed = versions / ".20260101T000000.000000Z-deadbeef.tmp-0badf00d"
    killed.mkdir()
    (killed / "model.npz").write_bytes(b"half written")
    pointer = tmp_path / ".CURRENT.tmp-0badf00d"
    pointer.write_text("20260101T000000.000000Z-deadbeef\n")
    running = versions / ".20261125T000000.000000Z-cafecafe.tmp-12345678"
    running.mkdir()
    hour_ago = time.time() - community.STALE_TEMP_S - 60
    for path in (killed, pointer):
        os.utime(path, (hour_ago, hour_ago))
    folder = save_version(fit_ease(LIKES, IDS), tmp_path)
    assert not killed.exists() and not pointer.exists()
    assert running.exists()  # may be another retrain still writing
    assert current_name(tmp_path) == folder.name
    assert community.remove_stale_temporaries(tmp_path, older_than_s=0) == [running.name]


def test_split_users_is_disjoint_seeded_and_keeps_dislikes() -> None:
    data = Interactions(
        likes={u: [u, u + 100] for u in range(1, 11)},
        dislikes={1: [500], 4: [501], 12: [502]},  # 12 only dislikes
        unknown_movies=3,
    )
    train, test = split_users(data, test_share=0.5, seed=0)
    train_users = set(train.likes) | set(train.dislikes)
    test_users = set(test.likes) | set(test.dislikes)
    assert not train_users & test_users
    assert train_users | test_users == set(range(1, 11)) | {12}
    assert len(test_users) == 6  # round(0.5 × 11)
    for part in (train, test):
        assert all(part.likes[u] == data.likes[u] for u in part.likes)
        assert all(part.dislikes[u] == data.dislikes[u] for u in part.dislikes)
    again = split_users(data, test_share=0.5, seed=0)
    assert again == (train, test)
    other = split_users(data, test_share=0.5, seed=1)[1]
    assert set(other.likes) | set(other.dislikes) != test_users
    assert split_users(data, test_share=0.0)[1].likes == {}


def test_community_system_excludes_rated_films_and_breaks_ties() -> None:
    system = Community(fit_item_knn(LIKES, IDS), name="cf")
    top = system.recommend([10], [30], 5)
    assert 10 not in top and 30 not in top and top[0] == 20 and len(top) == 3
    # no known film: every score is 0, so the most liked first, equal counts by lower id
    counts = dict(zip(IDS, system.model.counts.tolist(), strict=True))
    assert counts == {10: 3, 20: 3, 30: 2, 40: 2, 50: 1}
    assert system.recommend([999], [], 5) == [10, 20, 30, 40, 50]
    assert system.search("anything", 3) == [10, 20, 30]
    assert system.similar(50, 4)[0] == 40 and 50 not in system.similar(50, 4)
    assert system.recommend([10], [30], 5) == top  # deterministic


@pytest.mark.parametrize("kind", KINDS)
def test_empty_community_and_bad_ids(kind) -> None:
    model = fit(kind, {1: [999]}, IDS, **KINDS[kind])
    assert (model.n_users, model.n_likes) == (0, 0) and not model.score(IDS).any()
    assert Community(model).recommend([10], [], 3) == [20, 30, 40]  # all tie: by id
    with pytest.raises(ValueError, match="unique"):
        fit(kind, LIKES, [10, 20, 10], **KINDS[kind])
    with pytest.raises(ValueError, match="unknown community model kind"):
        fit("svd", LIKES, IDS)
