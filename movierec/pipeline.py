"""The ranking pipeline every mode shares: candidates → fusion → prior → diversity → parts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from movierec.hits import Because, Scored
from movierec.index.fusion import reciprocal_rank_fusion, weighted_sum
from movierec.index.storage import IndexBundle
from movierec.ranking import mmr
from movierec.scoring import min_max, top_k
from movierec.settings import Settings


@dataclass
class Query:
    """What to look for: a vector, keyword tokens, and the rows that explain the results."""

    vector: np.ndarray | None
    tokens: list[str]
    because_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    because: tuple[Because, ...] | None = None  # the same films for every result
    steer: np.ndarray | None = None
    community: np.ndarray | None = None  # co-like scores in [0, 1] per row (no keyword side)
    likes: np.ndarray | None = None  # a profile's liked rows: each film is scored against each
    dislike: np.ndarray | None = None  # dislike_weight x the mean of the disliked films' vectors
    nobody_liked: np.ndarray | None = None  # per row: the community model holds no like of it


PROFILE_SEEDS = 32  # a profile also fetches the neighbours of its last this-many likes
PROFILE_NEIGHBOURS = 50  # at most this many neighbours of each like
EXACT_PROFILE_FILMS = 20_000  # a profile scores every film of a catalog up to this size ...
EXACT_PROFILE_PAIRS = 1_000_000  # ... when films x likes stays within this many cosines


class Candidates:
    """The indexes of one bundle, restricted to the rows a mask allows."""

    def __init__(
        self,
        bundle: IndexBundle,
        prior: np.ndarray,
        mask: np.ndarray | None,
        unseen: np.ndarray | None = None,
    ):
        self.bundle = bundle
        self.prior = prior
        self.mask = mask
        self.unseen = unseen  # True per row a tuning saw no like of (None: not tuned on likes)

    def dense(self, vector: np.ndarray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
        if vector is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        return self.bundle.dense.search(vector, n, self.mask)

    def profile(self, query: Query, power: float, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Every allowed row of a small catalog (see `exact_rows`), else the rows near the
        profile's mean vector or near one of its last PROFILE_SEEDS likes; scored by
        `relevance` (a power mean over the likes: one taste the profile shares is enough,
        where the mean vector would blur several tastes into one, so a film close to one early
        like can lie far from the mean and outside any pool)."""
        every = self.exact_rows(0 if query.likes is None else len(query.likes))
        if every is not None:
            return every, self.relevance(query, every, power)
        pooled = self.dense(query.vector, n)[0]
        if query.likes is not None and len(query.likes) and PROFILE_SEEDS:
            likes = query.likes[-PROFILE_SEEDS:]
            each = max(10, min(PROFILE_NEIGHBOURS, n // len(likes)))
            vectors = np.asarray(self.bundle.embeddings[np.sort(likes)], dtype=np.float32)
            pooled = np.union1d(pooled, self.bundle.dense.search_many(vectors, each, self.mask))
        return pooled, self.relevance(query, pooled, power)

    def exact_rows(self, likes: int) -> np.ndarray | None:
        """All allowed rows when scoring each against `likes` liked films stays within
        EXACT_PROFILE_FILMS films and EXACT_PROFILE_PAIRS cosines, else None (use a pool)."""
        films = len(self.bundle.embeddings) if self.mask is None else int(self.mask.sum())
        if films > EXACT_PROFILE_FILMS or films * max(likes, 1) > EXACT_PROFILE_PAIRS:
            return None
        if self.mask is None:
            return np.arange(films, dtype=np.int64)
        return np.flatnonzero(self.mask).astype(np.int64)

    def relevance(self, query: Query, rows: np.ndarray, power: float) -> np.ndarray:
        """Content relevance of `rows`: cosine to the query vector; for a profile with
        `power` > 1, the power mean of the (non-negative) cosines to each liked film, less the
        dislike term, divided by the length of the profile's mean vector."""
        vectors = np.asarray(self.bundle.embeddings[rows], dtype=np.float32)
        if query.likes is None or len(query.likes) == 0 or power == 1.0:
            if query.vector is None:
                return np.zeros(len(rows))
            return (vectors @ query.vector).astype(np.float64)
        liked = np.asarray(self.bundle.embeddings[np.sort(query.likes)], dtype=np.float32)
        cosines = np.clip(vectors @ liked.T, 0.0, None)  # float32, in place: up to 10,000 likes
        np.power(cosines, power, out=cosines)
        relevance = cosines.mean(axis=1, dtype=np.float64) ** (1.0 / power)
        profile = liked.mean(axis=0)
        if query.dislike is not None:
            relevance -= vectors @ query.dislike
            profile = profile - query.dislike
        # On the scale of the cosine to the unit profile vector (what power 1 gives), so the
        # prior weighs the same against either.
        return relevance / max(float(np.linalg.norm(profile)), 1e-6)

    def steered(
        self, seed: np.ndarray, steer: np.ndarray, weight: float, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows near the seed or near the steering text, scored by both similarities, each
        min-max scaled over the pooled rows so the text is not drowned by the seed's higher
        film-to-film cosines: (seed + weight * text) / (1 + weight)."""
        pooled = np.union1d(self.dense(seed, n)[0], self.dense(steer, n)[0])
        if len(pooled) == 0:
            return pooled, np.empty(0, dtype=np.float32)
        vectors = np.asarray(self.bundle.embeddings[pooled], dtype=np.float32)
        mixed = min_max(vectors @ seed) + weight * min_max(vectors @ steer)
        return pooled, (mixed / (1.0 + weight)).astype(np.float32)

    def with_community(
        self,
        rows: np.ndarray,
        relevance: np.ndarray,
        community: np.ndarray,
        query: Query,
        n: int,
        power: float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Add the top-n rows by community score that content did not fetch, with their
        content relevance (so films the community loves but text misses can still rank)."""
        allowed = community > 0 if self.mask is None else (community > 0) & self.mask
        extra = np.setdiff1d(top_k(community, n, allowed), rows)
        if len(extra) == 0:
            return rows, relevance
        similarity = self.relevance(query, extra, power)
        return np.concatenate([rows, extra]), np.concatenate([relevance, similarity])

    def sparse(self, tokens: list[str], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        if not tokens:
            return np.empty(0, dtype=np.int64), np.empty(0), None
        scores = self.bundle.bm25.get_scores(tokens)
        allowed = scores > 0 if self.mask is None else (scores > 0) & self.mask
        rows = top_k(scores, n, allowed)
        return rows, scores[rows], scores


def _fuse(
    dense: tuple[np.ndarray, np.ndarray], sparse: tuple[np.ndarray, np.ndarray], s: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and relevance in [0, 1]-ish scale; dense similarity alone when no keyword matched."""
    if len(sparse[0]) == 0:
        return dense[0], dense[1].astype(np.float64)
    lists = [list(zip(r.tolist(), v.tolist(), strict=True)) for r, v in (dense, sparse)]
    if s.fusion == "rrf":
        weights = (s.alpha, 1.0 - s.alpha)
        fused = reciprocal_rank_fusion(lists, k=s.rrf_k, weights=weights)
        scale = 1.0 / (s.rrf_k + 1)
        fused = [(key, score / scale) for key, score in fused]
    else:
        fused = weighted_sum(lists[0], lists[1], s.alpha)
    rows = np.array([key for key, _ in fused], dtype=np.int64)
    return rows, np.array([score for _, score in fused], dtype=np.float64)


def rank(query: Query, candidates: Candidates, k: int, s: Settings) -> list[Scored]:
    """Top-k rows with the parts of their scores, best first."""
    pool = max(s.candidates, 3 * k)
    power = 1.0 if query.likes is None else s.profile_power_for(len(query.likes))
    if query.steer is not None and query.vector is not None:
        dense = candidates.steered(query.vector, query.steer, s.steer_weight, pool)
    elif power != 1.0:
        dense = candidates.profile(query, power, pool)
    else:
        dense = candidates.dense(query.vector, pool)
    s_rows, s_scores, bm25_all = candidates.sparse(query.tokens, pool)
    rows, relevance = _fuse(dense, (s_rows, s_scores), s)
    community = query.community if s.community_weight > 0 and not query.tokens else None
    if community is not None:
        rows, relevance = candidates.with_community(rows, relevance, community, query, pool, power)
    if len(rows) == 0:
        return []
    boost = np.zeros(len(rows))
    if query.likes is not None and s.unseen_boost > 0 and candidates.unseen is not None:
        boost = s.unseen_boost * candidates.unseen[rows]
        relevance = relevance + boost
    if community is None:
        final = relevance + s.prior_weight * candidates.prior[rows]
    elif s.community_fusion == "rank":
        content = relevance + s.community_prior_weight * candidates.prior[rows]
        final = rank_sum(content, community[rows], s.community_weight, s.community_rank_k)
    else:
        prior = s.community_prior_weight * candidates.prior[rows]
        final = relevance + prior + s.community_weight * community[rows]
    order = np.argsort(-final, kind="stable")
    if s.diversity > 0:
        head = order[: max(3 * k, 30)]
        vectors = np.asarray(candidates.bundle.embeddings[rows[head]], dtype=np.float32)
        order = head[mmr(final[head], vectors, k, s.diversity)]
    chosen = order[:k]
    return _explain(
        query, candidates, rows[chosen], final[chosen], bm25_all, community, boost[chosen]
    )


def rank_sum(content: np.ndarray, community: np.ndarray, weight: float, k: int) -> np.ndarray:
    """(k + 1) / (k + content rank) + weight * (k + 1) / (k + community rank), ranks from 1
    among the candidates, ties sharing the better rank: the fusion that lets tuned content add
    to EASE (a sum of scores lets the larger-spread signal dominate; docs/tuning.md)."""
    return (k + 1) / (k + 1 + _ranks(content)) + weight * (k + 1) / (k + 1 + _ranks(community))


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest value; equal values share the smaller rank."""
    order = np.argsort(-values, kind="stable")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.flatnonzero(first)[np.cumsum(first) - 1]
    return ranks


def _explain(
    query: Query,
    candidates: Candidates,
    rows: np.ndarray,
    scores: np.ndarray,
    bm25_all: np.ndarray | None,
    community: np.ndarray | None,
    boost: np.ndarray,
) -> list[Scored]:
    """The chosen rows as Scored, with the parts of their scores (`boost`: the unseen_boost
    each got, aligned with `rows`)."""
    vectors = np.asarray(candidates.bundle.embeddings[rows], dtype=np.float32)
    similarity = vectors @ query.vector if query.vector is not None else None
    because_sims = _because_similarity(query, candidates, vectors)
    bm25 = candidates.bundle.bm25
    return [
        Scored(
            row=row,
            score=float(scores[i]),
            vector_score=None if similarity is None else float(similarity[i]),
            bm25_score=None if bm25_all is None else float(bm25_all[row]),
            prior=float(candidates.prior[row]),
            community_score=None if community is None else float(community[row]),
            matched_terms=tuple(bm25.matched_terms(query.tokens, row)) if query.tokens else (),
            because=_because(query, because_sims, i),
            boost=float(boost[i]),
            nobody_liked=query.nobody_liked is not None and bool(query.nobody_liked[row]),
        )
        for i, row in enumerate(rows.tolist())
    ]


def _because_similarity(query: Query, candidates: Candidates, vectors: np.ndarray) -> np.ndarray:
    if len(query.because_rows) == 0:
        return np.empty((0, len(vectors)))
    seeds = np.asarray(candidates.bundle.embeddings[np.sort(query.because_rows)], dtype=np.float32)
    return seeds @ vectors.T


def _because(query: Query, sims: np.ndarray, i: int, top: int = 2) -> tuple[Because, ...]:
    """The seed rows (liked films, or the chosen title) closest to result i."""
    if query.because is not None:
        return query.because
    if sims.shape[0] == 0:
        return ()
    seeds = np.sort(query.because_rows)
    best = np.argsort(-sims[:, i], kind="stable")[:top]
    return tuple(Because(int(seeds[j]), round(float(sims[j, i]), 4)) for j in best)
