"""The event log's records: the actions, `Event` and `Profile`, validation of what goes into an
event, and `derive_profiles`, the fold of events into profiles."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from movierec.store.base import StoreError

Action = Literal["like", "dislike", "remove", "seen"]
# The one list of actions, in this order: an action's code is its place (new ones go last).
ACTIONS: tuple[Action, ...] = get_args(Action)
PLACES: tuple[Action, ...] = ("like", "dislike", "seen")  # the actions that put a film somewhere
MAX_USER_LENGTH = 64
MAX_SOURCE_LENGTH = 32
COMMUNITY_SOURCE = "movielens"  # the source of ratings imports: their users are read-only here
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def actions_sql() -> str:
    """The actions as an SQL list: `'like', 'dislike', 'remove', 'seen'`."""
    return ", ".join(f"'{action}'" for action in ACTIONS)


def events_schema(seq: str, user: str, integer: str, real: str) -> tuple[str, ...]:
    """The tables and index both backends create, in one backend's column types."""
    return (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
        f"""CREATE TABLE IF NOT EXISTS events (
        seq {seq},
        {user} TEXT NOT NULL,
        movie_id {integer} NOT NULL,
        action TEXT NOT NULL CHECK (action IN ({actions_sql()})),
        source TEXT NOT NULL DEFAULT 'app',
        context TEXT,
        created_at {real} NOT NULL
    )""",
        f"CREATE INDEX IF NOT EXISTS events_user_seq ON events ({user}, seq)",
    )


def actions_text() -> str:
    """The actions for messages: `'like', 'dislike', 'remove' or 'seen'`."""
    quoted = [repr(action) for action in ACTIONS]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


@dataclass(frozen=True)
class Profile:
    """A user's current taste: film ids, oldest first by when they got there. `seen` films were
    watched but neither liked nor disliked: they are left out of recommendations and carry no
    taste."""

    user: str
    liked: list[int]
    disliked: list[int]
    seen: list[int] = field(default_factory=list)

    @property
    def films(self) -> list[int]:
        """Every film of the profile: liked, disliked, then seen."""
        return [*self.liked, *self.disliked, *self.seen]

    @classmethod
    def of_places(cls, user: str, places: dict[str, Iterable[int]]) -> Profile:
        """The profile whose films are `places[action]` for each action of PLACES."""
        return cls(user, *(list(places.get(action, ())) for action in PLACES))

    def place_of(self, movie_id: int) -> Action:
        """Where the film is: 'like', 'dislike' or 'seen', or 'remove' when it is in none."""
        lists = zip(PLACES, (self.liked, self.disliked, self.seen), strict=True)
        return next((action for action, films in lists if movie_id in films), "remove")


@dataclass(frozen=True)
class Event:
    """One entry of the event log."""

    seq: int
    user: str
    movie_id: int
    action: str
    source: str
    context: dict[str, Any] | None
    created_at: float


def derive_profiles(events: Iterable[Event]) -> dict[str, Profile]:
    """Fold events (in seq order) into each user's current profile.

    A film is in one place at most: `like` puts it in liked, `dislike` in disliked, `seen` in
    seen (each taking it out of the others), `remove` takes it out of all three. A film is
    ordered by the latest event that put it where it is.
    """
    state: dict[str, dict[str, dict[int, None]]] = {}
    for event in sorted(events, key=lambda e: e.seq):
        places = state.setdefault(event.user, {action: {} for action in PLACES})
        for films in places.values():
            films.pop(event.movie_id, None)
        if event.action in places:
            places[event.action][event.movie_id] = None
        elif event.action not in ACTIONS:
            raise StoreError(f"event {event.seq} has unknown action {event.action!r}")
    return {user: Profile.of_places(user, places) for user, places in state.items()}


