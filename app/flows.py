"""The four pages: mood, more like this, my taste, taste map. Presentation only."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import Any, TypeVar

import streamlit as st

from movierec.app import chips, resources
from movierec.app import onboarding as taste_picker
from movierec.app.cards import rating_buttons, show_hits
from movierec.constraints import ConflictingConstraints
from movierec.errors import USER_ERRORS
from movierec.filters import Filters
from movierec.json_input import JSONInputError, parse_json
from movierec.markdown import escape
from movierec.profile_rules import (
    MAX_PROFILE_BYTES,
    catalog_import,
    skipped_note,
)
from movierec.recommender import Recommender
from movierec.store import Profile, ProfileStore, StoreError
from movierec.titles import TitleNotFoundError

RESULTS = 12
EXAMPLES = [
    "a cozy, feel-good film for a rainy Sunday",
    "heist with a clever twist",
    "mind-bending science fiction about dreams",
    "a tearjerker about family",
    "funny road trip with friends",
    "dark psychological thriller",
]
T = TypeVar("T")
NOTE = "note"  # session state: a warning for the next run (a failed button, an import's skips)
IMPORTED = "imported"  # session state: what the import before this run brought in


def note(message: str) -> None:
    """Keep `message` to show as a warning at the top of the next run (see `show_note`)."""
    st.session_state[NOTE] = message


def show_note() -> None:
    """The warning a button callback or an import left for this run, if any."""
    message = st.session_state.pop(NOTE, None)
    if message:
        st.warning(escape(message))


def writes(callback: Callable[..., None]) -> Callable[..., None]:
    """A button callback that changes the store: a user error (a read-only store, a store gone)
    becomes a warning on the next run. Callbacks run before `main()`'s try/except."""

    @wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> None:
        try:
            callback(*args, **kwargs)
        except USER_ERRORS as error:
            note(str(error))

    return guarded


@dataclass
class Context:
    """What every page needs: the façade, the store, the user and the sidebar's choices."""

    recommender: Recommender
    store: ProfileStore
    user: str | None
    filters: Filters
    diversity: float
    unseen_boost: float = 0.0  # profiles: the sidebar's "new films" toggle
    _profile: Profile | None = field(default=None, repr=False)

    @cached_property
    def read_only(self) -> bool:
        """Whether the user is a community profile, which the app shows but never changes (asked
        of the store once per rerun, not once per card)."""
        return self.user is not None and self.store.is_community_user(self.user)

    def profile(self) -> Profile | None:
        if self.user is None:
            return None
        if self._profile is None:
            self._profile = self.store.profile(self.user)
        return self._profile

    def rating_of(self, movie_id: int) -> str | None:
        """The button to show active: "like", "dislike" or "seen"; None when the film is in none
        of the profile's lists (or there is no user)."""
        profile = self.profile()
        if profile is None:
            return None
        place = profile.place_of(movie_id)
        return None if place == "remove" else place

    @writes
    def rate(self, movie_id: int, action: str, flow: str, rank: int) -> None:
        """Button callback: like, dislike or mark as seen (`action`), or take it back when the
        film is already there."""
        if self.user is None or self.read_only:
            return
        current = self.store.profile(self.user)
        context = {"flow": flow, "rank": rank}
        if current.place_of(movie_id) == action:
            self.store.remove(self.user, movie_id, context=context)
        else:
            store = self.store
            record = {"like": store.like, "dislike": store.dislike, "seen": store.seen}[action]
            record(self.user, movie_id, context=context)
        self._profile = None

    @writes
    def remove(self, movie_id: int) -> None:
        """Button callback: take the film out of the profile; nothing (no event) when it is not
        in it any more (a stale page, a second tab), so that Undo still takes back the last
        real change."""
        if self.user is None or self.read_only:
            return
        if self.store.profile(self.user).place_of(movie_id) != "remove":
            self.store.remove(self.user, movie_id)
        self._profile = None

    def in_catalog(self) -> tuple[list[int], list[int], list[int]]:
        """The profile's liked, disliked and seen films that this catalog holds; a caption says
        how many of its films it lacks (they are left out, not refused)."""
        profile = self.profile()
        if profile is None:
            return [], [], []
        known = self.recommender.movies.row_of
        lists = profile.liked, profile.disliked, profile.seen
        liked, disliked, seen = ([i for i in films if i in known] for films in lists)
        missing = len(profile.films) - len(liked) - len(disliked) - len(seen)
        if missing:
            films = "film is" if missing == 1 else "films are"
            st.caption(f"{missing:,} rated {films} not in this catalog and left out.")
        return liked, disliked, seen

    def run(self, call: Callable[[], T]) -> T | None:
        """Run a façade call; a user error becomes a friendly warning instead of a traceback."""
        try:
            return call()
        except USER_ERRORS as error:
            st.warning(escape(error))
            return None


def _set(key: str, value: Any) -> None:
    st.session_state[key] = value


# -- mood ----------------------------------------------------------------------------------------


