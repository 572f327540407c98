"""Watch together: films for a group, ranked so that the least happy member is as happy as possible.

Each member's own recommendations (`Recommender.recommend`, content + prior + community, with
every member's rated and seen films excluded) give a pool of candidates. A member's satisfaction
with a film comes from its place in that member's list: c / (rank + c) ("rank", rank 0 = their
best pick; reciprocal rank as in RRF), or its score min-max scaled over the list ("score"); a
film missing from their list is 0 for them. An aggregation turns the members × films matrix into one
order. The default, min + 2 · mean of rank satisfaction, was measured against pure least misery,
a greedy fair round, the mean, score satisfaction, a merged profile and alternating lists:
docs/evaluation.md ("Watch together").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from movierec.checks import check_k, film_ids
from movierec.errors import UsageError
from movierec.hits import Hit
from movierec.together.aggregate import (
    AGGREGATIONS,
    DEFAULT,
    SCALES,
    average,
    greedy,
    least_misery,
    min_mean,
    satisfaction,
)
from movierec.together.members import (
    Member,
    check_members,
    members_from_json,
    members_from_store,
)

if TYPE_CHECKING:
    from movierec.filters import Filters
    from movierec.recommender import Recommender

__all__ = [
    "AGGREGATIONS",
    "DEFAULT",
    "POOL",
    "SCALES",
    "GroupHit",
    "Member",
    "MemberPart",
    "average",
    "check_members",
    "greedy",
    "least_misery",
    "member_lists",
    "members_from_json",
    "members_from_store",
    "min_mean",
    "rank_group",
    "recommend_together",
    "satisfaction",
]

POOL = 100  # films fetched per member before aggregating
COMMUNITY_SHOWN = 0.5  # a member's community score worth naming beside the liked film


@dataclass
class MemberPart:
    """What one film is for one member: satisfaction in [0, 1], and their own hit, if any."""

    member: str
    score: float
    hit: Hit | None = None

    def reason(self, markdown: bool = False, others: Sequence[str] = ()) -> str:
        """Why it suits this member: the liked film it resembles most, and their community
        when it speaks up; a film outside their own list is "a pick for" the `others`."""
        if self.hit is None:
            return f"a pick for {' and '.join(others) or 'the others'}"
        hit, reasons = self.hit, []
        if hit.because:
            title = hit.because[0]["title"]
            reasons.append(f"because you liked {f'*{title}*' if markdown else title}")
        if (hit.community_score or 0.0) >= COMMUNITY_SHOWN or (hit.community_score and not reasons):
            reasons.append(hit.community_reason())
        return ", and ".join(reasons) or f"meaning similarity {(hit.vector_score or 0.0):.2f}"


@dataclass
class GroupHit:
    """One film for the group: its score (the least happy member's satisfaction) and one part
    per member."""

    id: int
    title: str
    year: int | None
    score: float
    genres: list[str] = field(default_factory=list)
    parts: list[MemberPart] = field(default_factory=list)

    def reasons(self, markdown: bool = False) -> list[str]:
        """One reason per member, in member order."""
        served = [p.member for p in self.parts if p.hit is not None]
        return [p.reason(markdown, [n for n in served if n != p.member]) for p in self.parts]

    def lines(self, markdown: bool = False) -> list[str]:
        """ "Alex: because you liked Heat", one per member (names in bold for Markdown)."""
        name = (lambda n: f"**{n}**") if markdown else str
        reasons = self.reasons(markdown)
        return [f"{name(p.member)}: {why}" for p, why in zip(self.parts, reasons, strict=True)]

    def explain(self, markdown: bool = False) -> str:
        """ "Alex: because you liked Heat · Sam: liked by people with your taste (0.80)"."""
        return " · ".join(self.lines(markdown))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with rounded scores and each member's part."""
        parts = [
            {"member": p.member, "score": round(p.score, 4), "reason": why}
            for p, why in zip(self.parts, self.reasons(), strict=True)
        ]
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "score": round(float(self.score), 4),
            "genres": self.genres,
            "parts": parts,
        }


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
    """The group's top k: never a film any member rated or has seen (nor `exclude`), ordered by
    aggregation `how` over each member's `pool` best films, satisfaction by `scale`."""
    members = check_members(members)
    check_k(k)
    check_k(pool, "pool")
    exclude = film_ids("exclude", exclude)
    lists = member_lists(recommender, members, max(pool, k), filters, exclude, **overrides)
    return rank_group(members, lists, k, how, scale)


def member_lists(
    recommender: Recommender,
    members: Sequence[Member],
    pool: int = POOL,
    filters: Filters | None = None,
    exclude: Sequence[int] = (),
    **overrides: Any,
) -> list[list[Hit]]:
    """Each member's own `pool` best films, without any film a member rated or has seen (nor
    `exclude`)."""
    rated = {i for m in members for i in (*m.liked, *m.disliked, *m.seen)} | set(exclude)
    return [
        recommender.recommend(
            m.liked, m.disliked, k=pool, filters=filters, exclude=rated, **overrides
        )
        for m in members
    ]


def rank_group(
    members: Sequence[Member],
    lists: Sequence[Sequence[Hit]],
    k: int,
    how: str = DEFAULT,
    scale: str = "rank",
) -> list[GroupHit]:
    """The top k of the members' own lists under aggregation `how`, one part per member."""
    if how not in AGGREGATIONS:
        raise UsageError(f"unknown aggregation {how!r}; use one of {', '.join(AGGREGATIONS)}")
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
