"""The profile export format (`movierec-profile`, version 2: version 1 and "seen"): writing it,
and checking an import completely before anything is written. Version 1 files (no "seen")
still import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from movierec.store.base import StoreError
from movierec.store.events import Profile, check_movie_id, check_user, encode_context

EXPORT_FORMAT = "movierec-profile"
EXPORT_VERSION = 2
LISTS = ("liked", "disliked", "seen")  # a profile's film lists; "seen" is optional on import


def export_data(profile: Profile) -> dict[str, Any]:
    """`profile` as a JSON-ready dict that `read_import` accepts."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user": profile.user,
        "liked": list(profile.liked),
        "disliked": list(profile.disliked),
        "seen": list(profile.seen),
    }


@dataclass(frozen=True)
class ProfileImport:
    """A checked import: who gets it, the films, and the context its events carry."""

    user: str
    liked: list[int]
    disliked: list[int]
    context: str | None  # encoded; names the exporting user when it is somebody else
    seen: list[int] = field(default_factory=list)

    def rows(self, current: Profile | None = None) -> list[tuple[str, int, str]]:
        """The (user, movie id, action) events to append; given the `current` profile (to
        replace it), first the removals of its films that the import lacks."""
        rows: list[tuple[str, int, str]] = []
        if current is not None:
            wanted = {*self.liked, *self.disliked, *self.seen}
            rows += [(self.user, movie, "remove") for movie in current.films if movie not in wanted]
        rows += [(self.user, movie, "like") for movie in self.liked]
        rows += [(self.user, movie, "dislike") for movie in self.disliked]
        rows += [(self.user, movie, "seen") for movie in self.seen]
        return rows


def read_import(data: object, user: str | None = None) -> ProfileImport:
    """Check exported `data` for `user` (else the user it names); StoreError saying what is
    wrong otherwise."""
    if not isinstance(data, dict):
        raise StoreError(
            f"profile import: expected a JSON object, got {type(data).__name__}; "
            "use a file written by the profile export"
        )
    _check_header(data)
    liked = _id_list(data, "liked")
    disliked = _id_list(data, "disliked")
    seen = _id_list(data, "seen") if "seen" in data else []
    for first, second in (("liked", "disliked"), ("liked", "seen"), ("disliked", "seen")):
        lists = {"liked": liked, "disliked": disliked, "seen": seen}
        both = sorted(set(lists[first]) & set(lists[second]))
        if both:
            raise StoreError(
                f"profile import: ids {both} are in both {first!r} and {second!r}; "
                "keep each film in one list"
            )
    origin_user = data.get("user")
    if user is None:
        if origin_user is None:
            raise StoreError(
                "profile import: missing 'user' and no user given; pass the user to import into"
            )
        user = origin_user
    name = check_user(user)
    context = None
    if isinstance(origin_user, str) and origin_user.strip() != name:
        context = encode_context({"flow": "import", "from_user": origin_user.strip()})
    return ProfileImport(name, liked, disliked, context, seen)


def _check_header(data: dict[str, Any]) -> None:
    """StoreError unless `data` has this format and a version this movierec reads."""
    for key in ("format", "version"):
        if key not in data:
            raise StoreError(
                f"profile import: missing {key!r}; use a file written by the profile export"
            )
    if data.get("format") != EXPORT_FORMAT:
        raise StoreError(
            f"profile import: 'format' is {data.get('format')!r}, expected {EXPORT_FORMAT!r}; "
            "use a file written by the profile export"
        )
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise StoreError(f"profile import: 'version' is {version!r}, expected {EXPORT_VERSION}")
    if version > EXPORT_VERSION:
        raise StoreError(
            f"profile import: 'version' {version} is newer than this movierec understands "
            f"({EXPORT_VERSION}); upgrade movierec"
        )
    if version < 1:
        raise StoreError(
            f"profile import: 'version' {version} is invalid; expected 1 to {EXPORT_VERSION}"
        )


def _id_list(data: dict[str, Any], key: str) -> list[int]:
    if key not in data:
        raise StoreError(f"profile import: missing {key!r}; expected a list of TMDB ids")
    values = data[key]
    if not isinstance(values, list):
        raise StoreError(
            f"profile import: {key!r} is {type(values).__name__}, expected a list of TMDB ids"
        )
    ids: dict[int, None] = {}
    for position, value in enumerate(values):
        ids[check_movie_id(value, f"profile import: {key}[{position}] =")] = None
    return list(ids)
