"""The profile export format (`movierec-profile`, version 1): writing it, and checking an
import completely before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from movierec.store.base import StoreError
from movierec.store.events import Profile, check_movie_id, check_user, encode_context

EXPORT_FORMAT = "movierec-profile"
EXPORT_VERSION = 1


def export_data(profile: Profile) -> dict[str, Any]:
    """`profile` as a JSON-ready dict that `read_import` accepts."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user": profile.user,
        "liked": list(profile.liked),
        "disliked": list(profile.disliked),
    }


@dataclass(frozen=True)
class ProfileImport:
    """A checked import: who gets it, the films, and the context its events carry."""

    user: str
    liked: list[int]
    disliked: list[int]
    context: str | None  # encoded; names the exporting user when it is somebody else

    def rows(self, current: Profile | None = None) -> list[tuple[str, int, str]]:
        """The (user, movie id, action) events to append; given the `current` profile (to
        replace it), first the removals of its films that the import lacks."""
        rows: list[tuple[str, int, str]] = []
        if current is not None:
            wanted = set(self.liked) | set(self.disliked)
            rows += [
                (self.user, movie, "remove")
                for movie in current.liked + current.disliked
                if movie not in wanted
            ]
        rows += [(self.user, movie, "like") for movie in self.liked]
        rows += [(self.user, movie, "dislike") for movie in self.disliked]
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
    both = sorted(set(liked) & set(disliked))
    if both:
        raise StoreError(
            f"profile import: ids {both} are in both 'liked' and 'disliked'; keep each once"
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
    return ProfileImport(name, liked, disliked, context)


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
        raise StoreError(f"profile import: 'version' {version} is invalid; expected 1")


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
