"""Evaluation on tiny hand-made rating tables whose right answers are known."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from movierec.errors import UsageError
from movierec.evaluation import (
    Interactions,
    evaluate,
    load_movielens,
    ndcg_at_k,
    profile_cases,
    recall_at_k,
    similar_cases,
)
from movierec.evaluation.protocols import held_out_profiles, profile_folds, user_means
from movierec.evaluation.report import bar_chart, table, write_json
from movierec.evaluation.systems import Popularity, Random


def test_recall_and_ndcg_by_hand():
    assert recall_at_k([1, 2, 3], {2, 9}, 3) == 0.5
    assert recall_at_k([1, 2, 3], set(), 3) == 0.0
    assert recall_at_k([1, 2, 3, 9], {9}, 3) == 0.0  # beyond the cut-off
    assert ndcg_at_k([1, 2], {1: 1.0}, 2) == pytest.approx(1.0)
    assert ndcg_at_k([2, 1], {1: 1.0}, 2) == pytest.approx(1 / np.log2(3))
    # graded: the ideal order puts the 0.9 first
    graded = {5: 0.9, 6: 0.3}
    assert ndcg_at_k([6, 5], graded, 2) == pytest.approx(
        (0.3 + 0.9 / np.log2(3)) / (0.9 + 0.3 / np.log2(3))
    )
    assert ndcg_at_k([7, 8], graded, 2) == 0.0


def _write(tmp_path, ratings: list[tuple[int, int, float]], links: dict[int, int]):
    r = tmp_path / "ratings.csv"
    r.write_text(
        "userId,movieId,rating,timestamp\n" + "".join(f"{u},{m},{x},0\n" for u, m, x in ratings)
    )
    lk = tmp_path / "links.csv"
    lk.write_text(
        "movieId,imdbId,tmdbId\n" + "".join(f"{m},0,{t}\n" for m, t in links.items()) + "99,0,\n"
    )
    return r, lk


def test_load_movielens_maps_to_tmdb_and_splits_likes(tmp_path):
    ratings = [(1, 10, 5.0), (1, 20, 4.0), (1, 30, 1.0), (1, 40, 4.5), (2, 10, 3.0), (2, 99, 5.0)]
    r, lk = _write(tmp_path, ratings, {10: 100, 20: 200, 30: 300, 40: 400})
    data = load_movielens(r, lk, catalog_ids=[100, 200, 300])
    assert data.likes == {1: [100, 200]}  # 400 not in the catalog, 99 has no TMDB id
    assert data.dislikes == {1: [300]}
    assert data.unknown_movies == 2


def test_load_movielens_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"ratings\.csv"):
        load_movielens(tmp_path / "ratings.csv", tmp_path / "links.csv", [1])
    bad = tmp_path / "ratings.csv"
    bad.write_text("a,b\n1,2\n")
    (tmp_path / "links.csv").write_text("movieId,tmdbId\n1,1\n")
    with pytest.raises(ValueError, match="missing column"):
        load_movielens(bad, tmp_path / "links.csv", [1])
    links = tmp_path / "links.csv"
    for ratings, line in (
        ("userId,movieId,rating\n1,1,5\n1,x,4\n", r"line 3: movieId 'x' is not a whole number"),
        ("userId,movieId,rating\n1,1,five\n", r"line 2: rating 'five' is not a number"),
        ("userId,movieId,rating\n1.5,1,5\n", r"line 2: userId '1\.5' is not a whole number"),
    ):
        bad.write_text(ratings)
        with pytest.raises(UsageError, match=line):
            load_movielens(bad, links, [1])
    bad.write_text("userId,movieId,rating\n1,1,5\n")
    links.write_text("movieId,tmdbId\n1,1\n2,\n3,abc\n")  # 2: no TMDB entry, kept out
    with pytest.raises(UsageError, match=r"links\.csv, line 4: tmdbId 'abc'"):
        load_movielens(bad, links, [1])
    links.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(UsageError, match="cannot read"):
        load_movielens(bad, links, [1])


def test_profile_split_is_seeded_80_20_and_skips_small_users():
    data = Interactions(likes={1: list(range(100, 110)), 2: list(range(5)), 3: list(range(20))})
    cases = profile_cases(data, seed=7)
    assert [c.user for c in cases] == [1, 3]  # user 2 has fewer than 10 likes
    one = cases[0]
    assert len(one.liked) == 8 and len(one.held_out) == 2
    assert sorted(one.liked + one.held_out) == list(range(100, 110))
    again = profile_cases(data, seed=7)
    assert again == cases
    assert profile_cases(data, seed=8) != cases


def test_profile_folds_hold_out_every_like_exactly_once_and_average_per_user():
    data = Interactions(
        likes={1: list(range(100, 112)), 2: list(range(5)), 3: list(range(20))},
        dislikes={1: [7]},
    )
    cases = profile_folds(data, seed=7, folds=5)
    assert [c.user for c in cases] == [1] * 5 + [3] * 5  # user 2: fewer than 10 likes
    ones = cases[:5]
    held = [m for c in ones for m in c.held_out]
    assert sorted(held) == list(range(100, 112))  # each like held out once
    assert sorted(len(c.held_out) for c in ones) == [2, 2, 2, 3, 3]
    for c in ones:
        assert sorted(c.liked + c.held_out) == list(range(100, 112))
        assert not set(c.liked) & set(c.held_out)
        assert c.disliked == [7]
    assert profile_folds(data, seed=7, folds=5) == cases
    assert profile_folds(data, seed=8, folds=5) != cases
    with pytest.raises(ValueError, match="at least 2"):
        profile_folds(data, folds=1)
    assert held_out_profiles(data, seed=7, folds=5) == cases
    assert held_out_profiles(data, seed=7) == profile_cases(data, seed=7)
    users, means = user_means(cases, [1.0, 0.0, 0.5, 0.5, 0.0, *[0.2] * 5])
    assert users == [1, 3]
    assert means == pytest.approx([0.4, 0.2])
    with pytest.raises(ValueError, match="10 cases but 2 values"):
        user_means(cases, [1.0, 2.0])


def test_similar_truth_is_jaccard_of_likers():
    # 30 users like A; users 0-19 also like B; users 0-5 like C; users 0-3 like D (too few)
    likes = {u: ["A"] for u in range(30)}
    for u in range(20):
        likes[u].append("B")
    for u in range(6):
        likes[u].append("C")
    for u in range(4):
        likes[u].append("D")
    ids = {"A": 1, "B": 2, "C": 3, "D": 4}
    data = Interactions(likes={u: sorted(ids[m] for m in ms) for u, ms in likes.items()})
    cases = {c.movie: c.truth for c in similar_cases(data, min_likers=20)}
    assert set(cases) == {1, 2}  # A (30 likers) and B (20); C and D have too few
    assert cases[1] == pytest.approx({2: 20 / 30, 3: 6 / 30})  # D: only 4 co-likers
    assert cases[2] == pytest.approx({1: 20 / 30, 3: 6 / 20})


class Oracle:
    """Knows the answers: recommends the held-out likes, and the truth of similar."""

    name = "oracle"

    def __init__(self, cases, films):
        self.held = {tuple(c.liked): c.held_out for c in cases}
        self.truth = {f.movie: sorted(f.truth, key=lambda m: -f.truth[m]) for f in films}

    def recommend(self, liked, disliked, k, seen=()):
        return self.held[tuple(liked)][:k]

    def similar(self, movie, k):
        return self.truth[movie][:k]


def test_evaluate_gives_one_to_an_oracle_and_zero_to_nonsense(tmp_path):
    rng = np.random.default_rng(0)
    likes = {u: sorted(rng.choice(np.arange(1, 41), 15, replace=False).tolist()) for u in range(60)}
    data = Interactions(likes=likes)
    oracle = Oracle(profile_cases(data, seed=3), similar_cases(data))
    popularity = Popularity(list(range(1, 41)), [1.0] * 40)

    class Nothing:
        name = "nothing"

        def recommend(self, liked, disliked, k, seen=()):
            return [999] * k

        def similar(self, movie, k):
            return []

    result = evaluate([oracle, popularity, Nothing(), Random(list(range(1, 41)))], data, seed=3)
    assert result.scores["oracle"] == {
        "profile_recall@10": 1.0,
        "profile_ndcg@10": 1.0,
        "similar_ndcg@10": 1.0,
        "mood_recall@10": 0.0,  # no mood queries given
        "mood_ndcg@10": 0.0,
    }
    assert all(v == 0.0 for v in result.scores["nothing"].values())
    assert 0 < result.scores["popularity"]["profile_recall@10"] < 1
    assert result.profile_users == 60 and result.similar_films > 0
    again = evaluate([Random(list(range(1, 41)))], data, seed=3)
    assert again.scores["random"] == result.scores["random"]  # seeded: reproducible

    text = table(result)
    assert "oracle" in text and "x)" in text
    assert result.profile_recall["oracle"] == [1.0] * 60
    assert np.mean(result.profile_recall["popularity"]) == pytest.approx(
        result.scores["popularity"]["profile_recall@10"], abs=1e-4
    )
    popular = result.scores["popularity"]["profile_recall@10"]
    intervals = text.split("paired bootstrap interval over 60 users:")[1]
    found = re.search(r"^oracle +([\d.]+) +\(([\d.]+)-([\d.]+)\)$", intervals, re.M)
    ratio, low, high = (float(x) for x in found.groups())
    assert ratio == pytest.approx(1.0 / popular, abs=1e-3) and low <= ratio <= high
    write_json(result, tmp_path / "r.json")
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["scores"]["oracle"]["similar_ndcg@10"] == 1.0
    assert saved["profile_recall"]["oracle"] == [1.0] * 60
    bar_chart(result, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_with_folds_looks_for_every_like_and_reports_one_figure_per_user():
    rng = np.random.default_rng(0)
    likes = {u: sorted(rng.choice(np.arange(1, 41), 15, replace=False).tolist()) for u in range(60)}
    data = Interactions(likes=likes)
    oracle = Oracle(profile_folds(data, seed=3, folds=5), similar_cases(data))
    first_folds = {tuple(c.liked) for c in profile_folds(data, 3, 5)[::5]}

    class FirstFoldOnly:
        """Finds the held-out likes of a user's first fold only: 1 there, 0 in the others."""

        name = "first fold"

        def recommend(self, liked, disliked, k, seen=()):
            return oracle.held[tuple(liked)][:k] if tuple(liked) in first_folds else []

        def similar(self, movie, k):
            return []

    popularity = Popularity(list(range(1, 41)), [1.0] * 40)
    result = evaluate([oracle, FirstFoldOnly(), popularity], data, seed=3, folds=5)
    assert result.folds == 5 and result.profile_users == 60
    assert result.profile_recall["oracle"] == [1.0] * 60  # one figure per user, not per fold
    assert result.profile_recall["first fold"] == [pytest.approx(0.2)] * 60
    assert result.scores["first fold"]["profile_recall@10"] == pytest.approx(0.2)
    assert "60 users (5 folds of their likes)" in table(result)
    single = evaluate([popularity], data, seed=3)
    assert single.folds == 1 and "folds" not in table(single)


