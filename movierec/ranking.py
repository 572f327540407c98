"""Pure ranking helpers: the quality prior and MMR diversity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from movierec.scoring import min_max, top_k

__all__ = ["likes_prior", "mmr", "quality_prior", "top_k"]  # top_k lives in movierec.scoring


def quality_prior(
    catalog: pd.DataFrame, popularity_share: float = 0.5, min_votes_quantile: float = 0.75
) -> np.ndarray:
    """A [0, 1] prior per film: `popularity_share` of log vote count, the rest Bayesian rating.

    The rating is shrunk toward the catalog mean with the IMDb weighted-rating formula, so a 9.0
    from three votes does not outrank a 8.3 from ten thousand.
    """
    if not 0.0 <= popularity_share <= 1.0:
        raise ValueError(f"popularity_share must be between 0 and 1, got {popularity_share}")
    votes = catalog["vote_count"].astype("float64").fillna(0.0).to_numpy()
    rating = catalog["vote_average"].astype("float64").to_numpy(na_value=np.nan)
    if len(votes) == 0:
        return np.zeros(0, dtype=np.float32)
    mean = float(np.nanmean(rating)) if np.isfinite(rating).any() else 0.0
    rating = np.where(np.isfinite(rating), rating, mean)
    m = max(float(np.quantile(votes, min_votes_quantile)), 1.0)
    weighted = (votes / (votes + m)) * rating + (m / (votes + m)) * mean
    popularity = np.log1p(votes)
    mixed = popularity_share * min_max(popularity) + (1 - popularity_share) * min_max(weighted)
    return mixed.astype(np.float32)


def likes_prior(counts: np.ndarray, quality: np.ndarray | None = None) -> np.ndarray:
    """A [0, 1] prior per film from how many people liked it (log counts, min-max scaled):
    what a tuning learnt the engine's own people like, where `quality_prior` knows only the
    catalog's votes (tuned profiles, content only: recall 0.186 -> 0.200 on MovieLens seeds
    12-17, docs/tuning.md).

    A film with no likes is unknown rather than disliked (it may be new): given `quality`
    (the catalog's prior, per film), it gets the likes prior of the liked films at its
    quality's quantile among theirs. With 0 there, new films never reached a tuned profile's
    top 10 (docs/tuning.md)."""
    counts = np.asarray(counts, dtype=np.float64)
    prior = min_max(np.log1p(counts))
    seen = counts > 0
    if quality is not None and seen.any() and not seen.all():
        quality = np.asarray(quality, dtype=np.float64)
        liked_quality = np.sort(quality[seen])
        at = np.searchsorted(liked_quality, quality[~seen], side="right") / len(liked_quality)
        prior[~seen] = np.quantile(prior[seen], np.clip(at, 0.0, 1.0))
    return prior.astype(np.float32)


def mmr(relevance: np.ndarray, vectors: np.ndarray, k: int, diversity: float) -> np.ndarray:
    """Maximal marginal relevance: pick k of the candidates, trading relevance for novelty.

    `relevance` and `vectors` are aligned with the candidates; `diversity` 0 keeps the relevance
    order, 1 picks the most mutually dissimilar films. Returns positions into the candidates.
    """
    if not 0.0 <= diversity <= 1.0:
        raise ValueError(f"diversity must be between 0 and 1, got {diversity}")
    n = len(relevance)
    k = min(k, n)
    if k == 0:
        return np.empty(0, dtype=np.int64)
    rel = min_max(np.asarray(relevance, dtype=np.float64))
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
    chosen = [int(np.argmax(rel))]
    closest = sims[chosen[0]].astype(np.float64)
    available = np.ones(n, dtype=bool)
    available[chosen[0]] = False
    while len(chosen) < k:
        gain = (1.0 - diversity) * rel - diversity * closest
        gain[~available] = -np.inf
        pick = int(np.argmax(gain))
        chosen.append(pick)
        available[pick] = False
        closest = np.maximum(closest, sims[pick])
    return np.array(chosen, dtype=np.int64)
