"""What a free-text query was understood to ask for: typed constraints, each with the Filters it
adds and a short label, and how they merge with the filters a caller chose."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from functools import reduce
from itertools import combinations
from typing import Any

from movierec.errors import UsageError
from movierec.filters import NAME_LISTS, Filters
from movierec.vocabulary import LANGUAGE_ALIASES, LANGUAGE_NAMES

LOWER_BOUNDS = ("year_min", "runtime_min", "min_rating", "min_votes")
UPPER_BOUNDS = ("year_max", "runtime_max", "max_votes")
HIDDEN_GEM = Filters(min_rating=7.0, min_votes=30, max_votes=500)
HIGHLY_RATED = 7.0
BOUNDS = (("year_min", "year_max"), ("runtime_min", "runtime_max"), ("min_votes", "max_votes"))


class ConflictingConstraints(UsageError):
    """Two constraints of one query that cannot both hold ("2000s before 1990"); `understood`
    still holds both, so a caller can show them (the app's chips) for the user to drop one."""

    def __init__(self, message: str, understood: Understood) -> None:
        super().__init__(message)
        self.understood = understood


@dataclass(frozen=True)
class Constraint:
    """One understood constraint: `kind` and `value` say what, `label` says it to a person."""

    kind: str
    value: Any
    label: str
    filters: Filters
    span: tuple[int, int] = (0, 0)  # characters of the query it was read from

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"label": self.label, "kind": self.kind, "value": value}


@dataclass(frozen=True)
class Understood:
    """The constraints read from `text`, and what is left of it for the meaning search."""

    text: str
    constraints: tuple[Constraint, ...] = ()
    residual: str = ""
    overridden: tuple[Constraint, ...] = field(default=())  # dropped: the caller's filters win

    @property
    def filters(self) -> Filters:
        """All the constraints as one Filters; ConflictingConstraints when two cannot both hold."""
        pair = self.conflict()
        if pair is not None:
            first, second = (repr(self.text[c.span[0] : c.span[1]] or c.label) for c in pair)
            raise ConflictingConstraints(f"{first} and {second} cannot both hold; remove one", self)
        return combine(*(c.filters for c in self.constraints))

    def conflict(self) -> tuple[Constraint, Constraint] | None:
        """The first two constraints whose bounds leave nothing between them, if any."""
        for a, b in combinations(self.constraints, 2):
            for low, high in BOUNDS:
                lows, highs = _set(a, b, low), _set(a, b, high)
                if lows and highs and max(lows) > min(highs):
                    return a, b
        return None

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.constraints]

    def to_list(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.constraints]

    def report(self) -> dict[str, Any]:
        """JSON-ready: {"understood": [...]} plus {"overridden": [...]} when any were dropped."""
        data: dict[str, Any] = {"understood": self.to_list()}
        if self.overridden:
            data["overridden"] = [c.to_dict() for c in self.overridden]
        return data

    def line(self) -> str:
        """One line for a terminal: "understood: 1990–1999 · French · Comedy"; "" if nothing."""
        parts = []
        if self.constraints:
            parts.append("understood: " + " · ".join(self.labels))
        if self.overridden:
            kept = " · ".join(c.label for c in self.overridden)
            parts.append(f"(your filters win over: {kept})")
        return " ".join(parts)

    def against(self, caller: Filters | None) -> Understood:
        """Move the constraints that conflict with the caller's filters to `overridden`."""
        if caller is None or caller.is_empty():
            return self
        kept = tuple(c for c in self.constraints if not conflicts(c.filters, caller))
        dropped = tuple(c for c in self.constraints if c not in kept)
        return replace(self, constraints=kept, overridden=self.overridden + dropped)

    def merged(self, caller: Filters | None) -> Filters:
        """The caller's filters plus the (non-conflicting) understood ones."""
        if not self.constraints:
            return caller or Filters()
        return combine(caller or Filters(), self.against(caller).filters)


def _set(a: Constraint, b: Constraint, name: str) -> list[Any]:
    """The values of filter `name` that `a` and `b` set."""
    return [v for v in (getattr(a.filters, name), getattr(b.filters, name)) if v is not None]


def combine(*parts: Filters) -> Filters:
    """All the constraints of every part: tuples joined, the tightest bound of each kind."""
    return reduce(_combine_two, parts, Filters())


def _combine_two(a: Filters, b: Filters) -> Filters:
    values: dict[str, Any] = {}
    for name in NAME_LISTS:
        first = tuple(getattr(a, name))
        values[name] = first + tuple(v for v in getattr(b, name) if v not in first)
    for name, pick in [(n, max) for n in LOWER_BOUNDS] + [(n, min) for n in UPPER_BOUNDS]:
        set_values = [v for v in (getattr(a, name), getattr(b, name)) if v is not None]
        values[name] = pick(set_values) if set_values else None
    return Filters(**values)


def conflicts(parsed: Filters, caller: Filters) -> bool:
    """Whether a parsed constraint contradicts, or sets again, what the caller chose."""
    wanted = {g.lower() for g in (*caller.genres, *caller.all_genres)}
    for f in fields(Filters):
        value = getattr(parsed, f.name)
        if value in ((), None):
            continue
        if f.name == "all_genres":
            if {g.lower() for g in value} & {g.lower() for g in caller.exclude_genres}:
                return True
        elif f.name == "exclude_genres":
            if {g.lower() for g in value} & wanted:
                return True
        elif f.name not in ("cast", "exclude_cast", "exclude_title_words") and getattr(
            caller, f.name
        ) not in ((), None):
            return True
    return False


# -- one constructor per kind --------------------------------------------------------------------


def years(low: int | None, high: int | None) -> Constraint:
    return Constraint("year", (low, high), _range(low, high), Filters(year_min=low, year_max=high))


def runtime(low: float | None, high: float | None) -> Constraint:
    label = _range(low, high) + " min"
    return Constraint("runtime", (low, high), label, Filters(runtime_min=low, runtime_max=high))


def language(code: str) -> Constraint:
    codes = LANGUAGE_ALIASES.get(code, (code,))
    return Constraint("language", code, LANGUAGE_NAMES.get(code, code), Filters(languages=codes))


def genre(name: str) -> Constraint:
    return Constraint("genre", name, name, Filters(all_genres=(name,)))


def not_genre(name: str) -> Constraint:
    return Constraint("not_genre", name, f"not {name}", Filters(exclude_genres=(name,)))


def cast(name: str) -> Constraint:
    return Constraint("cast", name, f"with {name}", Filters(cast=(name,)))


def not_cast(name: str) -> Constraint:
    return Constraint("not_cast", name, f"without {name}", Filters(exclude_cast=(name,)))


def director(name: str) -> Constraint:
    return Constraint("director", name, f"by {name}", Filters(directors=(name,)))


def not_title(words: str) -> Constraint:
    return Constraint("not_title", words, f"not {words}", Filters(exclude_title_words=(words,)))


def rating(minimum: float = HIGHLY_RATED) -> Constraint:
    return Constraint("rating", minimum, f"rated ≥ {minimum:g}", Filters(min_rating=minimum))


def hidden_gem() -> Constraint:
    return Constraint("hidden_gem", True, "hidden gem", HIDDEN_GEM)


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g}" if low == high else f"{low:g}–{high:g}"
    return f"≥ {low:g}" if low is not None else f"≤ {high:g}"


def at(constraints: Iterable[Constraint], start: int, end: int) -> list[Constraint]:
    """The constraints with their span set to start..end."""
    return [replace(c, span=(start, end)) for c in constraints]
