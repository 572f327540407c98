"""The taste picker on "My taste": a grid of well-known, varied films to like in one screen.

It opens by itself for a user with no like and gives way to recommendations after `GOAL`
likes; "Refine my taste" opens it again. The grid comes from `Recommender.picker_grid`; this
module only draws it and keeps, per user, which films were shown (UI state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st

from movierec.app.cards import READ_ONLY_HELP
from movierec.markdown import escape
from movierec.onboarding import GRID

GOAL = 3  # likes before recommendations replace the grid
COLUMNS = 4
FLOW = "start"  # the flow name of its 👍 / 👎 / 👁 buttons (keys "start-like-<id>")
BUTTONS = {"like": "👍", "dislike": "👎", "seen": "👁"}
HELP = {
    "like": "Like it",
    "dislike": "Dislike it",
    "seen": "Seen it, no opinion: it is never recommended to you",
}


@dataclass
class PickerState:
    """One user's open picker: the likes that close it, the grid now, the grids before."""

    goal: int
    grid: list[int] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)


def _key(user: str | None) -> str:
    return f"taste_picker:{user}"


def open_picker(user: str | None, liked: int = 0) -> None:
    """Open the picker until `GOAL` more likes are given ("Refine my taste")."""
    st.session_state[_key(user)] = PickerState(goal=liked + GOAL)


def close_picker(user: str | None) -> None:
    st.session_state.pop(_key(user), None)


def active(user: str | None, liked: list[int]) -> PickerState | None:
    """The picker to draw now, if any: always open while the user has no like."""
    state = st.session_state.get(_key(user))
    if state is None and not liked:
        open_picker(user)
        state = st.session_state[_key(user)]
    if state is not None and len(liked) >= state.goal:
        close_picker(user)
        return None
    return state


def _show_others(state: PickerState) -> None:
    state.shown += state.grid
    state.grid = []


def picker(
    ctx, state: PickerState, liked: list[int], disliked: list[int], seen: Sequence[int] = ()
) -> None:
    """The grid with 👍 / 👎 / 👁 on every film (none of the profile's films), the likes still to
    go, "Show others" and "Done"."""
    if not liked and not disliked and not seen:
        st.info(
            "Your profile is empty. Like 👍 three films you enjoyed (👎 the ones you did not, "
            "👁 the ones you saw and have no opinion on, skip the ones you have not seen) and "
            "your recommendations appear here."
        )
    if not state.grid:
        rated = [*liked, *disliked, *seen]
        state.grid = ctx.recommender.picker_grid([*state.shown, *rated], n=GRID)
        if not state.grid:  # every film has been shown: start the round again
            state.shown = []
            state.grid = ctx.recommender.picker_grid(rated, n=GRID)
    to_go = state.goal - len(liked)
    st.markdown(f"### {to_go} more like{'s' if to_go != 1 else ''} to go")
    for start in range(0, len(state.grid), COLUMNS):  # row by row, so that rows line up
        row = state.grid[start : start + COLUMNS]
        for column, (rank, movie_id) in zip(
            st.columns(COLUMNS), enumerate(row, start), strict=False
        ):
            with column:
                tile(ctx, movie_id, rank)
    left, right, _ = st.columns([1, 1, 3])
    left.button(
        "🔄 Show others", key="picker-others", on_click=_show_others, args=(state,), width="stretch"
    )
    if liked:
        right.button(
            "✅ Done",
            key="picker-done",
            help="See your recommendations now",
            on_click=close_picker,
            args=(ctx.user,),
            width="stretch",
        )


def tile(ctx, movie_id: int, rank: int) -> None:
    """One film of the grid: title, year, genres, rating, and 👍 / 👎 / 👁 (the active one
    filled)."""
    movie = ctx.recommender.movie(movie_id)
    with st.container(border=True):
        year = f" ({movie['year']})" if movie.get("year") else ""
        st.markdown(f"##### {escape(movie['title'])}{year}")
        facts = [escape(", ".join(movie["genres"][:2]))]
        if movie.get("vote_count"):
            facts.append(f"★ {movie['vote_average']:.1f}")
        st.caption(" · ".join(f for f in facts if f))
        state = ctx.rating_of(movie_id)
        why = READ_ONLY_HELP if ctx.read_only else None  # a community profile: shown, not rated
        for column, (action, label) in zip(st.columns(3), BUTTONS.items(), strict=True):
            column.button(
                label,
                key=f"{FLOW}-{action}-{movie_id}",
                help=why or f"{HELP[action]} (click again to take it back)",
                type="primary" if state == action else "secondary",
                on_click=ctx.rate,
                args=(movie_id, action, FLOW, rank),
                disabled=ctx.user is None or ctx.read_only,
                width="stretch",
            )