def test_popularity_and_random_exclude_rated_films():
    popularity = Popularity([1, 2, 3, 4], [10, 40, 30, 20])
    assert popularity.recommend([2], [3], 2) == [4, 1]
    assert popularity.similar(2, 2) == [3, 4]
    random = Random([1, 2, 3, 4, 5], seed=1)
    assert set(random.recommend([1, 2], [3], 5)) == {4, 5}


def test_mood_benchmark_loading_and_scoring(tmp_path):
    from movierec.evaluation.mood import MoodCase, load_mood_benchmark

    path = tmp_path / "moods.json"
    path.write_text(
        json.dumps(
            {
                "queries": [
                    {"id": "a", "text": "heists", "relevant": [{"id": 1}, {"id": 2}]},
                    {"id": "b", "text": "gone", "relevant": [{"id": 99}]},
                ]
            }
        )
    )
    cases = load_mood_benchmark(path, catalog_ids={1, 2, 3})
    assert cases == [MoodCase("a", "heists", frozenset({1, 2}))]  # "b" has no catalog film

    class Searcher:
        name = "searcher"

        def search(self, text, k):
            return [2, 3, 1][:k]

    result = evaluate([Searcher()], Interactions(likes={}), moods=cases)
    assert result.scores["searcher"]["mood_recall@10"] == 1.0
    expected = (1 + 1 / np.log2(4)) / (1 + 1 / np.log2(3))
    assert result.scores["searcher"]["mood_ndcg@10"] == pytest.approx(expected, abs=1e-5)
    path.write_text('{"queries": [{"text": "no id"}]}')
    with pytest.raises(ValueError, match="not a mood benchmark"):
        load_mood_benchmark(path)


