"""MovieLens ratings → likes and dislikes per user, in TMDB ids of the catalog.

Read by `movierec import-ratings` and by the offline evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from movierec.errors import UsageError

LIKE_AT = 4.0
DISLIKE_BELOW = 2.5


@dataclass
class Interactions:
    """Each user's liked and disliked catalog films (TMDB ids), the films they rated in between
    (`neutral`), and how many movies were dropped."""

    likes: dict[int, list[int]]
    dislikes: dict[int, list[int]] = field(default_factory=dict)
    unknown_movies: int = 0
    neutral: dict[int, list[int]] = field(default_factory=dict)

    @property
    def users(self) -> list[int]:
        return sorted(self.likes)


def _read(path: str | Path, columns: Iterable[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; pass MovieLens ratings.csv and links.csv")
    frame = pd.read_csv(path)
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise UsageError(f"{path}: missing column(s) {missing}; is it a MovieLens file?")
    return frame


def load_movielens(
    ratings: str | Path,
    links: str | Path,
    catalog_ids: Iterable[int],
    like_at: float = LIKE_AT,
    dislike_below: float = DISLIKE_BELOW,
) -> Interactions:
    """Ratings ≥ `like_at` are likes, below `dislike_below` dislikes; movies outside the catalog
    (or without a TMDB link) are counted in `unknown_movies` and left out."""
    rated = _read(ratings, ("userId", "movieId", "rating"))
    linked = _read(links, ("movieId", "tmdbId")).dropna(subset=["tmdbId"])
    merged = rated.merge(linked[["movieId", "tmdbId"]], on="movieId", how="left")
    known = merged["tmdbId"].isin(set(int(i) for i in catalog_ids))
    unknown = int(merged.loc[~known, "movieId"].nunique())
    merged = merged[known].astype({"tmdbId": "int64", "userId": "int64"})
    merged = merged.sort_values(["userId", "tmdbId"], kind="stable")
    likes = _by_user(merged[merged["rating"] >= like_at])
    dislikes = _by_user(merged[merged["rating"] < dislike_below])
    between = (merged["rating"] < like_at) & (merged["rating"] >= dislike_below)
    return Interactions(likes, dislikes, unknown, neutral=_by_user(merged[between]))


def _by_user(frame: pd.DataFrame) -> dict[int, list[int]]:
    return {
        int(user): sorted(set(group["tmdbId"].tolist()))
        for user, group in frame.groupby("userId", sort=True)
    }