def mood(ctx: Context) -> None:
    text = st.text_input(
        "Describe what you feel like watching",
        key="mood_text",
        placeholder="e.g. a cozy, feel-good film for a rainy Sunday",
    )
    with st.expander("Advanced"):
        alpha = st.slider(
            "Keywords ↔ meaning",
            0.0,
            1.0,
            float(ctx.recommender.settings.alpha),
            0.05,
            key="alpha",
            help="0 ranks by the exact words you typed, 1 by what they mean.",
        )
    if not text.strip():
        st.caption("Not sure? Try one of these:")
        columns = st.columns(3)
        for i, example in enumerate(EXAMPLES):
            columns[i % 3].button(
                example, key=f"example-{i}", on_click=_set, args=("mood_text", example)
            )
        return
    skip = chips.removed(text)
    try:
        hits = ctx.recommender.search(
            text, k=RESULTS, filters=ctx.filters, skip=skip, alpha=alpha, diversity=ctx.diversity
        )
    except ConflictingConstraints as conflict:  # both as chips, so one click drops one
        st.warning(escape(conflict))
        chips.show(text, conflict.understood)
        return
    except USER_ERRORS as error:
        st.warning(escape(error))
        return
    chips.show(text, hits.understood)
    show_hits(ctx, hits, "mood")


# -- more like this ------------------------------------------------------------------------------


def more_like_this(ctx: Context) -> None:
    options = resources.title_options(resources.catalog_path())
    ids = dict(options)
    requested = st.query_params.get("title")  # deep link: ?title=Heat
    first_visit = "similar_title" not in st.session_state
    if first_visit and requested in ids:
        st.session_state.similar_title = requested
    choice = st.selectbox(
        "Films like…",
        list(ids),
        index=None,
        key="similar_title",
        placeholder="Type a title, e.g. Heat",
        accept_new_options=True,
        help="Remakes are told apart by their year. Press Enter to search a title not listed.",
    )
    steer = st.text_input(
        "… but (optional)", key="similar_steer", placeholder="e.g. funnier, set in space"
    )
    if choice:
        st.query_params["title"] = choice
    elif not first_visit:
        st.query_params.pop("title", None)
        requested = None
    title = (choice or requested or "").strip()
    if not title:  # nothing chosen, or only spaces (?title=%20)
        st.info("Pick a film you love to see films like it. Popular picks:")
        columns = st.columns(4)
        for i, (label, _) in enumerate(options[:8]):
            columns[i % 4].button(
                escape(label), key=f"pick-{i}", on_click=_set, args=("similar_title", label)
            )
        return
    movie_id = ids.get(title)
    try:
        row = ctx.recommender.movies.find(title=title, id=movie_id)
        movie_id = int(ctx.recommender.movies.ids[row])
        hits = ctx.recommender.similar(
            id=movie_id, text=steer, k=RESULTS, filters=ctx.filters, diversity=ctx.diversity
        )
    except TitleNotFoundError as error:
        _suggest(title, error.suggestions)
        return
    except USER_ERRORS as error:
        st.warning(escape(error))
        return
    label, rate = st.columns([3, 2])
    label.markdown(
        f"Films like **{escape(ctx.recommender.movies.label(row))}**"
        + (f", but *{escape(steer.strip())}*" if steer.strip() else "")
    )
    with rate:
        rating_buttons(ctx, movie_id, "pick", 0)
    show_hits(ctx, hits, "similar")


def _suggest(choice: str, suggestions: list[str]) -> None:
    if not suggestions:
        st.warning(f"No film called “{escape(choice)}” in the catalog. Check the spelling.")
        return
    st.warning(f"No film called “{escape(choice)}”. Did you mean:")
    for i, suggestion in enumerate(suggestions):
        st.button(
            escape(suggestion),
            key=f"suggest-{i}",
            on_click=_set,
            args=("similar_title", suggestion),
        )


# -- my taste -------------------------------------------------------------------------------------


def my_taste(ctx: Context) -> None:
    if ctx.profile() is None:
        return
    liked, disliked, seen = ctx.in_catalog()
    state = taste_picker.active(ctx.user, liked)
    if state is not None:  # a new user, or "Refine my taste": the grid instead of the picks
        taste_picker.picker(ctx, state, liked, disliked, seen)
        if liked or disliked or seen:
            _rated_lists(ctx, liked, disliked, seen)
        _import_export(ctx)
        return
    _rated_lists(ctx, liked, disliked, seen)
    undo, refine, _ = st.columns([1, 1, 2])
    undo.button(
        "↩️ Undo last change", key="undo", on_click=_undo, args=(ctx,), disabled=ctx.read_only
    )
    refine.button(
        "🎯 Refine my taste",
        key="refine",
        help="Rate a few more well-known films",
        on_click=taste_picker.open_picker,
        args=(ctx.user, len(liked)),
        disabled=ctx.read_only,
    )
    st.subheader("Recommended for you")
    hits = ctx.run(
        lambda: ctx.recommender.recommend(
            liked,
            disliked,
            k=RESULTS,
            filters=ctx.filters,
            seen=seen,
            diversity=ctx.diversity,
            unseen_boost=ctx.unseen_boost,
        )
    )
    if hits is not None:
        show_hits(ctx, hits, "taste")
    _import_export(ctx)


