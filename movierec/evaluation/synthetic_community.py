"""A seeded synthetic community shaped like MovieLens, for measuring the community at scale.

Films have a power-law popularity (Zipf exponent `popularity_exponent` over a shuffled rank) and
belong to one main and one side taste (of `n_tastes`). Users have a heavy-tailed number of likes
(log-normal, at least `min_likes`, like MovieLens' 20-ratings minimum) and a sparse mixture of
tastes (Dirichlet). Each like picks a taste from the user's mixture, then a film of that taste by
popularity (a share `noise` picks from all films by popularity), so a model has structure to find.

Generation is vectorised in chunks of users: 20M likes in about a minute, memory bounded by the
output arrays. `write_movielens` writes `ratings.csv` + `links.csv` (+ a minimal catalog), the
files `movierec import-ratings` reads; film `movieId` j has TMDB id `TMDB_OFFSET + j`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from movierec.errors import UsageError

TMDB_OFFSET = 1_000_000
CHUNK_USERS = 20_000
OVERSAMPLE = 1.5  # draws per wanted like (plus EXTRA_DRAWS): duplicates are dropped
EXTRA_DRAWS = 8


@dataclass(frozen=True)
class SyntheticCommunity:
    """Likes as parallel arrays (user index, film index, both 0-based), sorted by user."""

    users: np.ndarray
    films: np.ndarray
    n_users: int
    n_films: int

    @property
    def n_likes(self) -> int:
        return len(self.users)

    @property
    def tmdb_ids(self) -> np.ndarray:
        """The catalog id of each film index."""
        return TMDB_OFFSET + np.arange(1, self.n_films + 1, dtype=np.int64)


def generate(
    n_users: int,
    n_films: int,
    n_likes: int,
    seed: int = 0,
    n_tastes: int = 48,
    min_likes: int = 10,
    popularity_exponent: float = 0.9,
    noise: float = 0.1,
) -> SyntheticCommunity:
    """About `n_likes` likes (a little fewer after duplicates) of `n_users` users on `n_films`."""
    _check(n_users, n_films, n_likes, min_likes)
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_films + 1) ** popularity_exponent
    popularity = popularity[rng.permutation(n_films)]  # film index is not popularity rank
    main, side = rng.integers(0, n_tastes, n_films), rng.integers(0, n_tastes, n_films)
    taste_cdfs = [_cdf(popularity * ((main == t) + 0.3 * (side == t))) for t in range(n_tastes)]
    all_cdf = _cdf(popularity)
    activity = _activity(rng, n_users, n_films, n_likes, min_likes)
    users_out, films_out = [], []
    for start in range(0, n_users, CHUNK_USERS):
        counts = activity[start : start + CHUNK_USERS]
        mixture = rng.dirichlet(np.full(n_tastes, 0.15), size=len(counts))
        draws = np.ceil(counts * OVERSAMPLE).astype(np.int64) + EXTRA_DRAWS
        user = np.repeat(np.arange(len(counts)), draws)
        taste = _pick_rows(rng, np.cumsum(mixture, axis=1), user)
        film = np.empty(len(user), dtype=np.int64)
        for t in range(n_tastes):
            at = np.flatnonzero(taste == t)
            film[at] = np.searchsorted(taste_cdfs[t], rng.random(len(at)), side="right")
        noisy = rng.random(len(user)) < noise
        film[noisy] = np.searchsorted(all_cdf, rng.random(int(noisy.sum())), side="right")
        user, film = _first_likes(user, np.minimum(film, n_films - 1), counts, n_films)
        users_out.append((user + start).astype(np.int32))
        films_out.append(film.astype(np.int32))
    users, films = np.concatenate(users_out), np.concatenate(films_out)
    return SyntheticCommunity(users, films, n_users, n_films)


def _check(n_users: int, n_films: int, n_likes: int, min_likes: int) -> None:
    if min(n_users, n_films, min_likes) < 1:
        raise UsageError("synthetic community: users, films and min_likes must be at least 1")
    if n_likes < n_users * min_likes:
        raise UsageError(
            f"synthetic community: {n_likes:,} likes is fewer than {n_users:,} users × "
            f"{min_likes} likes each"
        )
    if min_likes > n_films // 2:
        raise UsageError(
            f"synthetic community: min_likes {min_likes} is above half of {n_films} films"
        )


def _cdf(weights: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(weights, dtype=np.float64)
    return cdf / cdf[-1]


def _activity(
    rng: np.random.Generator, n_users: int, n_films: int, n_likes: int, min_likes: int
) -> np.ndarray:
    """Likes per user: min_likes + log-normal (sigma 1.2, MovieLens-like), scaled to the total."""
    extra = rng.lognormal(0.0, 1.2, n_users)
    extra *= (n_likes - n_users * min_likes) / extra.sum()
    return np.minimum(min_likes + np.round(extra).astype(np.int64), n_films // 2)


def _pick_rows(rng: np.random.Generator, cumulative: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each entry of `rows`, a column drawn from that row's cumulative distribution."""
    width = cumulative.shape[1]
    flat = (cumulative / cumulative[:, -1:] + np.arange(len(cumulative))[:, None]).ravel()
    column = np.searchsorted(flat, rows + rng.random(len(rows)), side="right") - rows * width
    return np.clip(column, 0, width - 1)


def _first_likes(
    user: np.ndarray, film: np.ndarray, counts: np.ndarray, n_films: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (user, film) pairs in draw order, at most counts[user] per user, sorted."""
    _, first = np.unique(user * n_films + film, return_index=True)
    first.sort()
    user, film = user[first], film[first]
    rank = np.arange(len(user)) - np.searchsorted(user, user)
    keep = rank < counts[user]
    order = np.lexsort((film[keep], user[keep]))
    return user[keep][order], film[keep][order]


def write_movielens(community: SyntheticCommunity, folder: str | Path, seed: int = 0) -> Path:
    """`ratings.csv` (likes rated 4.0–5.0), `links.csv` and `catalog.csv` in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 1)
    ratings = folder / "ratings.csv"
    temporary = ratings.with_suffix(".csv.tmp")
    step = 2_000_000
    with temporary.open("w") as out:
        out.write("userId,movieId,rating,timestamp\n")
        for start in range(0, community.n_likes, step):
            part = slice(start, start + step)
            frame = pd.DataFrame(
                {
                    "userId": community.users[part] + 1,
                    "movieId": community.films[part] + 1,
                    "rating": rng.choice([4.0, 4.5, 5.0], len(community.users[part])),
                    "timestamp": 1_600_000_000 + start + np.arange(len(community.users[part])),
                }
            )
            frame.to_csv(out, header=False, index=False)
    temporary.replace(ratings)
    movie_ids = np.arange(1, community.n_films + 1)
    pd.DataFrame({"movieId": movie_ids, "tmdbId": community.tmdb_ids}).to_csv(
        folder / "links.csv", index=False
    )
    pd.DataFrame(
        {"id": community.tmdb_ids, "title": [f"Film {i}" for i in movie_ids], "year": 2000}
    ).assign(overview="a synthetic film").to_csv(folder / "catalog.csv", index=False)
    return folder
