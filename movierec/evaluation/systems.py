"""What gets evaluated: the engine (with optional setting overrides) and the baselines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

import numpy as np

from movierec.recommender import Recommender


class System(Protocol):
    """Anything that ranks catalog ids for a profile and for a film."""

    name: str

    def recommend(
        self, liked: Sequence[int], disliked: Sequence[int], k: int, seen: Sequence[int] = ()
    ) -> list[int]:
        """The top `k` films for a profile; none of its liked, disliked or seen films."""
        ...

    def similar(self, movie: int, k: int) -> list[int]: ...

    def search(self, text: str, k: int) -> list[int]: ...


@dataclass
class Engine:
    """The `Recommender` façade, content only, with per-call setting overrides."""

    recommender: Recommender
    name: str = "engine"
    overrides: dict[str, Any] = field(default_factory=dict)

    def recommend(
        self, liked: Sequence[int], disliked: Sequence[int], k: int, seen: Sequence[int] = ()
    ) -> list[int]:
        hits = self.recommender.recommend(liked, disliked, k=k, seen=seen, **self.overrides)
        return [h.id for h in hits]

    def similar(self, movie: int, k: int) -> list[int]:
        return [h.id for h in self.recommender.similar(id=movie, k=k, **self.overrides)]

    def search(self, text: str, k: int) -> list[int]:
        return [h.id for h in self.recommender.search(text, k=k, **self.overrides)]


def first_k(order: Iterable[int], exclude: set[int], k: int) -> list[int]:
    """The first `k` ids of `order` that are not in `exclude`."""
    return list(islice((int(i) for i in order if int(i) not in exclude), k))


class _Ranked:
    """A fixed order of the catalog, minus the films a query must not return."""

    name = "ranked"

    def __init__(self, order: Sequence[int]):
        self.order = [int(i) for i in order]

    def _top(self, exclude: set[int], k: int) -> list[int]:
        return first_k(self.order, exclude, k)

    def recommend(
        self, liked: Sequence[int], disliked: Sequence[int], k: int, seen: Sequence[int] = ()
    ) -> list[int]:
        return self._top({*liked, *disliked, *seen}, k)

    def similar(self, movie: int, k: int) -> list[int]:
        return self._top({movie}, k)

    def search(self, text: str, k: int) -> list[int]:
        return self._top(set(), k)


class Popularity(_Ranked):
    """Most voted films first (TMDB vote count), the same list for everyone."""

    name = "popularity"

    def __init__(self, ids: Sequence[int], vote_counts: Sequence[float]):
        order = np.lexsort((np.asarray(ids), -np.asarray(vote_counts, dtype=np.float64)))
        super().__init__(np.asarray(ids)[order])


class Random:
    """Uniformly random films (seeded, so a run is reproducible)."""

    name = "random"

    def __init__(self, ids: Sequence[int], seed: int = 0):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.rng = np.random.default_rng(seed)

    def _draw(self, exclude: set[int], k: int) -> list[int]:
        picked: list[int] = []
        for movie in self.rng.permutation(self.ids)[: k + len(exclude)].tolist():
            if movie not in exclude and len(picked) < k:
                picked.append(movie)
        return picked

    def recommend(
        self, liked: Sequence[int], disliked: Sequence[int], k: int, seen: Sequence[int] = ()
    ) -> list[int]:
        return self._draw({*liked, *disliked, *seen}, k)

    def similar(self, movie: int, k: int) -> list[int]:
        return self._draw({movie}, k)

    def search(self, text: str, k: int) -> list[int]:
        return self._draw(set(), k)


def baselines(recommender: Recommender, seed: int = 0) -> list[System]:
    """Random and popularity over the recommender's catalog."""
    catalog = recommender.bundle.catalog
    ids = catalog["id"].to_numpy()
    return [Random(ids, seed), Popularity(ids, catalog["vote_count"].to_numpy())]
