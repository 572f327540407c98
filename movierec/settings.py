"""Ranking settings: the defaults are the ones the offline evaluation chose."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from numbers import Integral, Real
from typing import Any

from movierec.errors import UsageError

FUSIONS = ("weighted", "rrf")
COMMUNITY_FUSIONS = ("sum", "rank")
MAX_WEIGHT = 1e6  # larger weights overflow the float32 scores to inf
MAX_POWER = 50.0  # cosines**power underflow to 0 beyond this


@dataclass(frozen=True)
class Settings:
    """Knobs of the ranking pipeline; every mode accepts per-call overrides of these."""

    fusion: str = "weighted"
    alpha: float = 0.6
    rrf_k: int = 60
    prior_weight: float = 0.5
    prior_popularity: float = 0.5
    prior_likes: float = 0.0  # share of the prior from how many people liked each film (tuned)
    dislike_weight: float = 0.1
    steer_weight: float = 1.0
    diversity: float = 0.0
    candidates: int = 500
    community_weight: float = 1.0
    community_prior_weight: float = 0.3  # prior weight with the community signal (sum or rank)
    community_fusion: str = "sum"  # "rank": weighted rank fusion of content and community
    community_rank_k: int = 200
    community_dislike_weight: float = 0.5  # = community.DISLIKE_WEIGHT (profiles' disliked rows)
    profile_power: float = 5.0  # profiles: power mean of cosines to each like (1 = the mean)
    profile_power_likes: int = 40  # the power rises from 1 to profile_power over this many likes
    profile_prior_likes: int = 0  # profiles with fewer likes lean more on the prior (0 = off)
    unseen_boost: float = 0.0  # profiles: added to the relevance of films a tuning saw no like of

    def __post_init__(self) -> None:
        for name, kind in self.tunables():
            check_number(name, getattr(self, name), kind)
        if self.fusion not in FUSIONS:
            raise UsageError(f"unknown fusion {self.fusion!r}; choose one of {', '.join(FUSIONS)}")
        for name in ("alpha", "diversity", "prior_popularity", "prior_likes", "unseen_boost"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise UsageError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        weights = (
            "prior_weight",
            "dislike_weight",
            "steer_weight",
            "community_weight",
            "community_prior_weight",
            "community_dislike_weight",
        )
        for name in weights:
            if not 0 <= getattr(self, name) <= MAX_WEIGHT:
                raise UsageError(
                    f"{name} must be >= 0 and at most {MAX_WEIGHT:,.0f}, got {getattr(self, name)}"
                )
        if self.community_fusion not in COMMUNITY_FUSIONS:
            raise UsageError(
                f"unknown community_fusion {self.community_fusion!r}; choose one of "
                f"{', '.join(COMMUNITY_FUSIONS)}"
            )
        if not 1.0 <= self.profile_power <= MAX_POWER:
            raise UsageError(
                f"profile_power must be between 1 and {MAX_POWER:g}, got {self.profile_power}"
            )
        if self.candidates < 1:
            raise UsageError(f"candidates must be >= 1, got {self.candidates}")
        for name in ("rrf_k", "community_rank_k", "profile_prior_likes", "profile_power_likes"):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must be >= 0, got {getattr(self, name)}")

    @classmethod
    def tunables(cls) -> tuple[tuple[str, type], ...]:
        """(name, type) of every knob, in declaration order: what the CLI and batch accept."""
        types = {"str": str, "int": int, "float": float}
        return tuple((f.name, types[str(f.type)]) for f in fields(cls))

    def profile_prior_weight(self, likes: int) -> float:
        """The prior weight for a profile of `likes` liked films: `prior_weight` from
        `profile_prior_likes` likes on, prior_weight * sqrt(profile_prior_likes / likes) below
        (the less a profile says, the more the best-known, best-rated films count)."""
        if likes >= self.profile_prior_likes:
            return self.prior_weight
        return min(
            MAX_WEIGHT, self.prior_weight * math.sqrt(self.profile_prior_likes / max(1, likes))
        )

    def profile_power_for(self, likes: int) -> float:
        """The power mean's exponent for a profile of `likes` liked films: 1 + (profile_power -
        1) * likes / profile_power_likes, capped at profile_power (a short profile is one
        taste; a long one holds several). profile_power_likes 0: profile_power throughout."""
        if self.profile_power_likes <= 0 or likes >= self.profile_power_likes:
            return self.profile_power
        return 1.0 + (self.profile_power - 1.0) * likes / self.profile_power_likes

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given non-None values replaced; unknown names raise UsageError."""
        valid = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - valid)
        if unknown:
            raise UsageError(f"unknown setting(s) {unknown}; valid settings are {sorted(valid)}")
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given) if given else self


def check_number(name: str, value: object, kind: type) -> None:
    """UsageError naming `name` unless `value` is a finite number of `kind` (int: whole numbers
    only; float: any finite number); bools are never numbers. Other kinds are not checked."""
    if kind is int and (isinstance(value, bool) or not isinstance(value, Integral)):
        raise UsageError(f"{name} must be a whole number, got {value!r}")
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise UsageError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise UsageError(f"{name} must be a finite number, got {value!r}")
