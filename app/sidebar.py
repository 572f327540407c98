"""Sidebar: who is using the app, and the filters shared by every page."""

from __future__ import annotations

import streamlit as st

from movierec.filters import Filters
from movierec.markdown import escape
from movierec.recommender import Recommender
from movierec.store import ProfileStore, StoreError
from movierec.tuning import shipped

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian",
    "ja": "Japanese", "zh": "Mandarin", "cn": "Cantonese", "hi": "Hindi", "ko": "Korean",
    "ru": "Russian", "pt": "Portuguese", "sv": "Swedish", "da": "Danish", "nl": "Dutch",
    "no": "Norwegian", "fa": "Persian", "th": "Thai", "he": "Hebrew", "ta": "Tamil",
}  # fmt: skip
DIVERSITY = 0.3
NEW_FILMS_BOOST = 0.02  # unseen_boost of the "new films" toggle (its trade: docs/tuning.md)
TASTE_HINTS = {  # what changes the taste model, per movierec.tuning.shipped.taste_kind
    "plain": "`movierec tune` teaches it your people's taste",
    "shipped": "`movierec tune` learns your store's",
    "tuned": "`movierec tune --base` goes back to plain vectors",
}


def user_name(store: ProfileStore) -> str | None:
    """The profile name, kept in the URL (?user=…) so a reload keeps the same profile."""
    if "user" not in st.session_state:
        st.session_state.user = st.query_params.get("user", "")
    name = st.text_input(
        "Your name",
        key="user",
        placeholder="e.g. alex",
        help="Likes are saved under this name; use it again on any device to get them back.",
    ).strip()
    if not name:
        st.query_params.pop("user", None)
        return None
    try:
        store.profile(name)
    except StoreError as error:
        st.error(escape(error))
        return None
    st.query_params["user"] = name
    if store.is_community_user(name):
        st.info(
            f"**{escape(name)}** is a community profile imported from MovieLens: you can look "
            "at it, but not change it. Use your own name to like films."
        )
    return name


def filters(recommender: Recommender) -> tuple[Filters, float]:
    """Filter widgets → (Filters, MMR diversity)."""
    facets = recommender.facets()
    st.header("Filters")
    genres = st.multiselect("Genres", facets["genres"], key="genres", placeholder="Any genre")
    year_min = year_max = None
    if facets["years"]:
        low, high = facets["years"]
        chosen = st.slider("Released", low, high, (low, high), key="years")
        year_min = chosen[0] if chosen[0] > low else None
        year_max = chosen[1] if chosen[1] < high else None
    rating = st.slider("Minimum rating", 0.0, 10.0, 0.0, 0.5, key="min_rating")
    codes = [code for code, _ in facets["languages"]]
    counts = dict(facets["languages"])
    languages = st.multiselect(
        "Original language",
        codes,
        key="languages",
        format_func=lambda c: f"{LANGUAGE_NAMES.get(c, c)} ({counts[c]})",
        placeholder="Any language",
    )
    diverse = st.toggle(
        "Diverse results", key="diverse", help="Trade a little relevance for more variety."
    )
    chosen_filters = Filters(
        genres=tuple(genres),
        year_min=year_min,
        year_max=year_max,
        min_rating=rating or None,
        languages=tuple(languages),
    )
    return chosen_filters, DIVERSITY if diverse else 0.0


def new_films(recommender: Recommender) -> float:
    """On an engine tuned on likes only: a toggle that lifts, in profile recommendations, the
    films its tuning saw nobody like (`unseen_boost`); 0.0 when off or not offered."""
    if recommender.unseen is None or not recommender.unseen.any():
        return 0.0
    on = st.toggle(
        "Favour films new to the model",
        key="new_films",
        help="Your recommendations lift films nobody had liked when the model was tuned: "
        "more new films, at a small cost in accuracy.",
    )
    return NEW_FILMS_BOOST if on else 0.0


def taste_model(recommender: Recommender) -> None:
    """Which text side answers: the plain sentence vectors, the shipped pre-trained adapter, or
    one `movierec tune` learnt here (the CLI commands that change it)."""
    manifest = recommender.bundle.manifest
    hint = TASTE_HINTS[shipped.taste_kind(manifest)]
    st.caption(f"Taste model: {shipped.taste_model(manifest)} ({hint}).")
