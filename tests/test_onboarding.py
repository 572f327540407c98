"""The first-visit picker: spread, recognisable, never repeating, deterministic per seed."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.errors import UsageError
from movierec.evaluation.metrics import recall_at_k
from movierec.evaluation.onboarding import (
    _sessions,
    grid_chain,
    onboarding_table,
    picker,
    popular,
    shared_target,
    simulate,
)
from movierec.filters import Filters
from movierec.movielens import Interactions
from movierec.onboarding import PickerOptions, candidate_pool, pick_rows, spherical_kmeans
from tests.helpers import fixture_recommender


def _blobs(groups: int = 6, size: int = 20, dim: int = 16, seed: int = 1):
    """`groups` tight bundles of unit vectors around orthogonal axes, with random vote counts."""
    rng = np.random.default_rng(seed)
    vectors = np.repeat(np.eye(dim)[:groups], size, axis=0) + rng.normal(
        0, 0.05, (groups * size, dim)
    )
    votes = rng.integers(10, 10_000, groups * size).astype(np.float64)
    return vectors.astype(np.float32), votes, np.repeat(np.arange(groups), size)


def test_one_film_per_taste_group_and_the_best_known_of_each():
    vectors, votes, group = _blobs()
    rows = pick_rows(vectors, votes, n=6, options=PickerOptions(pool=20))
    assert sorted(group[rows].tolist()) == list(range(6))  # spread: every group, once
    for row in rows:  # recognisable: the most voted film of its group
        assert votes[row] == votes[group == group[row]].max()
    assert list(votes[rows]) == sorted(votes[rows], reverse=True)  # most voted first


def test_recognition_zero_picks_the_most_central_film():
    vectors, votes, group = _blobs()
    rows = pick_rows(vectors, votes, n=6, options=PickerOptions(pool=20, recognition=0.0))
    assert sorted(group[rows].tolist()) == list(range(6))
    for row in rows:
        members = np.flatnonzero(group == group[row])
        centre = vectors[members].mean(axis=0)
        similarity = vectors[members] @ centre / np.linalg.norm(vectors[members], axis=1)
        assert row == members[int(np.argmax(similarity))]


def test_kmeans_is_seeded_and_fills_every_cluster():
    vectors, _, group = _blobs()
    units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    labels, centres = spherical_kmeans(units, 6, seed=3)
    again, _ = spherical_kmeans(units, 6, seed=3)
    assert np.array_equal(labels, again)
    assert len(set(labels.tolist())) == 6 and np.allclose(np.linalg.norm(centres, axis=1), 1)
    # the blobs are found: each cluster is exactly one group
    assert {frozenset(np.flatnonzero(labels == c)) for c in range(6)} == {
        frozenset(np.flatnonzero(group == g)) for g in range(6)
    }
    duplicates = np.repeat(units[:2], 5, axis=0)  # fewer distinct points than clusters
    labels, _ = spherical_kmeans(duplicates, 4, seed=0)
    assert len(set(labels.tolist())) == 4


@pytest.fixture
def recommender(fake_encoder):
    return fixture_recommender(fake_encoder)


def test_grid_is_spread_over_clusters_of_the_recognisable_pool(recommender):
    options = PickerOptions(pool=3)
    grid = recommender.picker_grid(n=5, options=options)
    votes, rows = recommender.filter_index.votes, recommender.movies.rows(grid)
    pool = candidate_pool(votes, 5 * 3)
    assert set(rows) <= set(pool.tolist())
    assert votes[rows].min() >= np.sort(votes)[-15]  # the 15 most voted films only
    vectors = np.asarray(recommender.bundle.embeddings, dtype=np.float64)[pool]
    labels, _ = spherical_kmeans(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), 5)
    position = {int(r): i for i, r in enumerate(pool)}
    assert len({int(labels[position[int(r)]]) for r in rows}) == 5  # no two from one cluster


def test_show_others_never_repeats_until_the_catalog_runs_out(recommender):
    shown: list[int] = []
    for _ in range(10):
        grid = recommender.picker_grid(shown, n=7, seed=2)
        assert not set(grid) & set(shown) and len(set(grid)) == len(grid)
        if not grid:
            break
        shown += grid
    assert sorted(shown) == sorted(recommender.movies.ids.tolist())  # all 30, each once
    assert recommender.picker_grid(shown, n=7) == []


def test_deterministic_per_seed(recommender):
    first = [recommender.picker_grid(n=6, seed=s) for s in range(4)]
    assert first == [recommender.picker_grid(n=6, seed=s) for s in range(4)]
    assert grid_chain(picker(recommender, 6), 3, seed=1) == grid_chain(
        picker(recommender, 6), 3, seed=1
    )


def test_unknown_shown_ids_are_ignored_and_filters_apply(recommender):
    assert recommender.picker_grid([999_999], n=6) == recommender.picker_grid(n=6)
    animated = recommender.picker_grid(n=3, filters=Filters(genres=("Animation",)))
    assert len(animated) == 3
    assert all("Animation" in recommender.movie(i)["genres"] for i in animated)
    with pytest.raises(ValueError, match="at least one"):
        recommender.picker_grid(n=0)
    with pytest.raises(ValueError, match="recognition"):
        PickerOptions(recognition=2.0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n": 0}, "a grid needs at least one film, got n=0"),
        ({"n": -3}, "a grid needs at least one film"),
        ({"n": "4"}, "n must be a whole number"),
        ({"n": 2.5}, "n must be a whole number"),
        ({"n": None}, "n must be a whole number"),
        ({"shown": None}, "shown must be a list of film ids"),
        ({"shown": "862"}, "shown must be a list of film ids"),  # not ids 8, 6 and 2
        ({"shown": ["abc"]}, "shown must hold whole-number film ids"),
        ({"shown": [None]}, "shown must hold whole-number film ids"),
        ({"shown": [862.9]}, "shown must hold whole-number film ids"),  # not read as 862
        ({"seed": "x"}, "seed must be a whole number"),
        ({"seed": -1}, "seed must be a whole number of at least 0"),
        ({"filters": {"year_min": 1990}}, "filters must be a Filters"),
        ({"filters": "x"}, "filters must be a Filters"),
        ({"options": {"pool": 3}}, "options must be a PickerOptions"),
    ],
)
def test_bad_grid_arguments_are_usage_errors_naming_them(recommender, arguments, message):
    with pytest.raises(UsageError, match=message):
        recommender.picker_grid(**{"n": 4, **arguments})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pool": 0}, "pool must be at least 1"),
        ({"pool": "3"}, "pool must be a whole number"),
        ({"recognition": float("nan")}, "recognition must be a finite number"),
        ({"recognition": 2.0}, "recognition must be between 0 and 1"),
    ],
)
def test_bad_picker_options_are_usage_errors(options, message):
    with pytest.raises(UsageError, match=message):
        PickerOptions(**options)


def test_numpy_ids_and_seeds_still_draw_a_grid(recommender):
    grid = recommender.picker_grid(n=4)
    assert recommender.picker_grid(np.array(grid[:2]), n=4, seed=np.int64(0))[:1] != grid[:1]


def test_a_user_who_knows_none_of_a_grid_sees_the_next():
    chain = [[1, 2], [3, 4], [5, 6], [7, 8]]
    # likes 4 and 8: the first grid has none, so the first step shows two grids
    assert _sessions(chain, {4, 8}, steps=2, max_tries=3) == [
        ([1, 2, 3, 4], [4]),
        ([1, 2, 3, 4, 5, 6], [4]),
    ]
    assert _sessions(chain, {99}, steps=2, max_tries=2) == [
        ([1, 2, 3, 4], []),
        ([1, 2, 3, 4, 5, 6, 7, 8], []),
    ]


def test_simulation_recommends_from_the_likes_and_judges_the_rest(recommender):
    chain = grid_chain(popular(recommender, 4), 6)
    first = chain[0]
    others = [int(i) for i in recommender.movies.ids if int(i) not in first]
    data = Interactions(likes={7: [first[0], *others[:10]]})
    scores = simulate(recommender, chain, data, steps=2, k=10, min_likes=5)
    hits = recommender.recommend([first[0]], k=10, exclude=first)
    expected = recall_at_k([h.id for h in hits], set(others[:10]), 10)
    assert scores.users == 1 and scores.likes[0] == 1.0 and scores.no_like == [0.0, 0.0]
    assert scores.recall[0] == pytest.approx(expected, abs=1e-4)


def test_same_target_comparison_and_the_table(recommender):
    ids = [int(i) for i in recommender.movies.ids]
    data = Interactions(likes={1: ids[:12], 2: ids[10:22], 3: ids[18:30], 4: ids[:3]})
    chain = grid_chain(picker(recommender, 4), 6)
    mine, theirs = shared_target(recommender, chain, chain, data, min_likes=10)
    assert mine == theirs and len(mine) == 2
    table = onboarding_table(recommender, data, seeds=(0, 5), n=4)
    lines = table.splitlines()
    assert lines[0].startswith("3 users with >= 10 likes, grids of 4")
    assert [line.split()[:2] for line in lines[2:6]] == [
        ["-", "popular"],
        ["-", "most"],
        ["0", "picker"],
        ["5", "picker"],
    ]
    assert lines[-1].startswith("mean  picker")
