"""The community model as an evaluated system, and the user split it is trained and tested on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from movierec.community import DISLIKE_WEIGHT, CommunityModel
from movierec.evaluation.systems import first_k
from movierec.movielens import Interactions


def split_users(
    data: Interactions, test_share: float = 0.5, seed: int = 0
) -> tuple[Interactions, Interactions]:
    """A seeded split of the users into a training community and test users; each user keeps
    their likes and dislikes on their side."""
    if not 0.0 <= test_share <= 1.0:
        raise ValueError(f"test_share must be between 0 and 1, got {test_share}")
    users = np.array(sorted(set(data.likes) | set(data.dislikes)), dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(users))
    test = set(users[order[: round(test_share * len(users))]].tolist())

    def side(keep: bool) -> Interactions:
        return Interactions(
            likes={u: list(m) for u, m in data.likes.items() if (u in test) == keep},
            dislikes={u: list(m) for u, m in data.dislikes.items() if (u in test) == keep},
            unknown_movies=data.unknown_movies,
            neutral={u: list(m) for u, m in data.neutral.items() if (u in test) == keep},
        )

    return side(False), side(True)


@dataclass
class Community:
    """A `System` over a CommunityModel: ties go to the more liked film, then the lower id."""

    model: CommunityModel
    name: str = "community"
    dislike_weight: float = DISLIKE_WEIGHT

    def _top(self, scores: np.ndarray, exclude: set[int], k: int) -> list[int]:
        ids = self.model.ids
        return first_k(ids[np.lexsort((ids, -self.model.counts, -scores))], exclude, k)

    def recommend(
        self, liked: Sequence[int], disliked: Sequence[int], k: int, seen: Sequence[int] = ()
    ) -> list[int]:
        scores = self.model.score(liked, disliked, dislike_weight=self.dislike_weight)
        return self._top(scores, {int(i) for i in (*liked, *disliked, *seen)}, k)

    def similar(self, movie: int, k: int) -> list[int]:
        return self._top(self.model.similar(movie), {int(movie)}, k)

    def search(self, text: str, k: int) -> list[int]:
        """Collaborative filtering reads no text: the most liked films."""
        return self._top(np.zeros(self.model.n_items), set(), k)
