"""Offline evaluation of the recommender on MovieLens-format ratings."""

from movierec.evaluation.metrics import ndcg_at_k, recall_at_k
from movierec.evaluation.protocols import ProfileCase, SimilarCase, profile_cases, similar_cases
from movierec.evaluation.run import EvalResult, evaluate
from movierec.movielens import Interactions, load_movielens

__all__ = [
    "EvalResult",
    "Interactions",
    "ProfileCase",
    "SimilarCase",
    "evaluate",
    "load_movielens",
    "ndcg_at_k",
    "profile_cases",
    "recall_at_k",
    "similar_cases",
]
