"""MovieLens ratings → likes, dislikes and films rated in between per user, in TMDB ids of the
catalog.

Read by `movierec import-ratings` and by the offline evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from movierec.errors import UsageError, os_reason
from movierec.store.events import ACTIONS

LIKE_AT = 4.0
DISLIKE_BELOW = 2.5
LIKE, DISLIKE, SEEN = (ACTIONS.index(action) for action in ("like", "dislike", "seen"))


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


# how each MovieLens column must read: "whole" numbers, "real" numbers, or whole or "empty"
KINDS = {"userId": "whole", "movieId": "whole", "rating": "real", "tmdbId": "empty"}
RATINGS_HINT = "; give MovieLens ratings.csv (columns userId,movieId,rating)"
LINKS_HINT = "; give --links MovieLens links.csv (columns movieId,tmdbId)"


def numbers(values: pd.Series, path: str | Path, column: str, kind: str = "whole") -> pd.Series:
    """`values` as numbers: int64 for "whole", float for "real", float with empty cells left
    NaN for "empty" (whole numbers otherwise); else a UsageError naming the first line of the
    CSV that holds something else."""
    parsed = pd.to_numeric(values, errors="coerce")
    bad = parsed.isna() & (values.notna() if kind == "empty" else True)
    finite = parsed.notna() & np.isfinite(parsed)
    bad |= parsed.notna() & ~finite
    if kind != "real":
        bad |= finite & (parsed != parsed.round())
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        what = "a number" if kind == "real" else "a whole number"
        raise UsageError(
            f"{path}, line {row + 2}: {column} '{values.iloc[row]}' is not {what}; "
            "fix or remove that line"
        )
    return parsed.astype(np.int64) if kind == "whole" else parsed.astype(float)


def read_csv(path: str | Path, what: str, hint: str = "", **options: Any) -> pd.DataFrame:
    """`pd.read_csv`, with a UsageError saying the file cannot be read as `what` (and `hint`:
    what to give instead) where it is missing, a folder or unreadable, or pandas cannot parse
    or decode it."""
    try:
        return pd.read_csv(path, **options)
    except OSError as error:  # missing, a folder, no permission, a failing disk
        raise UsageError(f"cannot read {path} as {what} ({os_reason(error)}){hint}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path} as {what} ({error}){hint}") from None


def _read(path: str | Path, columns: Iterable[str], hint: str) -> pd.DataFrame:
    """The `columns` of a MovieLens CSV, each checked as KINDS says; a clear error (ending in
    `hint`, what to give) for a file that is missing, unreadable or lacks a column."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; pass MovieLens ratings.csv and links.csv")
    wanted = set(columns)
    frame = read_csv(path, "a MovieLens CSV", hint, usecols=lambda column: column in wanted)
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise UsageError(f"{path}: missing column(s) {missing}; is it a MovieLens file?")
    return frame.assign(**{c: numbers(frame[c], path, c, KINDS.get(c, "real")) for c in columns})


def read_links(path: str | Path) -> pd.DataFrame:
    """links.csv's movieId → tmdbId (int64), without the movies MovieLens links to no TMDB
    entry."""
    linked = _read(path, ("movieId", "tmdbId"), LINKS_HINT).dropna(subset=["tmdbId"])
    return linked.astype({"tmdbId": "int64"})


