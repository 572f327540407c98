"""Watch together, evaluated: random pairs of users, each member's held-out likes to find.

Each user's profile is the 80 % split of `profile_cases` (plus their dislikes); the users are
paired at random (seeded; several independent pairings give more pairs). A group method returns
one list of k films for the pair, and each member's recall@k of their own held-out likes is
measured on it. The fairness figure is the *minimum* of the members' recalls (the least served
member), averaged over pairs; the mean recall says how much the group gets overall.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from movierec.evaluation.metrics import recall_at_k
from movierec.evaluation.protocols import ProfileCase, profile_cases
from movierec.hits import Hit
from movierec.movielens import Interactions
from movierec.recommender import Recommender
from movierec.together import AGGREGATIONS, POOL, SCALES, Member, member_lists, rank_group

Group = Sequence[ProfileCase]
Lists = Sequence[Sequence[Hit]]  # each member's own POOL best films, the group's rated excluded
GroupMethod = Callable[[Group, Lists, int], list[int]]


@dataclass
class GroupResult:
    """Mean min-recall and mean recall per method, over `pairs` pairs."""

    pairs: int
    seed: int
    k: int
    min_recall: dict[str, float] = field(default_factory=dict)
    mean_recall: dict[str, float] = field(default_factory=dict)
    per_pair: dict[str, list[float]] = field(default_factory=dict)  # min-recall of each pair


def pair_cases(
    data: Interactions, seed: int = 0, size: int = 2, pairings: int = 1
) -> list[tuple[ProfileCase, ...]]:
    """Users with ≥ 10 likes, split 80/20 and drawn into disjoint random groups of `size`;
    `pairings` independent drawings (a user is in one group per drawing)."""
    cases = profile_cases(data, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    groups = []
    for _ in range(pairings):
        order = rng.permutation(len(cases))
        groups += [
            tuple(cases[i] for i in order[g * size : (g + 1) * size])
            for g in range(len(cases) // size)
        ]
    return groups


def _members(group: Group) -> list[Member]:
    return [Member(f"user {c.user}", tuple(c.liked), tuple(c.disliked)) for c in group]


def merged(recommender: Recommender) -> GroupMethod:
    """One profile of everybody's likes and dislikes."""

    def method(group: Group, lists: Lists, k: int) -> list[int]:
        liked = sorted({i for case in group for i in case.liked})
        disliked = sorted({i for case in group for i in case.disliked} - set(liked))
        rated = {i for case in group for i in (*case.liked, *case.disliked)}
        return [h.id for h in recommender.recommend(liked, disliked, k=k, exclude=rated)]

    return method


def alternate(group: Group, lists: Lists, k: int) -> list[int]:
    """Each member's own list, taken in turns (first of A, first of B, second of A, …)."""
    picked: list[int] = []
    for turn in range(k):
        for hits in lists:
            if turn < len(hits) and hits[turn].id not in picked and len(picked) < k:
                picked.append(hits[turn].id)
    return picked


def together(how: str, scale: str) -> GroupMethod:
    """`movierec.together.rank_group` (what `Recommender.together` returns) with `how`, `scale`."""

    def method(group: Group, lists: Lists, k: int) -> list[int]:
        return [h.id for h in rank_group(_members(group), lists, k, how, scale)]

    return method


def methods(recommender: Recommender) -> dict[str, GroupMethod]:
    """The two baselines and every aggregation × satisfaction scale of `movierec.together`."""
    found: dict[str, GroupMethod] = {
        "merged profile": merged(recommender),
        "alternate lists": alternate,
    }
    for scale in SCALES:
        for how in AGGREGATIONS:
            found[f"together: {how}, {scale}"] = together(how, scale)
    return found


def evaluate_groups(
    recommender: Recommender,
    data: Interactions,
    seed: int = 0,
    k: int = 10,
    pairings: int = 1,
) -> GroupResult:
    """Mean over pairs of the min and of the mean member recall@k of held-out likes, for every
    method of `methods`; the members' own lists are fetched once per pair and shared."""
    groups = pair_cases(data, seed=seed, pairings=pairings)
    result = GroupResult(pairs=len(groups), seed=seed, k=k)
    found = methods(recommender)
    lows: dict[str, list[float]] = {name: [] for name in found}
    means: dict[str, list[float]] = {name: [] for name in found}
    for group in groups:
        lists = member_lists(recommender, _members(group), POOL)
        for name, method in found.items():
            ranked = method(group, lists, k)
            recalls = [recall_at_k(ranked, set(case.held_out), k) for case in group]
            lows[name].append(min(recalls))
            means[name].append(float(np.mean(recalls)))
    result.per_pair = lows
    for name in found:
        result.min_recall[name] = float(np.mean(lows[name])) if groups else 0.0
        result.mean_recall[name] = float(np.mean(means[name])) if groups else 0.0
    return result
