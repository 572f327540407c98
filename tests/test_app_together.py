"""The 👥 Together page through AppTest, on the fixture catalog with the real model."""

from __future__ import annotations

import pytest

from movierec.store import ProfileStore
from tests.test_app import card_titles, open_app, store_path  # noqa: F401  (fixture)

pytestmark = pytest.mark.model
PAGE = "👥 Together"
ALEX = {949: "Heat (1995)", 1538: "Collateral (2004)"}  # liked
SAM = {862: "Toy Story (1995)", 12: "Finding Nemo (2003)"}  # liked
SAM_DISLIKED = {694: "The Shining (1980)"}


@pytest.fixture
def profiles(store_path):  # noqa: F811
    store = ProfileStore(store_path)
    for movie_id in ALEX:
        store.like("alex", movie_id)
    for movie_id in SAM:
        store.like("sam", movie_id)
    store.dislike("sam", *SAM_DISLIKED)
    return store


def test_pick_two_profiles_and_see_cards_for_both(profiles):
    app = open_app(user="alex", page=PAGE)
    picker = app.multiselect(key="together_names")
    assert picker.value == ["alex"] and set(picker.options) == {"alex", "sam"}
    assert "two or more profiles" in " ".join(i.value for i in app.info)
    assert card_titles(app) == []

    picker.set_value(["alex", "sam"]).run()
    assert not app.exception, app.exception
    titles = card_titles(app)
    assert len(titles) >= 6
    assert not set(titles) & {*ALEX.values(), *SAM.values(), *SAM_DISLIKED.values()}
    parts = [m.value for m in app.markdown if "**alex**:" in m.value]
    assert len(parts) == len(titles)
    assert all("**sam**:" in part for part in parts)
    assert "because you liked *" in " ".join(parts)

    app.radio(key="page").set_value("🔮 Mood").run()  # the choice survives another page
    app.radio(key="page").set_value(PAGE).run()
    assert app.multiselect(key="together_names").value == ["alex", "sam"]


def test_a_profile_with_nothing_rated_is_a_warning(profiles, store_path):  # noqa: F811
    ProfileStore(store_path).like("empty", 13)
    ProfileStore(store_path).remove("empty", 13)
    app = open_app(user="alex", page=PAGE)
    app.multiselect(key="together_names").set_value(["alex", "empty"]).run()
    assert not app.exception, app.exception
    assert "empty's profile is empty" in " ".join(w.value for w in app.warning)
