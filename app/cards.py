"""Result cards with like / dislike / seen buttons and the sentence (`Hit.explain`) behind each."""

from __future__ import annotations

import streamlit as st

from movierec.hits import Hit
from movierec.markdown import escape

OVERVIEW_CHARS = 230


def _short(text: str, limit: int = OVERVIEW_CHARS) -> str:
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + "…"


def show_hits(ctx, hits: list[Hit], flow: str) -> None:
    """Results as a two-column grid of cards."""
    show_cards(ctx, [(hit.id, hit.explain(markdown=True)) for hit in hits], flow)


def show_cards(ctx, cards: list[tuple[int, str]], flow: str) -> None:
    """(film id, explanation) pairs as a two-column grid of cards."""
    if not cards:
        st.info("No film matches these filters. Loosen them in the sidebar to see more.")
        return
    columns = st.columns(2)
    for rank, (movie_id, explanation) in enumerate(cards):
        with columns[rank % 2]:
            card(ctx, movie_id, flow, rank, explanation)


def card(ctx, movie_id: int, flow: str, rank: int, explanation: str = "") -> None:
    """One film: title, year, genres, rating, overview, why, and 👍 / 👎 / 👁."""
    movie = ctx.recommender.movie(movie_id)
    with st.container(border=True):
        year = f" ({movie['year']})" if movie.get("year") else ""
        st.markdown(f"#### {escape(movie['title'])}{year}")
        facts = [escape(", ".join(movie["genres"][:3]))]
        if movie.get("vote_count"):
            facts.append(f"★ {movie['vote_average']:.1f} ({movie['vote_count']:,} votes)")
        if movie.get("runtime"):
            facts.append(f"{int(movie['runtime'])} min")
        st.caption(" · ".join(f for f in facts if f))
        if movie.get("overview"):
            st.markdown(escape(_short(movie["overview"])))
        if explanation:  # Hit.explain(markdown=True): its titles and terms are escaped
            st.markdown(f":blue[{explanation}]")
        rating_buttons(ctx, movie_id, flow, rank)


READ_ONLY_HELP = "A community profile from MovieLens is read-only; use your own name to rate."
LABELS = {
    "like": ("👍 Like", "👍 Liked"),
    "dislike": ("👎", "👎 Disliked"),
    "seen": ("👁 Seen it", "👁 Seen"),
}
SEEN_HELP = "Watched it, no opinion: it stays out of your recommendations and your taste"


def rating_buttons(ctx, movie_id: int, flow: str, rank: int) -> None:
    """👍 / 👎 / 👁 toggles; the active one is highlighted. Disabled without a user, and for a
    read-only community profile (the tooltip says why)."""
    state = ctx.rating_of(movie_id)
    columns = st.columns([1, 1, 1])  # wide enough for "👎 Disliked"
    for column, (action, (label, active_label)) in zip(columns, LABELS.items(), strict=True):
        why = READ_ONLY_HELP if ctx.read_only else SEEN_HELP if action == "seen" else None
        active = state == action
        column.button(
            active_label if active else label,
            key=f"{flow}-{action}-{movie_id}",
            type="primary" if active else "secondary",
            on_click=ctx.rate,
            args=(movie_id, action, flow, rank),
            disabled=ctx.user is None or ctx.read_only,
            help=why,
            width="stretch",
        )