def undo_of(history: list[Event]) -> tuple[Event, Action] | None:
    """What undoing one user's latest change means: (that event, the action that puts its film
    back where it was before it), or None when every change is undone already."""
    undone = {e.context["undoes"] for e in history if e.context and "undoes" in e.context}
    target = next(
        (
            e
            for e in reversed(history)
            if e.seq not in undone and not (e.context and "undoes" in e.context)
        ),
        None,
    )
    if target is None:
        return None
    before = [e for e in history if e.movie_id == target.movie_id and e.seq < target.seq]
    previous = derive_profiles(before).get(target.user)
    return target, "remove" if previous is None else previous.place_of(target.movie_id)


def check_user(user: object) -> str:
    """The user name, stripped; StoreError unless it is 1–64 characters."""
    if not isinstance(user, str):
        raise StoreError(f"user name {user!r} is not text; use 1–64 characters")
    name = user.strip()
    if not name or len(name) > MAX_USER_LENGTH:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise StoreError(
            f"user name {shown!r} is {'empty' if not name else f'{len(name)} characters long'}; "
            f"use 1–{MAX_USER_LENGTH} characters"
        )
    if any(not ch.isprintable() for ch in name):
        raise StoreError(
            f"user name {name!r} contains control characters; "
            f"use 1–{MAX_USER_LENGTH} printable characters"
        )
    return name


def check_movie_id(movie_id: object, what: str = "movie id") -> int:
    """The movie id; StoreError unless it is an int (not a bool) that fits SQLite."""
    if isinstance(movie_id, bool) or not isinstance(movie_id, int):
        raise StoreError(f"{what} {movie_id!r} is not an integer; use a TMDB id such as 862")
    if not _INT64_MIN <= movie_id <= _INT64_MAX:
        raise StoreError(f"{what} {movie_id} is out of range; use a TMDB id such as 862")
    return movie_id


def check_source(source: object) -> str:
    """The event source, stripped; StoreError unless it is 1–32 characters."""
    if not isinstance(source, str) or not source.strip() or len(source) > MAX_SOURCE_LENGTH:
        raise StoreError(
            f"event source {source!r} is invalid; use 1–{MAX_SOURCE_LENGTH} characters, "
            "e.g. 'app', 'cli' or 'import'"
        )
    return source.strip()


def encode_context(context: object) -> str | None:
    """An event's context as stored: sorted-key JSON, or None; StoreError for anything else."""
    if context is None:
        return None
    if not isinstance(context, dict):
        raise StoreError(
            f"event context must be a dict such as {{'flow': 'mood', 'rank': 3}}, "
            f"not {type(context).__name__}"
        )
    try:
        return json.dumps(context, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise StoreError(
            f"event context {context!r} is not JSON-serialisable ({error}); "
            "use strings, numbers, booleans, lists and dicts"
        ) from None


def decode_context(text: str | None) -> dict[str, Any] | None:
    """A stored context back as a dict (text that is not a JSON object is wrapped in one)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"raw": text}
    return value if isinstance(value, dict) else {"value": value}


def event_of_row(row: tuple[Any, ...]) -> Event:
    """An Event from a row of the events table's columns, in table order."""
    seq, user, movie_id, action, source, context, created_at = row
    return Event(seq, user, movie_id, action, source, decode_context(context), created_at)


def check_import_row(position: int, row: object, names: dict[str, str]) -> tuple[str, int, str]:
    """A checked (user, movie id, action) import row; StoreError naming the row otherwise.

    `names` caches checked user names (as given → stripped) across the rows of one import.
    """
    try:
        user, movie_id, action = row  # type: ignore[misc]
    except (TypeError, ValueError):
        raise StoreError(
            f"import row {position} {shown(row)}: expected (user, movie id, action)"
        ) from None
    try:
        name = names.get(user) if isinstance(user, str) else None
        if name is None:
            name = check_user(user)
            names[user] = name
        movie = check_movie_id(movie_id)
    except StoreError as error:
        raise StoreError(f"import row {position} {shown(row)}: {error}") from None
    if action not in ACTIONS:
        raise StoreError(
            f"import row {position} {shown(row)}: action {action!r} is not {actions_text()}"
        )
    return name, movie, action


def shown(value: object) -> str:
    """repr(value), cut to 120 characters for messages."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
