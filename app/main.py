"""movierec in the browser: describe a mood, find films like a title, build a taste profile,
watch together.

Run with `make run` (or `streamlit run app/main.py`). The app only calls the `Recommender`
façade and the profile store; it holds no ranking logic.
"""

from __future__ import annotations

import streamlit as st

from movierec.app import flows, resources, sidebar, together
from movierec.errors import USER_ERRORS
from movierec.markdown import escape

PAGES = {
    "🔮 Mood": flows.mood,
    "🎞️ More like this": flows.more_like_this,
    "❤️ My taste": flows.my_taste,
    "🗺️ Taste map": flows.taste_map,
    "👥 Together": together.page,
}


# Widget values that survive a visit to another page (Streamlit drops unrendered widgets' state).
KEPT_WIDGETS = ("mood_text", "alpha", "similar_title", "similar_steer", "together_names")


def main() -> None:
    st.set_page_config(page_title="movierec", page_icon="🎬", layout="wide")
    for key in KEPT_WIDGETS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    try:
        page()
    except USER_ERRORS as error:  # a bad catalog, index or profile store: say what to do
        st.error(f"movierec cannot go on: {escape(error)}")
        st.caption("Fix the setting named above (or the server it names), then reload the page.")


def page() -> None:
    recommender = resources.recommender()
    store = resources.store()
    with st.sidebar:
        st.title("🎬 movierec")
        user = sidebar.user_name(store)
        filters, diversity = sidebar.filters(recommender)
        boost = sidebar.new_films(recommender)
        sidebar.taste_model(recommender)
    name = st.radio("Page", list(PAGES), horizontal=True, key="page", label_visibility="collapsed")
    if user is None:
        st.info("Enter your name in the sidebar to save likes and get personal picks.")
    flows.show_note()  # what a button's callback could not do (they run before this script)
    PAGES[name](flows.Context(recommender, store, user, filters, diversity, boost))


main()