def load_movielens(
    ratings: str | Path,
    links: str | Path,
    catalog_ids: Iterable[int],
    like_at: float = LIKE_AT,
    dislike_below: float = DISLIKE_BELOW,
) -> Interactions:
    """Ratings ≥ `like_at` are likes, below `dislike_below` dislikes, those in between `neutral`
    (seen: `import-ratings` stores the same films as seen), unless the user also liked or
    disliked the film (two MovieLens movies can link to one TMDB film); movies outside the
    catalog (or without a TMDB link) are counted in `unknown_movies` and left out."""
    rated = _read(ratings, ("userId", "movieId", "rating"), RATINGS_HINT)
    linked = read_links(links)
    merged = rated.merge(linked[["movieId", "tmdbId"]], on="movieId", how="left")
    known = merged["tmdbId"].isin(set(int(i) for i in catalog_ids))
    unknown = int(merged.loc[~known, "movieId"].nunique())
    merged = merged[known].astype({"tmdbId": "int64", "userId": "int64"})
    merged = merged.sort_values(["userId", "tmdbId"], kind="stable")
    likes = _by_user(merged[merged["rating"] >= like_at])
    dislikes = _by_user(merged[merged["rating"] < dislike_below])
    between = (merged["rating"] < like_at) & (merged["rating"] >= dislike_below)
    pairs = pd.MultiIndex.from_frame(merged[["userId", "tmdbId"]])
    opinion = pairs.isin(pairs[~between])  # the user liked or disliked the film too
    return Interactions(likes, dislikes, unknown, neutral=_by_user(merged[between & ~opinion]))


def _by_user(frame: pd.DataFrame) -> dict[int, list[int]]:
    return {
        int(user): sorted(set(group["tmdbId"].tolist()))
        for user, group in frame.groupby("userId", sort=True)
    }


@dataclass(frozen=True)
class RatingActions:
    """What an import of ratings writes, as arrays in write order (user by user, likes then
    dislikes then seen films, films ascending): MovieLens user ids, TMDB ids, action codes
    (0 like, 1 dislike, 3 seen: `movierec.store.ACTIONS`); and what was left out."""

    users: np.ndarray
    movies: np.ndarray
    actions: np.ndarray
    unknown_movies: int
    conflicts: int
    n_users: int  # users with a rating of a catalog film (those left out by conflicts too)


def rating_actions(
    ratings: str | Path,
    links: str | Path,
    catalog_ids: Iterable[int],
    like_at: float = LIKE_AT,
    dislike_below: float = DISLIKE_BELOW,
) -> RatingActions:
    """`load_movielens` as arrays, for millions of ratings: per (user, film) a like, a dislike,
    or for a film rated only in between "seen" (its `neutral`: watched, never recommended, no
    taste; a re-import with other thresholds moves each rated film to where it now belongs); a
    film both liked and disliked by one user (two MovieLens films linked to one TMDB id) is a
    conflict and left out."""
    columns = ("userId", "movieId", "rating")
    rated = _read(ratings, columns, RATINGS_HINT)[list(columns)]
    linked = read_links(links)
    tmdb = rated["movieId"].map(linked.drop_duplicates("movieId").set_index("movieId")["tmdbId"])
    known = tmdb.isin(set(int(i) for i in catalog_ids)).to_numpy()
    unknown = int(rated.loc[~known, "movieId"].nunique())
    users = rated["userId"].to_numpy()[known].astype(np.int64)
    movies = tmdb.to_numpy()[known].astype(np.int64)
    rating = rated["rating"].to_numpy()[known]
    bits = np.select(
        [rating >= like_at, rating < dislike_below, rating >= dislike_below], [1, 2, 4]
    )
    return _grouped(users, movies, bits, unknown)


def _grouped(
    users: np.ndarray, movies: np.ndarray, bits: np.ndarray, unknown: int
) -> RatingActions:
    """One action per (user, film) from the OR of its ratings' bits (1 like, 2 dislike,
    4 in between), in write order."""
    rows = bits > 0
    users, movies, bits = users[rows], movies[rows], bits[rows]
    n_users = len(np.unique(users))
    order = np.lexsort((movies, users))
    users, movies, bits = users[order], movies[order], bits[order]
    start = np.flatnonzero(np.r_[True, (users[1:] != users[:-1]) | (movies[1:] != movies[:-1])])
    merged = np.bitwise_or.reduceat(bits, start) if len(start) else bits[:0]
    users, movies = users[start], movies[start]
    action = np.select([merged & 3 == 1, merged & 3 == 2, merged == 4], [LIKE, DISLIKE, SEEN], -1)
    conflicts = int((merged & 3 == 3).sum())
    write = np.lexsort((movies, action, users))
    write = write[action[write] >= 0]
    return RatingActions(
        users[write], movies[write], action[write].astype(np.int8), unknown, conflicts, n_users
    )
