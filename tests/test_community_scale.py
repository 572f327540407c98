"""The community at scale, on small data: the synthetic generator, bulk import (both backends),
the streamed like matrix, the sparse item-kNN path and the low-rank model above EASE's limit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from movierec import community, community_knn
from movierec.community import CommunityModel, fit_item_knn, fit_low_rank
from movierec.community_data import latest_likes, like_matrix
from movierec.community_signal import CommunitySignal, CommunitySource
from movierec.errors import UsageError
from movierec.evaluation.synthetic_community import generate, write_movielens
from movierec.movielens import load_movielens, rating_actions
from movierec.store import (
    ACTIONS,
    COMMUNITY_SOURCE,
    PeopleProfilesError,
    Profile,
    ProfileStore,
    StoreError,
)
from tests import cli_support
from tests.postgres import Locations
from tests.store_helpers import event_count

cli = cli_support.cli
fake_model = cli_support.fake_model
no_movierec_variables = cli_support.no_movierec_variables


@pytest.fixture(scope="module")
def small():
    return generate(600, 2000, 30_000, seed=4, min_likes=8)


# -- the generator ----------------------------------------------------------------------------


def test_generator_is_seeded_skewed_and_gives_every_user_the_minimum(small) -> None:
    again = generate(600, 2000, 30_000, seed=4, min_likes=8)
    other = generate(600, 2000, 30_000, seed=5, min_likes=8)
    assert np.array_equal(small.users, again.users) and np.array_equal(small.films, again.films)
    assert not np.array_equal(small.films, other.films)
    per_user = np.bincount(small.users, minlength=600)
    assert per_user.min() >= 8 and per_user.max() > 3 * np.median(per_user)  # heavy tail
    per_film = np.sort(np.bincount(small.films, minlength=2000))[::-1]
    assert per_film[:200].sum() > 0.3 * per_film.sum()  # the top 10% of films: > 30% of likes
    assert 0.85 * 30_000 < small.n_likes <= 30_000
    pairs = small.users.astype(np.int64) * 2000 + small.films
    assert len(np.unique(pairs)) == len(pairs)  # no film liked twice by one user


def test_generator_refuses_impossible_shapes() -> None:
    with pytest.raises(UsageError, match="fewer than"):
        generate(100, 50, 500, min_likes=10)
    with pytest.raises(UsageError, match="half"):
        generate(10, 10, 1000, min_likes=8)


def test_written_files_import_as_the_generated_likes(small, tmp_path: Path) -> None:
    write_movielens(small, tmp_path)
    data = rating_actions(tmp_path / "ratings.csv", tmp_path / "links.csv", small.tmdb_ids)
    assert (data.actions == 0).all() and len(data.users) == small.n_likes
    assert np.array_equal(data.movies - small.tmdb_ids[0], small.films)


# -- bulk import ------------------------------------------------------------------------------

ROWS = [("ann", 10, "like"), ("ann", 11, "dislike"), ("bob", 10, "like"), ("bob", 12, "remove")]
ROWS += [("ann", 10, "dislike"), (" cy ", 13, "like"), ("bob", 11, "like"), ("bob", 11, "remove")]


def arrays(rows: list[tuple[str, int, str]]) -> tuple[list[str], np.ndarray, ...]:
    names = list(dict.fromkeys(user for user, _, _ in rows))
    users = np.array([names.index(user) for user, _, _ in rows])
    movies = np.array([movie for _, movie, _ in rows])
    return names, users, movies, np.array([ACTIONS.index(a) for _, _, a in rows])


def test_import_arrays_does_what_import_events_does(new_location: Locations) -> None:
    by_rows, by_arrays = ProfileStore(new_location("a.db")), ProfileStore(new_location("b.db"))
    by_rows.like("bob", 12)  # an app user: the import takes it out again
    by_arrays.like("bob", 12)
    assert by_arrays.import_arrays(*arrays(ROWS)) == by_rows.import_events(ROWS)
    assert by_arrays.all_profiles() == by_rows.all_profiles()
    assert by_arrays.import_arrays(*arrays(ROWS)) == (0, len(ROWS))  # nothing changes twice
    events = by_arrays.events()
    assert [(e.user, e.movie_id, e.action) for e in events] == [
        (e.user, e.movie_id, e.action) for e in by_rows.events()
    ]
    names, users, movies, actions = by_arrays.log_arrays(chunk=2)
    assert [(names[u], m, ACTIONS[a]) for u, m, a in zip(users, movies, actions, strict=True)] == [
        (e.user, e.movie_id, e.action) for e in events
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n, u, m, a: (n, u, m, a[:-1]), "differ in length"),
        (lambda n, u, m, a: (n, u, m, np.where(a == 1, 7, a)), "action code 7"),
        (lambda n, u, m, a: (n, u + 5, m, a), "names no user"),
        (lambda n, u, m, a: (["", *n[1:]], u, m, a), "empty"),
        (lambda n, u, m, a: (n, u, m.astype(float), a), "64-bit integers"),
    ],
)
def test_bad_bulk_rows_are_refused_and_nothing_is_written(
    new_location: Locations, change, message: str
) -> None:
    store = ProfileStore(new_location())
    with pytest.raises(StoreError, match=message):
        store.import_arrays(*change(*arrays(ROWS)))
    assert event_count(store) == 0


def test_a_ratings_import_never_takes_over_peoples_profiles(
    new_location: Locations, monkeypatch
) -> None:
    monkeypatch.setattr("movierec.store.bulk.USERS_PER_QUERY", 2)  # the check spans queries
    store = ProfileStore(new_location())
    store.like("ann", 1)
    store.import_events([("cy", 2, "like")], source="import")  # a person's profile too
    store.import_events([("ml:1", 3, "like")], source=COMMUNITY_SOURCE)
    before = store.events()
    rows = [("ml:1", 4, "like"), ("ann", 5, "like"), ("new", 6, "like"), (" cy ", 7, "dislike")]
    for attempt in (
        lambda: store.import_arrays(*arrays(rows), source=COMMUNITY_SOURCE),
        lambda: store.import_events(rows, source=COMMUNITY_SOURCE),
    ):
        with pytest.raises(PeopleProfilesError) as caught:
            attempt()
        assert caught.value.users == ["ann", "cy"]
        assert "2 people's profiles ('ann', 'cy')" in str(caught.value)
        assert "nothing was imported" in str(caught.value)
        assert store.events() == before  # all or nothing: not even ml:1 or new changed
        assert not store.is_community_user("ann") and not store.is_community_user("new")
    store.like("ann", 8)  # still the person's to change
    # a re-import over community profiles (and new names) works as before, on both paths
    again = [("ml:1", 4, "like"), ("new", 6, "like")]
    assert store.import_arrays(*arrays(again), source=COMMUNITY_SOURCE) == (2, 0)
    assert store.import_events(again, source=COMMUNITY_SOURCE) == (0, 2)
    assert store.profile("ml:1") == Profile("ml:1", [3, 4], [])
    assert store.is_community_user("new")
    # other bulk imports may still write to people's profiles
    assert store.import_arrays(*arrays([("ann", 9, "like")]), source="import") == (1, 0)
    assert store.profile("ann") == Profile("ann", [1, 8, 9], [])


def test_import_ratings_refuses_a_bad_file_and_writes_nothing(cli, tmp_path: Path) -> None:
    from tests.helpers import FIXTURE_CATALOG

    (tmp_path / "links.csv").write_text("movieId,tmdbId\n1,949\n2,1538\n")
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating\n1,1,5\n2,2,4\nthree,1,5\n")
    store = tmp_path / "p.db"
    result = cli(
        "import-ratings", str(tmp_path / "ratings.csv"), "--links", str(tmp_path / "links.csv"),
        "--catalog", str(FIXTURE_CATALOG), "--store", str(store),
    )  # fmt: skip
    assert (
        result.returncode == 2 and "line 4: userId 'three' is not a whole number" in result.stderr
    )
    assert not store.exists()  # read before the store is opened: nothing written, nothing made


def test_rating_actions_agree_with_load_movielens(tmp_path: Path) -> None:
    (tmp_path / "links.csv").write_text("movieId,tmdbId\n1,10\n2,20\n3,20\n4,30\n5,99\n")
    (tmp_path / "ratings.csv").write_text(
        "userId,movieId,rating\n1,1,5\n1,2,1\n1,3,4.5\n1,4,3\n2,4,1\n2,1,3\n2,5,5\n3,2,3\n3,3,4\n"
    )
    files = (tmp_path / "ratings.csv", tmp_path / "links.csv")
    old, new = load_movielens(*files, [10, 20, 30]), rating_actions(*files, [10, 20, 30])
    rows = [
        (int(u), int(m), ACTIONS[a])
        for u, m, a in zip(new.users, new.movies, new.actions, strict=True)
    ]
    assert rows == [(1, 10, "like"), (1, 30, "seen"), (2, 30, "dislike"), (2, 10, "seen"),
                    (3, 20, "like")]  # fmt: skip
    seen = {u: [m for u2, m, a in rows if u2 == u and a == "seen"] for u in (1, 2, 3)}
    # a film rated in between is seen unless it is liked or disliked too (user 3: two MovieLens
    # films linked to TMDB 20, rated 3 and 4): the evaluation's seen films are the import's
    assert seen == {u: old.neutral.get(u, []) for u in (1, 2, 3)} == {1: [30], 2: [10], 3: []}
    assert new.conflicts == 1 and new.unknown_movies == old.unknown_movies == 1
    assert new.n_users == 3


# -- the streamed like matrix -----------------------------------------------------------------


def test_like_matrix_holds_the_likes_of_all_profiles(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.db")
    store.import_events(ROWS)
    store.like("dee", 10)
    store.like("dee", 13)
    store.like("dee", 99)  # not in the catalog
    ids = [13, 12, 11, 10]
    matrix = like_matrix(store, ids)
    expected = [
        sorted(ids.index(m) for m in profile.liked if m in ids)
        for profile in store.all_profiles().values()
    ]
    got = [sorted(matrix[row].indices.tolist()) for row in range(matrix.shape[0])]
    assert sorted(got) == sorted(e for e in expected if e)
    assert like_matrix(store, ids, min_likes=2).shape[0] == 1  # only dee likes two
    with pytest.raises(UsageError, match="--min-likes"):
        like_matrix(store, ids, min_likes=3)
    with pytest.raises(UsageError, match="import ratings first"):
        like_matrix(store, [12])


def test_latest_event_decides_a_like() -> None:
    users, movies = np.array([0, 0, 0, 1]), np.array([5, 5, 6, 6])
    matrix = latest_likes(users, movies, np.array([0, 1, 0, 0]), [5, 6])
    assert matrix.toarray().tolist() == [[0, 1], [0, 1]]


# -- sparse item-kNN --------------------------------------------------------------------------


def brute_force_knn(x: np.ndarray, k: int, shrink: float) -> np.ndarray:
    co, n = x.T @ x, x.sum(axis=0)
    sims = np.where(co > 0, co / (np.sqrt(np.outer(n, n)) + shrink), 0.0)
    np.fill_diagonal(sims, 0.0)
    kept = np.zeros_like(sims)
    for row in range(len(sims)):
        order = sorted(np.flatnonzero(sims[row] > 0), key=lambda j: (-sims[row, j], j))[:k]
        kept[row, order] = sims[row, order]
    return kept


@pytest.mark.parametrize("workers", [1, 2])
def test_sparse_knn_equals_brute_force_with_ties(monkeypatch, workers: int) -> None:
    rng = np.random.default_rng(7)
    x = (rng.random((80, 40)) < 0.25).astype(np.float64)
    x[:3] = 1.0  # users liking everything: many tied similarities
    monkeypatch.setattr(community_knn, "DENSE_CELLS", 40 * 7)  # blocks of 7 rows
    monkeypatch.setattr(community_knn, "PARALLEL_LIKES", 0)
    model = fit_item_knn(sparse.csr_matrix(x), range(40), neighbours=5, shrink=1.5, workers=workers)
    expected = brute_force_knn(x, 5, 1.5)
    assert np.array_equal(model.weights.toarray() != 0, expected != 0)
    assert np.allclose(model.weights.toarray(), expected, atol=1e-6)


# -- the low-rank model above EASE's limit ----------------------------------------------------


def test_low_rank_trains_saves_loads_and_scores(small, tmp_path: Path) -> None:
    matrix = sparse.csr_matrix(
        (np.ones(small.n_likes), (small.users, small.films)), shape=(600, 2000)
    )
    ids = small.tmdb_ids
    model = fit_low_rank(matrix, ids, rank=16)
    assert model.kind == "low_rank" and model.weights.left.shape == (2000, 16)
    dense = model.weights.left @ model.weights.right.T
    liked = ids[[3, 7, 9]].tolist()
    assert np.allclose(model.score(liked), dense[[3, 7, 9]].sum(axis=0), atol=1e-4)
    assert np.allclose(model.similar(int(ids[5])), dense[5], atol=1e-5)
    folder = community.save_version(model, tmp_path / "low_rank")
    loaded = CommunityModel.load(folder)
    assert loaded.kind == "low_rank" and np.array_equal(loaded.score(liked), model.score(liked))
    assert fit_low_rank(matrix, ids, rank=16).score(liked).tolist() == model.score(liked).tolist()


def test_low_rank_finds_held_out_likes_better_than_item_knn() -> None:
    data = generate(3000, 400, 150_000, seed=2)
    matrix = sparse.csr_matrix((np.ones(data.n_likes), (data.users, data.films)), shape=(3000, 400))
    train, test = matrix[:2700], matrix[2700:]
    rng = np.random.default_rng(0)
    hits = {"low_rank": 0, "item_knn": 0}
    models = {
        "low_rank": fit_low_rank(train, range(400)),
        "item_knn": fit_item_knn(train, range(400)),
    }
    for user in range(test.shape[0]):
        liked = rng.permutation(test[user].indices)
        hidden, given = set(liked[: len(liked) // 5].tolist()), liked[len(liked) // 5 :]
        for name, model in models.items():
            scores = model.score(given.tolist())
            scores[given] = -np.inf
            hits[name] += len(hidden & set(np.argsort(-scores)[:10].tolist()))
    assert hits["low_rank"] > 1.1 * hits["item_knn"], hits


def test_retrain_fits_low_rank_above_the_ease_limit(cli, tmp_path: Path, monkeypatch) -> None:
    from tests.helpers import FIXTURE_CATALOG

    store = ProfileStore(tmp_path / "p.db")
    films = [949, 1538, 161, 862, 12, 14160]
    rng = np.random.default_rng(1)
    store.import_events(
        [(f"u{u}", int(m), "like") for u in range(30) for m in rng.choice(films, 3, replace=False)]
    )
    index = tmp_path / "index"
    common = ("--catalog", str(FIXTURE_CATALOG), "--store", str(store.path), "--index", str(index))
    assert cli("retrain", *common).returncode == 0  # below the limit: item-kNN and EASE
    monkeypatch.setattr(community, "EASE_MAX_ITEMS", 5)
    result = cli("retrain", *common)
    assert result.returncode == 0, result.stderr
    assert "skipping ease" in result.stdout and "low_rank scores profiles" in result.stdout
    assert "retired the older ease model" in result.stdout
    root = index.with_name("index.community")
    assert sorted(p.name for p in root.iterdir()) == ["ease", "item_knn", "low_rank"]
    assert not (root / "ease" / "CURRENT").exists() and community.version_names(root / "ease")
    from movierec.catalog import load_catalog
    from movierec.movies import MovieTable

    source = CommunitySource(root, MovieTable(load_catalog(FIXTURE_CATALOG)))
    signal = source.current()
    assert isinstance(signal, CommunitySignal) and signal.profile_model.kind == "low_rank"
    assert signal.film_model.kind == "item_knn"
    assert signal.for_profile([949, 1538], []) is not None