def _rated_lists(ctx: Context, liked: list[int], disliked: list[int], seen: list[int]) -> None:
    lists = {"👍 Liked": liked, "👎 Disliked": disliked, "👁 Seen": seen}
    for column, (heading, ids) in zip(st.columns(3), lists.items(), strict=True):
        with column:
            _rated_list(ctx, heading, ids)


def _rated_list(ctx: Context, heading: str, ids: list[int]) -> None:
    st.markdown(f"**{heading}** ({len(ids)})")
    if not ids:
        st.caption("Nothing yet.")
    labels = ctx.recommender.movies
    for movie_id in reversed(ids):
        name, remove = st.columns([5, 1])
        name.markdown(escape(labels.label(labels.row(movie_id))))
        remove.button(
            "✖",
            key=f"remove-{movie_id}",
            help="Remove from your profile",
            on_click=ctx.remove,
            args=(movie_id,),
            disabled=ctx.read_only,
        )


@writes
def _undo(ctx: Context) -> None:
    if ctx.user is not None and ctx.store.undo(ctx.user) is None:
        st.toast("Nothing to undo.")


def _import_export(ctx: Context) -> None:
    with st.expander("Export / import profile"):
        if IMPORTED in st.session_state:
            st.success(st.session_state.pop(IMPORTED))
        data = ctx.store.export_profile(ctx.user)
        st.download_button(
            "Download my profile (JSON)",
            json.dumps(data, indent=2),
            file_name=f"movierec-{ctx.user}.json",
            mime="application/json",
        )
        if ctx.read_only:
            st.caption("A community profile is read-only: nothing can be imported into it.")
            return
        upload = st.file_uploader("Import a profile", type=["json"], key="profile_upload")
        replace = st.checkbox("Replace my current profile", key="import_replace")
        if upload is not None and st.button("Import", key="import"):
            try:
                imported = _import(ctx, upload.getvalue(), replace)
            except (*USER_ERRORS, ValueError) as error:
                st.error(f"Could not import {escape(upload.name)}: {escape(error)}")
                return
            st.session_state[IMPORTED] = (  # st.rerun drops what this run drew: shown after it
                f"Imported: {len(imported.liked)} liked, {len(imported.disliked)} disliked "
                f"and {len(imported.seen)} seen."
            )
            st.rerun()


EXPORT_HINT = "export one from the app or with `movierec profile USER --export FILE`"


def _import(ctx: Context, raw: bytes, replace: bool) -> Profile:
    """Import an uploaded profile: the films in the catalog, noting the ids skipped. StoreError
    (or another user error) for a file that is not a profile, saying what to give instead."""
    if len(raw) > MAX_PROFILE_BYTES:
        raise ValueError(f"the file is over {MAX_PROFILE_BYTES >> 20} MiB; give a profile JSON")
    try:
        parsed = parse_json(raw)
    except JSONInputError as error:
        raise StoreError(f"not a JSON profile: {error}; {EXPORT_HINT}") from None
    data, skipped = catalog_import(parsed, ctx.user, ctx.recommender.movies.row_of)
    imported = ctx.store.import_profile(data, user=ctx.user, replace=replace)
    if skipped:
        note(skipped_note(skipped).capitalize() + ".")
    return imported


# -- taste map ------------------------------------------------------------------------------------


def taste_map(ctx: Context) -> None:
    import altair as alt

    points = resources.taste_map(resources.catalog_path()).copy()
    liked, disliked, seen = ctx.in_catalog()
    status = {i: "seen" for i in seen}
    if liked or disliked:
        hits = ctx.run(lambda: ctx.recommender.recommend(liked, disliked, k=RESULTS, seen=seen))
        status.update({h.id: "recommended" for h in hits or []})
        status.update({i: "liked" for i in liked})
        status.update({i: "disliked" for i in disliked})
    else:
        st.info("Like a few films and they light up here, with your recommendations.")
    points["status"] = points["id"].map(status).fillna("catalog")
    st.caption("Every film, placed so that films with similar stories sit close together.")
    colors = alt.Scale(
        domain=["catalog", "liked", "disliked", "seen", "recommended"],
        range=["#a3a3a3", "#16a34a", "#dc2626", "#d97706", "#2563eb"],
    )
    tooltip = ["title", "year", "genres", "status"]
    size = 18 if len(points) > 1000 else 70
    base = alt.Chart(points[points.status == "catalog"]).mark_circle(size=size, opacity=0.5)
    marked = alt.Chart(points[points.status != "catalog"]).mark_circle(size=120, opacity=0.95)
    encode = {
        "x": alt.X("x", axis=None),
        "y": alt.Y("y", axis=None),
        "color": alt.Color("status", scale=colors, legend=alt.Legend(title=None, orient="top")),
        "tooltip": tooltip,
    }
    chart = alt.layer(base.encode(**encode), marked.encode(**encode)).properties(height=620)
    st.altair_chart(chart.interactive(), width="stretch")
