"""The members of a group: from saved profiles (CLI, app) or from a JSON request (batch),
checked the same way for every entry point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from movierec.checks import check_text, film_ids, is_blank
from movierec.errors import UsageError

if TYPE_CHECKING:
    from movierec.movies import MovieTable
    from movierec.store import ProfileStore


@dataclass(frozen=True)
class Member:
    """One person of the group: a name for the explanations, their rated films, and the films
    they have seen without rating them (never recommended to the group, no taste)."""

    name: str
    liked: tuple[int, ...] = ()
    disliked: tuple[int, ...] = ()
    seen: tuple[int, ...] = ()


def check_members(members: Sequence[Member]) -> list[Member]:
    """At least two members (Member objects with a text name and lists of film ids), each named
    once and with at least one rated film."""
    if isinstance(members, (str, bytes, dict)) or not isinstance(members, Iterable):
        raise UsageError(
            f"members must be a list of Member objects such as [Member('alex', liked=(862,)), "
            f"Member('sam', liked=(949,))], got {members!r}"
        )
    members = [_checked(member, number) for number, member in enumerate(members, start=1)]
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


def members_from_store(
    store: ProfileStore, movies: MovieTable, names: Sequence[str]
) -> list[Member]:
    """One member per saved profile (liked, disliked and seen), with the films of this catalog;
    a name the store has never seen fails with the names it knows."""
    known_users = set(store.users())
    unknown = [name for name in names if name not in known_users]
    if unknown:
        saved = ", ".join(sorted(known_users)) or "none yet"
        named = " or ".join(map(repr, unknown))
        raise UsageError(
            f"no saved profile named {named} (saved: {saved}); create one with "
            f"`movierec profile {unknown[0]} --like TITLE`"
        )
    members = []
    for name in names:
        profile = store.profile(name)
        liked, disliked, seen = (
            tuple(i for i in ids if i in movies.row_of)
            for ids in (profile.liked, profile.disliked, profile.seen)
        )
        members.append(Member(name, liked, disliked, seen))
    return members


def _checked(member: object, number: int) -> Member:
    """`member` with its id lists as tuples of ints; UsageError naming what is wrong (among it,
    a seen film that is also liked or disliked)."""
    if not isinstance(member, Member):
        raise UsageError(
            f"member {number} must be a Member such as Member('alex', liked=(862,)), got "
            f"{member!r} (members_from_json reads JSON-style dicts)"
        )
    name = check_text(f"member {number}'s name", member.name)
    if name is None or is_blank(name):
        raise UsageError(f"member {number}: name must be non-empty text, got {member.name!r}")
    liked = film_ids(f"{name}'s liked", member.liked)
    disliked = film_ids(f"{name}'s disliked", member.disliked)
    seen = film_ids(f"{name}'s seen", member.seen)
    for key, ids in (("liked", liked), ("disliked", disliked)):
        both = sorted(set(ids) & set(seen))
        if both:
            raise UsageError(
                f"{name}: film ids {both} are both {key} and seen; keep each film in one list"
            )
    return Member(name, tuple(liked), tuple(disliked), tuple(seen))


MEMBER_KEYS = ("name", "liked", "disliked", "seen")


def members_from_json(value: Any) -> list[Member]:
    """Members of a JSON request: a list of {"liked": [ids], "disliked": [ids], "seen": [ids],
    "name": str} objects (seen optional; name optional: "member 1", "member 2", …)."""
    if not isinstance(value, list):
        raise UsageError(
            '"members" must be a list such as [{"liked": [155]}, {"liked": [862], '
            '"disliked": [8587]}]'
        )
    return [_member(item, number) for number, item in enumerate(value, start=1)]


def _member(item: Any, number: int) -> Member:
    if not isinstance(item, dict):
        raise UsageError(f"member {number} must be an object with liked/disliked/seen id lists")
    unknown = sorted(set(item) - set(MEMBER_KEYS))
    if unknown:
        raise UsageError(f"member {number}: unknown key(s) {unknown}; use {list(MEMBER_KEYS)}")
    name = item.get("name", f"member {number}")
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"member {number}: name must be non-empty text, got {name!r}")
    lists = []
    for key in ("liked", "disliked", "seen"):
        ids = item.get(key, [])
        if not isinstance(ids, list) or not all(_is_id(i) for i in ids):
            raise UsageError(f"member {number}: {key} must be a list of film ids, got {ids!r}")
        lists.append(tuple(ids))
    return Member(name.strip(), *lists)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
