"""Watch together: films for a group, ranked so that the least happy member is as happy as possible.

Each member's own recommendations (`Recommender.recommend`, content + prior + community, with
every member's rated films excluded) give a pool of candidates. A member's satisfaction with a
film comes from its place in that member's list: c / (rank + c) ("rank", rank 0 = their best
pick; reciprocal rank as in RRF), or its score min-max scaled over the list ("score"); a film
missing from their list is 0 for them. An aggregation turns the members × films matrix into one
order. The default, min + mean, was measured against pure least misery, a greedy fair round, the
mean, a merged profile and alternating lists: docs/evaluation.md ("Watch together").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from movierec.errors import UsageError
from movierec.hits import Hit
from movierec.scoring import min_max

if TYPE_CHECKING:
    from movierec.filters import Filters
    from movierec.recommender import Recommender

POOL = 100  # films fetched per member before aggregating
RANK_C = 2.0  # c of the "rank" satisfaction c / (rank + c): the third film is half as good
MEAN_WEIGHT = 1.0  # λ of "min_mean": min + λ · mean
SCALES = ("rank", "score")


@dataclass(frozen=True)
class Member:
    """One person of the group: a name for the explanations, and their rated films."""

    name: str
    liked: tuple[int, ...] = ()
    disliked: tuple[int, ...] = ()


@dataclass
class MemberPart:
    """What one film is for one member: satisfaction in [0, 1], and their own hit, if any."""

    member: str
    score: float
    hit: Hit | None = None

    def reason(self, markdown: bool = False) -> str:
        """Why it suits this member: the liked films it resembles, or their community."""
        if self.hit is None:
            return "a pick for the others"
        title = (lambda t: f"*{t}*") if markdown else str
        liked = [title(b["title"]) for b in self.hit.because[:1]]
        if liked:
            return f"because you liked {liked[0]}"
        if self.hit.community_score:
            return self.hit.community_reason()
        return f"meaning similarity {(self.hit.vector_score or 0.0):.2f}"

    def to_dict(self) -> dict[str, Any]:
        return {"member": self.member, "score": round(self.score, 4), "reason": self.reason()}


@dataclass
class GroupHit:
    """One film for the group: the aggregated score and one part per member."""

    id: int
    title: str
    year: int | None
    score: float
    genres: list[str] = field(default_factory=list)
    parts: list[MemberPart] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with rounded scores and each member's part."""
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "score": round(float(self.score), 4),
            "genres": self.genres,
            "parts": [part.to_dict() for part in self.parts],
        }

    def explain(self, markdown: bool = False) -> str:
        """ "Alex: because you liked Heat · Sam: liked by people with your taste (0.80)"."""
        name = (lambda n: f"**{n}**") if markdown else str
        return " · ".join(f"{name(p.member)}: {p.reason(markdown)}" for p in self.parts)


# -- aggregations: (members × films satisfaction, k) → column order ---------------------------


def least_misery(matrix: np.ndarray, k: int) -> np.ndarray:
    """Films by their least happy member's satisfaction; ties by the mean."""
    return _by(matrix.min(axis=0), matrix.mean(axis=0), k)


def min_mean(matrix: np.ndarray, k: int, weight: float = MEAN_WEIGHT) -> np.ndarray:
    """Films by min + weight · mean: least misery that still counts the others' joy."""
    return _by(matrix.min(axis=0) + weight * matrix.mean(axis=0), matrix.mean(axis=0), k)


def average(matrix: np.ndarray, k: int) -> np.ndarray:
    """Films by mean satisfaction (utilitarian; can leave one member out)."""
    return _by(matrix.mean(axis=0), matrix.min(axis=0), k)


def greedy(matrix: np.ndarray, k: int) -> np.ndarray:
    """Pick one film at a time, maximizing the least served member's total satisfaction so
    far (ties by the film's mean): a list fair as a whole, not only film by film."""
    served = np.zeros(matrix.shape[0])
    free = np.ones(matrix.shape[1], dtype=bool)
    chosen: list[int] = []
    for _ in range(min(k, matrix.shape[1])):
        totals = (served[:, None] + matrix).min(axis=0)
        best = _by(np.where(free, totals, -np.inf), matrix.mean(axis=0), 1)[0]
        chosen.append(int(best))
        served += matrix[:, best]
        free[best] = False
    return np.array(chosen, dtype=np.int64)


def _by(primary: np.ndarray, tie: np.ndarray, k: int) -> np.ndarray:
    order = np.lexsort((-tie, -primary))
    return order[np.isfinite(primary[order])][:k]


AGGREGATIONS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "least_misery": least_misery,
    "min_mean": min_mean,
    "greedy": greedy,
    "average": average,
}
DEFAULT = "min_mean"


