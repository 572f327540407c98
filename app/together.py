"""👥 Together: pick two or more saved profiles and get films for the group. Presentation only:
the members come from the store and the ranking from `Recommender.together`."""

from __future__ import annotations

import streamlit as st

from movierec.app.cards import show_cards
from movierec.app.flows import RESULTS, Context
from movierec.together import GroupHit, members_from_store


def page(ctx: Context) -> None:
    """Profile picker, then one card per film with a line for each member."""
    names = ctx.store.users()
    if "together_names" not in st.session_state and ctx.user in names:
        st.session_state.together_names = [ctx.user]
    chosen = st.multiselect(
        "Who is watching?",
        names,
        key="together_names",
        placeholder="Pick two or more profiles",
        help="Saved profiles: each name someone entered in the sidebar and liked films under.",
    )
    if len(chosen) < 2:
        st.info(
            "Pick two or more profiles to get films for all of you: nothing anyone has rated, "
            "ranked so that the least happy of you is as happy as possible."
        )
        return
    hits = ctx.run(
        lambda: ctx.recommender.together(
            members_from_store(ctx.store, ctx.recommender.movies, chosen),
            k=RESULTS,
            filters=ctx.filters,
            diversity=ctx.diversity,
        )
    )
    if hits is not None:
        show_group(ctx, hits)


def show_group(ctx: Context, hits: list[GroupHit]) -> None:
    """Two columns of cards; each card says which member it is for, one line each."""
    show_cards(ctx, [(hit.id, "  \n".join(hit.lines(markdown=True))) for hit in hits], "together")
