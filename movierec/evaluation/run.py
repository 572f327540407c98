"""Run every system through both protocols and collect the metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from movierec.evaluation.metrics import ndcg_at_k, recall_at_k
from movierec.evaluation.mood import MoodCase
from movierec.evaluation.protocols import (
    ProfileCase,
    SimilarCase,
    held_out_profiles,
    similar_cases,
    user_means,
)
from movierec.evaluation.systems import System
from movierec.movielens import Interactions

METRICS = (
    "profile_recall@10",
    "profile_ndcg@10",
    "similar_ndcg@10",
    "mood_recall@10",
    "mood_ndcg@10",
    "tags_recall@10",
    "tags_ndcg@10",
)
TAG_METRICS = METRICS[5:]


@dataclass
class EvalResult:
    """Mean metrics per system, with what they were measured on."""

    scores: dict[str, dict[str, float]]
    profile_users: int
    similar_films: int
    mood_queries: int
    seed: int
    k: int
    seconds: dict[str, float] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    tag_queries: int = 0
    cold_films: int = 0
    profile_recall: dict[str, list[float]] = field(default_factory=dict)
    """Per system, each user's profile Recall@k (in the order of the users): for intervals."""
    folds: int = 1
    """1: one 80/20 draw of each user's likes; N ≥ 2: each of N parts held out in turn."""

    def metrics(self) -> tuple[str, ...]:
        """The metrics measured: the tags ones only when there were tag queries."""
        return METRICS if self.tag_queries else tuple(m for m in METRICS if m not in TAG_METRICS)

    def label(self, metric: str) -> str:
        """`metric` as shown to people, at the k measured (the keys always say @10)."""
        return f"{metric.rsplit('@', 1)[0]}@{self.k}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def ratio(self, system: str, baseline: str, metric: str) -> float:
        base = self.scores[baseline][metric]
        return self.scores[system][metric] / base if base > 0 else float("inf")


def evaluate(
    systems: Sequence[System],
    data: Interactions,
    seed: int = 0,
    k: int = 10,
    dislikes: bool = True,
    show_progress: bool = False,
    moods: Sequence[MoodCase] = (),
    tags: Sequence[MoodCase] = (),
    cold: set[int] | None = None,
    folds: int = 1,
    seen: bool = True,
) -> EvalResult:
    """Profile Recall/nDCG@k on held-out likes, similar nDCG@k on co-liked films, mood
    Recall/nDCG@k on the judged queries of `moods` and of `tags` (people's tags as queries).
    With `cold` (films whose likes no model learnt from), only those films are measured: similar
    from a cold film, profiles on their cold held-out likes. Profiles hold out 20 % of each
    user's likes once, or with `folds` ≥ 2 each of `folds` parts in turn; a user's figures are
    then the means over their folds (no model here learns from the profiles, so folds refit
    nothing). With `seen`, a profile holds the user's films rated in between as seen, and no
    system may recommend them (`held_out_profiles`)."""
    profiles = held_out_profiles(data, seed, folds, seen=seen)
    films = similar_cases(data)
    if cold is not None:
        profiles, films = only_cold(profiles, films, cold)
    scores: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    per_user: dict[str, list[float]] = {}
    for system in systems:
        start = time.perf_counter()
        recall, ndcg, similar = [], [], []
        cases = tqdm(profiles, desc=f"{system.name}: profiles", disable=not show_progress)
        for case in cases:
            ranked = system.recommend(
                case.liked, case.disliked if dislikes else [], k, seen=case.seen
            )
            held = set(case.held_out)
            recall.append(recall_at_k(ranked, held, k))
            ndcg.append(ndcg_at_k(ranked, dict.fromkeys(held, 1.0), k))
        for film in tqdm(films, desc=f"{system.name}: films", disable=not show_progress):
            similar.append(ndcg_at_k(system.similar(film.movie, k), film.truth, k))
        mood_recall, mood_ndcg = _queries(system, moods, k)
        tag_recall, tag_ndcg = _queries(system, tags, k)
        recall, ndcg = user_means(profiles, recall)[1], user_means(profiles, ndcg)[1]
        values = (recall, ndcg, similar, mood_recall, mood_ndcg, tag_recall, tag_ndcg)
        measured = zip(METRICS, values, strict=True)
        scores[system.name] = {m: _mean(v) for m, v in measured if tags or m not in TAG_METRICS}
        per_user[system.name] = [round(v, 5) for v in recall]
        seconds[system.name] = round(time.perf_counter() - start, 1)
    return EvalResult(
        scores,
        len({case.user for case in profiles}),
        len(films),
        len(moods),
        seed,
        k,
        seconds,
        tag_queries=len(tags),
        cold_films=len(cold) if cold is not None else 0,
        profile_recall=per_user,
        folds=folds if folds >= 2 else 1,
    )


def only_cold(
    profiles: list[ProfileCase], films: list[SimilarCase], cold: set[int]
) -> tuple[list[ProfileCase], list[SimilarCase]]:
    """Profiles whose held-out likes include cold films (only those count), films that are cold."""
    kept = [
        ProfileCase(c.user, c.liked, c.disliked, sorted(set(c.held_out) & cold), c.seen)
        for c in profiles
        if set(c.held_out) & cold
    ]
    return kept, [f for f in films if f.movie in cold]


def _queries(system: System, cases: Sequence[MoodCase], k: int) -> tuple[list, list]:
    recall, ndcg = [], []
    for case in cases:
        ranked = system.search(case.text, k)
        recall.append(recall_at_k(ranked, set(case.relevant), k))
        ndcg.append(ndcg_at_k(ranked, dict.fromkeys(case.relevant, 1.0), k))
    return recall, ndcg


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 5) if values else 0.0