def satisfaction(
    lists: Sequence[Sequence[Hit]], scale: str = "rank"
) -> tuple[np.ndarray, np.ndarray]:
    """(pool ids, members × pool matrix in [0, 1]): by place in each member's own list, or by
    score min-max scaled over it (see the module docstring); 0 where a film is not listed."""
    if scale not in SCALES:
        raise UsageError(f"unknown satisfaction scale {scale!r}; use one of {', '.join(SCALES)}")
    pool = np.array(sorted({h.id for hits in lists for h in hits}), dtype=np.int64)
    column = {int(i): j for j, i in enumerate(pool)}
    matrix = np.zeros((len(lists), len(pool)))
    for m, hits in enumerate(lists):
        if not hits:
            continue
        if scale == "rank":
            values = RANK_C / (np.arange(len(hits)) + RANK_C)
        else:
            values = min_max(np.array([h.score for h in hits], dtype=np.float64))
        for hit, value in zip(hits, values, strict=True):
            matrix[m, column[hit.id]] = value
    return pool, matrix


def check_members(members: Sequence[Member]) -> list[Member]:
    """At least two members, each named once and with at least one rated film."""
    members = list(members)
    if len(members) < 2:
        raise UsageError(f"watching together needs at least two members, got {len(members)}")
    names = [m.name for m in members]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"name each member once; repeated: {', '.join(repeated)}")
    for member in members:
        if not member.liked and not member.disliked:
            raise UsageError(
                f"{member.name}'s profile is empty; like at least one film for them first"
            )
    return members


def recommend_together(
    recommender: Recommender,
    members: Sequence[Member],
    k: int = 10,
    filters: Filters | None = None,
    exclude: Sequence[int] = (),
    how: str = DEFAULT,
    scale: str = "rank",
    pool: int = POOL,
    **overrides: Any,
) -> list[GroupHit]:
    """The group's top k: never a film any member rated (nor `exclude`), ordered by aggregation
    `how` over each member's `pool` best films, satisfaction by `scale`."""
    members = check_members(members)
    if how not in AGGREGATIONS:
        raise UsageError(f"unknown aggregation {how!r}; use one of {', '.join(AGGREGATIONS)}")
    if k < 1:
        raise UsageError(f"k must be at least 1, got {k}")
    rated = {i for m in members for i in (*m.liked, *m.disliked)} | set(exclude)
    lists = [
        recommender.recommend(
            m.liked, m.disliked, k=max(pool, k), filters=filters, exclude=rated, **overrides
        )
        for m in members
    ]
    ids, matrix = satisfaction(lists, scale)
    order = AGGREGATIONS[how](matrix, k)
    by_id = [{h.id: h for h in hits} for hits in lists]
    return [_group_hit(int(ids[j]), members, matrix[:, j], by_id) for j in order.tolist()]


def _group_hit(
    movie_id: int, members: Sequence[Member], column: np.ndarray, by_id: Sequence[dict[int, Hit]]
) -> GroupHit:
    """The film's group hit; its score is the least happy member's satisfaction."""
    parts = [
        MemberPart(m.name, float(column[i]), by_id[i].get(movie_id)) for i, m in enumerate(members)
    ]
    film = next(part.hit for part in parts if part.hit is not None)
    return GroupHit(film.id, film.title, film.year, float(column.min()), list(film.genres), parts)


MEMBER_KEYS = ("name", "liked", "disliked")


def members_from_json(value: Any) -> list[Member]:
    """Members of a JSON request: a list of {"liked": [ids], "disliked": [ids], "name": str}
    objects (name optional: "member 1", "member 2", …)."""
    if not isinstance(value, list):
        raise UsageError(
            '"members" must be a list such as [{"liked": [155]}, {"liked": [862], '
            '"disliked": [8587]}]'
        )
    return [_member(item, number) for number, item in enumerate(value, start=1)]


def _member(item: Any, number: int) -> Member:
    if not isinstance(item, dict):
        raise UsageError(f"member {number} must be an object with liked/disliked id lists")
    unknown = sorted(set(item) - set(MEMBER_KEYS))
    if unknown:
        raise UsageError(f"member {number}: unknown key(s) {unknown}; use {list(MEMBER_KEYS)}")
    name = item.get("name", f"member {number}")
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"member {number}: name must be non-empty text, got {name!r}")
    lists = []
    for key in ("liked", "disliked"):
        ids = item.get(key, [])
        if not isinstance(ids, list) or not all(_is_id(i) for i in ids):
            raise UsageError(f"member {number}: {key} must be a list of film ids, got {ids!r}")
        lists.append(tuple(ids))
    return Member(name.strip(), *lists)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
