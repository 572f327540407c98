"""Property test: any interleaving of like / dislike / remove / undo / clear / imports leaves an
event log whose replay equals every profile, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movierec.store import Profile, ProfileStore, derive_profiles
from tests.postgres import Locations

USERS = ("ann", "bob", "ml:1")
FILMS = st.integers(min_value=1, max_value=6)
user = st.sampled_from(USERS)
steps = st.one_of(
    st.tuples(st.sampled_from(["like", "dislike", "remove"]), user, FILMS),
    st.tuples(st.sampled_from(["undo", "clear"]), user),
    st.tuples(
        st.just("import_events"),
        st.lists(
            st.tuples(user, FILMS, st.sampled_from(["like", "dislike", "remove"])), max_size=4
        ),
    ),
    st.tuples(
        st.just("import_profile"),
        user,
        st.lists(FILMS, max_size=3, unique=True),
        st.lists(FILMS, max_size=3, unique=True),
        st.booleans(),
    ),
)
_COUNTER = itertools.count()


def _apply(store: ProfileStore, step: tuple) -> None:
    kind = step[0]
    if kind in ("like", "dislike", "remove"):
        _, name, film = step
        getattr(store, kind)(name, film)
        profile = store.profile(name)
        assert (film in profile.liked) == (kind == "like")
        assert (film in profile.disliked) == (kind == "dislike")
    elif kind == "undo":
        store.undo(step[1])
    elif kind == "clear":
        store.clear(step[1])
        assert store.profile(step[1]) == Profile(step[1], [], [])
    elif kind == "import_events":
        store.import_events(step[1])
    else:
        _, name, liked, disliked, replace = step
        disliked = [film for film in disliked if film not in liked]
        data = {"format": "movierec-profile", "version": 1, "liked": liked, "disliked": disliked}
        after = store.import_profile(data, user=name, replace=replace)
        assert set(liked) <= set(after.liked) and set(disliked) <= set(after.disliked)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=st.lists(steps, min_size=1, max_size=12))
def test_replaying_the_log_equals_every_profile(new_location: Locations, script: list) -> None:
    store = ProfileStore(new_location(f"property-{next(_COUNTER)}.db"))
    try:
        for step in script:
            _apply(store, step)
        expected = {name: store.profile(name) for name in store.users()}
        assert derive_profiles(store.events()) == expected
        assert store.all_profiles() == expected
    finally:
        store.close()