def test_profiles_hold_the_films_rated_in_between_as_seen_and_no_system_recommends_them():
    likes = {u: list(range(1, 16)) for u in range(3)}
    neutral = {0: [30, 31], 2: [32]}
    data = Interactions(likes=likes, dislikes={1: [33]}, neutral=neutral)
    for cases in (profile_cases(data, seed=1), profile_folds(data, seed=1, folds=5)):
        assert {c.user: c.seen for c in cases} == {0: [30, 31], 1: [], 2: [32]}
        assert all(not set(c.seen) & set(c.liked + c.held_out) for c in cases)
    before = profile_cases(data, seed=1, seen=False)
    assert all(c.seen == [] for c in before)
    assert [c.liked for c in before] == [c.liked for c in profile_cases(data, seed=1)]

    films = list(range(30, 41))
    popular = Popularity(films, [10.0 - i for i in range(len(films))])  # 30 is the most voted
    assert popular.recommend([], [], 3, seen=[30, 31]) == [32, 33, 34]
    drawn = Random(films, seed=0).recommend([], [33], 11, seen=[30, 31])
    assert sorted(drawn) == [32, 34, 35, 36, 37, 38, 39, 40]
    # the protocol passes each case's seen films: here the two most voted films are seen ones,
    # and the rest of the list is the user's likes, so the held-out ones come right after them
    data = Interactions(likes={0: list(range(35, 45))}, neutral={0: [30, 31]})
    popular = Popularity([30, 31, *range(35, 45)], [99.0, 98.0, *[1.0] * 10])
    for seen, recall in ((False, 0.0), (True, 1.0)):
        result = evaluate([popular], data, seed=0, k=2, seen=seen)
        assert result.scores["popularity"]["profile_recall@10"] == recall
