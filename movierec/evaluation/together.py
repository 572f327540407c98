"""Watch together, evaluated: random pairs of users, each member's held-out likes to find.

Each user's profile is the 80 % split of `profile_cases` (plus their dislikes); the users are
paired at random (seeded). A group method returns one list of k films for the pair, and each
member's recall@k of their own held-out likes is measured on it. The fairness figure is the
*minimum* of the members' recalls (the least served member), averaged over pairs; the mean
recall says how much the group gets overall.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from movierec.evaluation.metrics import recall_at_k
from movierec.evaluation.protocols import ProfileCase, profile_cases
from movierec.movielens import Interactions
from movierec.recommender import Recommender
from movierec.together import AGGREGATIONS, SCALES, Member

Group = Sequence[ProfileCase]
GroupMethod = Callable[[Group, int], list[int]]


@dataclass
class GroupResult:
    """Mean min-recall and mean recall per method, over `pairs` pairs."""

    pairs: int
    seed: int
    k: int
    min_recall: dict[str, float] = field(default_factory=dict)
    mean_recall: dict[str, float] = field(default_factory=dict)


def pair_cases(data: Interactions, seed: int = 0, size: int = 2) -> list[tuple[ProfileCase, ...]]:
    """Users with ≥ 10 likes, split 80/20 and drawn into disjoint random groups of `size`."""
    cases = profile_cases(data, seed=seed)
    order = np.random.default_rng(seed + 1000).permutation(len(cases))
    groups = len(cases) // size
    return [tuple(cases[i] for i in order[g * size : (g + 1) * size]) for g in range(groups)]


def _rated(group: Group) -> set[int]:
    return {i for case in group for i in (*case.liked, *case.disliked)}


def merged(recommender: Recommender) -> GroupMethod:
    """One profile of everybody's likes and dislikes."""

    def method(group: Group, k: int) -> list[int]:
        liked = sorted({i for case in group for i in case.liked})
        disliked = sorted({i for case in group for i in case.disliked} - set(liked))
        hits = recommender.recommend(liked, disliked, k=k, exclude=_rated(group))
        return [h.id for h in hits]

    return method


def alternate(recommender: Recommender) -> GroupMethod:
    """Each member's own list, taken in turns (first of A, first of B, second of A, …)."""

    def method(group: Group, k: int) -> list[int]:
        rated = _rated(group)
        lists = [
            [h.id for h in recommender.recommend(c.liked, c.disliked, k=k, exclude=rated)]
            for c in group
        ]
        picked: list[int] = []
        for turn in range(k):
            for ids in lists:
                if turn < len(ids) and ids[turn] not in picked and len(picked) < k:
                    picked.append(ids[turn])
        return picked

    return method


def together(recommender: Recommender, how: str, scale: str) -> GroupMethod:
    """`Recommender.together` with aggregation `how` over satisfaction `scale`."""

    def method(group: Group, k: int) -> list[int]:
        members = [Member(f"user {c.user}", tuple(c.liked), tuple(c.disliked)) for c in group]
        return [h.id for h in recommender.together(members, k=k, how=how, scale=scale)]

    return method


def methods(recommender: Recommender) -> dict[str, GroupMethod]:
    """The two baselines and every aggregation × satisfaction scale of `movierec.together`."""
    found: dict[str, GroupMethod] = {
        "merged profile": merged(recommender),
        "alternate lists": alternate(recommender),
    }
    for scale in SCALES:
        for how in AGGREGATIONS:
            found[f"together: {how}, {scale}"] = together(recommender, how, scale)
    return found


def evaluate_groups(
    methods: dict[str, GroupMethod], data: Interactions, seed: int = 0, k: int = 10
) -> GroupResult:
    """Mean over pairs of the min and of the mean member recall@k of held-out likes."""
    groups = pair_cases(data, seed=seed)
    result = GroupResult(pairs=len(groups), seed=seed, k=k)
    for name, method in methods.items():
        lows, means = [], []
        for group in groups:
            ranked = method(group, k)
            recalls = [recall_at_k(ranked, set(case.held_out), k) for case in group]
            lows.append(min(recalls))
            means.append(float(np.mean(recalls)))
        result.min_recall[name] = float(np.mean(lows)) if lows else 0.0
        result.mean_recall[name] = float(np.mean(means)) if means else 0.0
    return result
