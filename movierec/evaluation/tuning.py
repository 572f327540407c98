"""Evaluating tuned vectors without leaks: users, tags and (optionally) films held out of tuning.

- user split: the adapter and the community models learn from the training users' likes only;
  profiles (held-out likes) and similar films (co-likes) are measured on the other users;
- tag split: the adapter reads the training tags only; the test tags are the mood queries;
- cold films: the likes of a random share of the films are also withheld from the adapter and
  the community models; similar is measured with those films as seeds, profiles on their
  held-out likes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from movierec.evaluation.community import split_users
from movierec.evaluation.metrics import ndcg_at_k, recall_at_k
from movierec.evaluation.mood import MoodCase
from movierec.evaluation.protocols import (
    ProfileCase,
    SimilarCase,
    held_out_profiles,
    similar_cases,
    user_means,
)
from movierec.evaluation.run import only_cold
from movierec.evaluation.systems import System
from movierec.evaluation.tags import TagSplit, split_tags
from movierec.movielens import Interactions

METRICS = ("similar_ndcg@10", "profile_recall@10", "mood_ndcg@10")


@dataclass
class TuningSplit:
    """What tuning may read (train likes, train tag pairs) and what is measured on."""

    train_likes: dict[int, list[int]]
    profiles: list[ProfileCase]
    films: list[SimilarCase]
    moods: list[MoodCase]
    tags: TagSplit
    cold: set[int] = field(default_factory=set)


def make_split(
    data: Interactions,
    catalog,
    tag_pairs: Iterable[tuple[str, int]],
    seed: int = 0,
    test_users: float = 0.5,
    cold_share: float = 0.0,
    min_likers: int = 20,
    folds: int = 1,
    seen: bool = True,
) -> TuningSplit:
    """A seeded user split, tag split and (with `cold_share` > 0) cold-film split; similar
    cases are films liked by at least `min_likers` test users. Profiles hold out 20 % of each
    test user's likes once, or with `folds` ≥ 2 each of `folds` parts in turn (`profile_folds`;
    the models learn from the training users only, so folds cost no refitting); `seen` as in
    `held_out_profiles`."""
    train, test = split_users(data, test_share=test_users, seed=seed)
    tags = split_tags(tag_pairs, catalog, seed=seed)
    profiles = held_out_profiles(test, seed, folds, seen=seen)
    films = similar_cases(test, min_likers)
    cold = cold_films(data, cold_share, seed) if cold_share > 0 else set()
    likes = without(train.likes, cold)
    if cold:
        profiles, films = only_cold(profiles, films, cold)
    return TuningSplit(likes, profiles, films, tags.test, tags, cold)


def cold_films(data: Interactions, share: float, seed: int = 0) -> set[int]:
    """A seeded `share` of the liked films: their likes are withheld from every model."""
    liked = np.array(sorted({m for ms in data.likes.values() for m in ms}), dtype=np.int64)
    order = np.random.default_rng(seed + 1).permutation(len(liked))
    return set(liked[order[: round(share * len(liked))]].tolist())


def without(likes: dict[int, list[int]], films: set[int]) -> dict[int, list[int]]:
    """Each user's likes minus `films`."""
    return {u: [m for m in ms if m not in films] for u, ms in likes.items()}


def measure(
    system: System, split: TuningSplit, k: int = 10, parts: Sequence[str] = METRICS
) -> dict[str, float]:
    """Mean similar nDCG@k, profile Recall@k (over users) and tags mood nDCG@k of one system."""
    return {
        metric: _mean(
            user_recall(system, split, k)
            if metric == METRICS[1]
            else case_values(system, split, metric, k)
        )
        for metric in parts
    }


def user_recall(system: System, split: TuningSplit, k: int = 10) -> list[float]:
    """Each test user's profile Recall@k: the mean over their folds when the split has folds
    (`make_split(folds=...)`), else their one profile's."""
    return user_means(split.profiles, case_values(system, split, METRICS[1], k))[1]


def case_values(system: System, split: TuningSplit, metric: str, k: int = 10) -> list[float]:
    """One value of `metric` (one of METRICS) per case of the split, in the split's order: per
    seed film, per profile or per mood query."""
    if metric == METRICS[0]:
        return [ndcg_at_k(system.similar(f.movie, k), f.truth, k) for f in split.films]
    if metric == METRICS[1]:
        return [
            recall_at_k(system.recommend(c.liked, c.disliked, k, seen=c.seen), set(c.held_out), k)
            for c in split.profiles
        ]
    if metric == METRICS[2]:
        return [
            ndcg_at_k(system.search(m.text, k), dict.fromkeys(m.relevant, 1.0), k)
            for m in split.moods
        ]
    raise ValueError(f"unknown metric {metric!r}; one of {', '.join(METRICS)}")


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 4) if values else 0.0
