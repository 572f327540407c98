"""Training pairs: films liked by the same person, and (text, film) pairs from people's tags."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from movierec.community import binary_likes
from movierec.community_knn import co_likes
from movierec.errors import UsageError
from movierec.movielens import numbers, read_csv, read_links

LOG = logging.getLogger(__name__)
DEFAULT_PAIRS_PER_USER = 300  # 50 before 2026-11-28: 300 is ~2 % better on similar and profiles
BLOCK_PRODUCTS = 5e7  # co-like products per block of neighbour_pairs (memory follows them)


@dataclass(frozen=True)
class TextPairs:
    """Unique query texts and (text index, catalog row) pairs."""

    texts: list[str]
    pairs: np.ndarray  # (n, 2) int64

    def __len__(self) -> int:
        return len(self.pairs)


def normalize_tag(tag: Any) -> str:
    """Lowercase, trimmed, inner whitespace collapsed; '' for missing values."""
    if tag is None or (isinstance(tag, float) and np.isnan(tag)):
        return ""
    return re.sub(r"\s+", " ", str(tag)).strip().lower()


def likes_from_profiles(profiles: Mapping[Any, Any], catalog_ids: Iterable[int]) -> dict:
    """user → liked catalog ids, from `store.all_profiles()` (Profile objects with `.liked`) or
    from plain lists of ids; films outside the catalog are dropped."""
    known = {int(i) for i in catalog_ids}
    likes = {}
    for user, profile in profiles.items():
        liked = getattr(profile, "liked", profile)
        kept = sorted({int(m) for m in liked} & known)
        if kept:
            likes[user] = kept
    return likes


def colike_pairs(
    likes: Mapping[Any, Sequence[int]],
    row_of: Mapping[int, int],
    seed: int = 0,
    per_user: int = DEFAULT_PAIRS_PER_USER,
) -> np.ndarray:
    """(n, 2) catalog rows of two different films one user liked: at most `per_user` random
    pairs per user (all of them when fewer), so heavy raters do not drown everybody else."""
    rng = np.random.default_rng(seed)
    chunks = []
    for user in sorted(likes, key=str):
        rows = np.array(sorted({row_of[int(m)] for m in likes[user] if int(m) in row_of}))
        n = len(rows)
        if n < 2:
            continue
        if n * (n - 1) <= per_user:
            a, b = np.nonzero(~np.eye(n, dtype=bool))
        else:
            a = rng.integers(0, n, per_user)
            b = (a + rng.integers(1, n, per_user)) % n  # never the same film
        chunks.append(np.stack([rows[a], rows[b]], axis=1))
    if not chunks:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(chunks).astype(np.int64)


def neighbour_pairs(
    likes: Mapping[Any, Sequence[int]],
    movie_ids: Sequence[int],
    min_likers: int = 10,
    top: int = 20,
    min_co_likers: int = 2,
) -> np.ndarray:
    """(n, 2) catalog rows: each film liked by at least `min_likers` users with its `top`
    neighbours by the Jaccard overlap of their likers (at least `min_co_likers` in common), the
    statistic "films like this" is judged on; the similar map learns from them."""
    _, matrix = binary_likes(likes, movie_ids)
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    chunks = []
    for start, co in co_likes(matrix, BLOCK_PRODUCTS):  # XᵀX in blocks of film rows
        for film in np.flatnonzero(counts[start : start + co.shape[0]] >= min_likers) + start:
            i = film - start
            others = co.indices[co.indptr[i] : co.indptr[i + 1]]
            shared = co.data[co.indptr[i] : co.indptr[i + 1]]
            keep = (others != film) & (shared >= min_co_likers)
            others, shared = others[keep], shared[keep]
            jaccard = shared / (counts[film] + counts[others] - shared)
            best = others[np.lexsort((others, -jaccard))[:top]]
            chunks.append(np.stack([np.full(len(best), film), best], axis=1))
    if not chunks:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(chunks).astype(np.int64)


def read_tags(path: str | Path, links: str | Path | None = None) -> list[tuple[str, int]]:
    """(normalized text, catalog id) pairs from a MovieLens tags.csv (userId, movieId, tag, …)
    with `links` (links.csv, movieId → tmdbId), or from a plain CSV with `text,movie_id`.
    Empty texts are skipped; an id that is not a whole number is refused naming its line."""
    hint = (
        "; give --tags a MovieLens tags.csv (with --links links.csv) or a comma-separated file "
        "with text,movie_id"
    )
    frame = read_csv(path, "a tags CSV", hint)
    if {"text", "movie_id"} <= set(frame.columns):
        texts = frame["text"]
        ids = numbers(frame["movie_id"], path, "movie_id")
    elif {"movieId", "tag"} <= set(frame.columns):
        if links is None:
            raise UsageError(
                f"{path} is a MovieLens tags file; pass --links links.csv to map its movieIds"
            )
        frame = frame.assign(movieId=numbers(frame["movieId"], path, "movieId"))
        linked = read_links(links)
        frame = frame.merge(linked[["movieId", "tmdbId"]], on="movieId", how="inner")
        texts, ids = frame["tag"], frame["tmdbId"]
    else:
        raise UsageError(
            f"{path}: expected columns text,movie_id or MovieLens userId,movieId,tag; "
            f"found {list(frame.columns)}"
        )
    texts = texts.fillna("").astype(str)
    pairs = [(normalize_tag(t), int(i)) for t, i in zip(texts, ids, strict=True)]
    return [(t, i) for t, i in pairs if t]


def text_pairs(pairs: Iterable[tuple[str, int]], row_of: Mapping[int, int]) -> TextPairs:
    """Deduplicated (text, film) pairs of catalog films, texts numbered in first-seen order."""
    index: dict[str, int] = {}
    seen: set[tuple[int, int]] = set()
    rows = []
    for text, movie in pairs:
        row = row_of.get(int(movie))
        if row is None or not text:
            continue
        key = (index.setdefault(text, len(index)), row)
        if key not in seen:
            seen.add(key)
            rows.append(key)
    array = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return TextPairs(list(index), array)


@dataclass(frozen=True)
class LikeLists:
    """Each user's liked catalog rows, padded with -1: for profile-shaped training anchors."""

    rows: np.ndarray  # (users, width) int64
    counts: np.ndarray  # (users,) int64

    def __len__(self) -> int:
        return len(self.counts)

    def sample(
        self, rng: np.random.Generator, batch: int, anchor: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For `batch` random users: up to `anchor` liked rows (padded with -1) and one other
        liked row, as a profile and the held-out like it should find."""
        users = rng.integers(0, len(self.counts), batch)
        counts = self.counts[users]
        keys = rng.random((batch, self.rows.shape[1]))
        keys[np.arange(self.rows.shape[1])[None, :] >= counts[:, None]] = np.inf
        order = np.argsort(keys, axis=1)
        picked = np.take_along_axis(self.rows[users], order, axis=1)
        sizes = np.minimum(counts - 1, rng.integers(1, anchor + 1, batch))
        anchors = picked[:, 1 : anchor + 1].copy()
        anchors[np.arange(anchors.shape[1])[None, :] >= sizes[:, None]] = -1
        return anchors, picked[:, 0]


def like_lists(
    likes: Mapping[Any, Sequence[int]], row_of: Mapping[int, int], cap: int = 200
) -> LikeLists:
    """Users with at least two liked catalog films, at most `cap` of them each (sorted)."""
    lists = [
        sorted({row_of[int(m)] for m in likes[u] if int(m) in row_of})[:cap]
        for u in sorted(likes, key=str)
    ]
    lists = [rows for rows in lists if len(rows) >= 2]
    width = max((len(rows) for rows in lists), default=2)
    padded = np.full((len(lists), width), -1, dtype=np.int64)
    for i, rows in enumerate(lists):
        padded[i, : len(rows)] = rows
    return LikeLists(padded, np.array([len(r) for r in lists], dtype=np.int64))
