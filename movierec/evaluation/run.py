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
from movierec.evaluation.protocols import profile_cases, similar_cases
from movierec.evaluation.systems import System
from movierec.movielens import Interactions

METRICS = (
    "profile_recall@10",
    "profile_ndcg@10",
    "similar_ndcg@10",
    "mood_recall@10",
    "mood_ndcg@10",
)


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
) -> EvalResult:
    """Profile Recall/nDCG@k on held-out likes, similar nDCG@k on co-liked films, and mood
    Recall/nDCG@k on the judged queries of `moods`."""
    profiles = profile_cases(data, seed=seed)
    films = similar_cases(data)
    scores: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    for system in systems:
        start = time.perf_counter()
        recall, ndcg, similar, mood_recall, mood_ndcg = [], [], [], [], []
        cases = tqdm(profiles, desc=f"{system.name}: profiles", disable=not show_progress)
        for case in cases:
            ranked = system.recommend(case.liked, case.disliked if dislikes else [], k)
            held = set(case.held_out)
            recall.append(recall_at_k(ranked, held, k))
            ndcg.append(ndcg_at_k(ranked, dict.fromkeys(held, 1.0), k))
        for film in tqdm(films, desc=f"{system.name}: films", disable=not show_progress):
            similar.append(ndcg_at_k(system.similar(film.movie, k), film.truth, k))
        for mood in moods:
            ranked = system.search(mood.text, k)
            mood_recall.append(recall_at_k(ranked, set(mood.relevant), k))
            mood_ndcg.append(ndcg_at_k(ranked, dict.fromkeys(mood.relevant, 1.0), k))
        scores[system.name] = {
            METRICS[0]: _mean(recall),
            METRICS[1]: _mean(ndcg),
            METRICS[2]: _mean(similar),
            METRICS[3]: _mean(mood_recall),
            METRICS[4]: _mean(mood_ndcg),
        }
        seconds[system.name] = round(time.perf_counter() - start, 1)
    return EvalResult(scores, len(profiles), len(films), len(moods), seed, k, seconds)


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 5) if values else 0.0
