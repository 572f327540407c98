"""The Streamlit app driven through AppTest, on the fixture catalog with the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from movierec.store import ProfileStore
from tests import app_support
from tests.helpers import FIXTURE_CATALOG

pytestmark = pytest.mark.model
APP = Path(__file__).resolve().parent.parent / "app" / "main.py"
HEIST_FILMS = {"Heat (1995)", "Ocean's Eleven (2001)", "The Italian Job (2003)"}


store_path = app_support.store_path


def open_app(user: str = "alice", page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.query_params["user"] = user
    app.run()
    assert not app.exception, app.exception
    if page:
        app.radio(key="page").set_value(page).run()
        assert not app.exception, app.exception
    return app


def card_titles(app: AppTest) -> list[str]:
    return [m.value.removeprefix("#### ") for m in app.markdown if m.value.startswith("#### ")]


def warnings(app: AppTest) -> str:
    return " ".join(w.value for w in app.warning)


def test_mood_shows_explained_results(store_path):
    app = open_app()
    app.text_input(key="mood_text").input("a crew plans a bank heist").run()
    titles = card_titles(app)
    assert len(titles) >= 5
    assert set(titles[:3]) & HEIST_FILMS
    explanations = " ".join(m.value for m in app.markdown)
    assert "**heist**" in explanations and "meaning similarity" in explanations


def test_empty_mood_offers_examples_that_work(store_path):
    app = open_app()
    assert card_titles(app) == []
    examples = [b for b in app.button if b.key and b.key.startswith("example-")]
    assert len(examples) >= 3
    app.button(key="example-1").click().run()  # "heist with a clever twist"
    assert app.text_input(key="mood_text").value.startswith("heist")
    assert set(card_titles(app)) & HEIST_FILMS


def test_more_like_this_never_shows_the_film_itself(store_path):
    app = open_app(page="🎞️ More like this")
    app.selectbox(key="similar_title").set_value("Total Recall (1990)").run()
    titles = card_titles(app)
    assert "Total Recall (1990)" not in titles
    # the remake is among the closest films (the quality prior lifts better-known ones too)
    assert "Total Recall (2012)" in titles[:3]
    app.text_input(key="similar_steer").input("but animated and for kids").run()
    assert not app.exception
    assert "Total Recall (1990)" not in card_titles(app)


def test_unknown_title_suggests_closest(store_path):
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.query_params["user"] = "alice"
    app.query_params["title"] = "Finding Nemmo"  # a deep link with a typo
    app.run()
    app.radio(key="page").set_value("🎞️ More like this").run()
    assert not app.exception
    assert "Did you mean" in warnings(app)
    suggestion = app.button(key="suggest-0")
    assert suggestion.label == "Finding Nemo (2003)"
    suggestion.click().run()
    assert app.selectbox(key="similar_title").value == "Finding Nemo (2003)"
    assert card_titles(app) and "Finding Nemo (2003)" not in card_titles(app)
    assert "Did you mean" not in warnings(app)


def _rating_keys(app: AppTest, flow: str, action: str) -> list[str]:
    prefix = f"{flow}-{action}-"
    return [b.key for b in app.button if b.key and b.key.startswith(prefix)]


def like_on_the_grid(app: AppTest, movie_id: int) -> None:
    """Like a film of the first-visit grid, clicking "Show others" until it is there."""
    for _ in range(5):
        if f"start-like-{movie_id}" in _rating_keys(app, "start", "like"):
            break
        app.button(key="picker-others").click().run()
    app.button(key=f"start-like-{movie_id}").click().run()
    assert not app.exception, app.exception


def test_likes_change_recommendations_and_persist(store_path):
    app = open_app(user="bea", page="❤️ My taste")
    assert "profile is empty" in " ".join(i.value for i in app.info)
    like_on_the_grid(app, 862)  # Toy Story, from the first-visit grid
    app.button(key="picker-done").click().run()  # recommendations before the third like
    first = card_titles(app)
    assert first and "Toy Story (1995)" not in first
    app.radio(key="page").set_value("🎞️ More like this").run()
    app.selectbox(key="similar_title").set_value("Heat (1995)").run()
    liked_key, disliked_key = _rating_keys(app, "similar", "like")[0], None
    app.button(key=liked_key).click().run()
    assert app.button(key=liked_key).label == "👍 Liked"
    disliked_key = _rating_keys(app, "similar", "dislike")[1]
    app.button(key=disliked_key).click().run()
    liked_id, disliked_id = int(liked_key.rsplit("-", 1)[1]), int(disliked_key.rsplit("-", 1)[1])

    app.radio(key="page").set_value("❤️ My taste").run()
    after = card_titles(app)
    assert after and after != first
    recommended_ids = {int(k.rsplit("-", 1)[1]) for k in _rating_keys(app, "taste", "like")}
    assert not {862, liked_id, disliked_id} & recommended_ids
    because = " ".join(m.value for m in app.markdown if "Because you liked" in m.value)
    assert "*Toy Story (1995)*" in because

    profile = ProfileStore(store_path).profile("bea")
    assert profile.liked == [862, liked_id] and profile.disliked == [disliked_id]
    again = open_app(user="bea", page="❤️ My taste")  # a new session for the same user
    listed = " ".join(m.value for m in again.markdown)
    assert "Toy Story (1995)" in listed
    assert card_titles(again) == after


def test_remove_and_undo(store_path):
    ProfileStore(store_path).like("cy", 862)
    ProfileStore(store_path).like("cy", 12)
    app = open_app(user="cy", page="❤️ My taste")
    app.button(key="remove-862").click().run()
    assert ProfileStore(store_path).profile("cy").liked == [12]
    app.button(key="undo").click().run()
    assert sorted(ProfileStore(store_path).profile("cy").liked) == [12, 862]


def test_removing_a_film_removed_elsewhere_records_nothing(store_path):
    store = ProfileStore(store_path)
    store.like("cy", 862)
    store.like("cy", 12)
    app = open_app(user="cy", page="❤️ My taste")
    store.remove("cy", 862)  # a second tab, while this page still lists Toy Story
    app.button(key="remove-862").click().run()
    assert not app.exception, app.exception
    assert [e.action for e in store.events("cy")] == ["like", "like", "remove"]  # no new event
    app.button(key="undo").click().run()  # takes back the other tab's remove, not a no-op
    assert sorted(store.profile("cy").liked) == [12, 862]


def test_a_read_only_store_turns_every_button_into_a_warning(store_path, monkeypatch):
    import movierec.store.sqlite as sqlite

    store = ProfileStore(store_path)
    for movie_id in (949, 862, 603):  # Heat, Toy Story, The Matrix
        store.like("ro", movie_id)
    before = store.events()
    # as root, chmod does not stop writes: the store is told the file is read-only instead
    monkeypatch.setattr(sqlite, "read_only_reason", lambda path: f"no permission to write {path}")
    app = open_app(user="ro", page="❤️ My taste")
    recommended = _rating_keys(app, "taste", "like")[0]
    clicks = ["remove-949", "undo", recommended, _rating_keys(app, "taste", "dislike")[1]]
    for key in clicks:
        app.button(key=key).click().run()
        assert not app.exception, (key, app.exception)
        assert "is read-only" in warnings(app) and "nothing can be saved" in warnings(app), key
    app.button(key="refine").click().run()  # the taste picker's tiles too
    assert "is read-only" not in warnings(app)  # the warning is for the click that failed
    app.button(key=_rating_keys(app, "start", "like")[0]).click().run()
    assert not app.exception, app.exception
    assert "is read-only" in warnings(app)
    app.radio(key="page").set_value("🎞️ More like this").run()
    app.selectbox(key="similar_title").set_value("Heat (1995)").run()
    app.button(key=_rating_keys(app, "similar", "like")[0]).click().run()
    assert not app.exception, app.exception
    assert "is read-only" in warnings(app)
    assert ProfileStore(store_path).events() == before


def test_a_blank_title_link_shows_the_prompt(store_path):
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.query_params["user"] = "alice"
    app.query_params["title"] = "   "  # ?title=%20%20%20
    app.run()
    app.radio(key="page").set_value("🎞️ More like this").run()
    assert not app.exception, app.exception
    assert warnings(app) == ""  # not the API's "give a title or an id"
    assert "Pick a film you love" in " ".join(i.value for i in app.info)
    assert card_titles(app) == []


def test_a_profile_upload_that_is_not_json_is_one_message(store_path, fake_encoder):
    from movierec.app import flows
    from movierec.filters import Filters
    from movierec.store import StoreError
    from tests.helpers import fixture_recommender

    store = ProfileStore(store_path)
    store.like("alice", 862)
    before = store.events()
    ctx = flows.Context(fixture_recommender(fake_encoder), store, "alice", Filters(), 0.0)
    uploads = {  # each under MAX_PROFILE_BYTES
        b"[" * 100_000 + b"]" * 100_000: "JSON nested too deeply",
        b'{"liked": [' + b"9" * 5000 + b"]}": "a number of 5,000 digits is too large",
        b"": "not valid JSON (Expecting value at column 1)",
        b"\xff\xfe{": "not UTF-8 text",
    }
    for raw, reason in uploads.items():
        with pytest.raises(StoreError) as caught:
            flows._import(ctx, raw, replace=True)
        message = str(caught.value)
        assert message == (
            f"not a JSON profile: {reason}; export one from the app or with "
            "`movierec profile USER --export FILE`"
        )
        assert "sys.set_int_max_str_digits" not in message
    assert store.events() == before and store.profile("alice").liked == [862]
    exported = json.dumps(store.export_profile("alice")).replace("862", "949").encode()
    assert flows._import(ctx, exported, replace=True).liked == [949]  # a real export still works


def test_the_app_keeps_profiles_in_a_postgres_store(pg_location, monkeypatch):
    # MOVIEREC_STORE as a replica behind a load balancer would have it: a PostgreSQL URL.
    monkeypatch.setenv("MOVIEREC_CATALOG", str(FIXTURE_CATALOG))
    monkeypatch.setenv("MOVIEREC_STORE", str(pg_location()))
    app = open_app(user="gus", page="❤️ My taste")
    like_on_the_grid(app, 862)
    assert not app.exception, app.exception
    assert ProfileStore(str(pg_location())).profile("gus").liked == [862]
    other = open_app(user="gus", page="❤️ My taste")  # a new session sees the like
    assert "Toy Story (1995)" in " ".join(m.value for m in other.markdown)
    other.button(key="remove-862").click().run()
    assert ProfileStore(str(pg_location())).profile("gus").liked == []


def test_an_unreachable_profile_store_is_a_message_not_a_traceback(store_path, monkeypatch):
    monkeypatch.setenv("MOVIEREC_STORE", "postgresql://app:s3cret@127.0.0.1:1/movierec")
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    message = " ".join(e.value for e in app.error)
    assert "cannot connect to the profile database" in message
    assert "server is running" in message and "s3cret" not in message


def test_a_damaged_profile_file_is_a_message_not_a_traceback(store_path):
    store_path.write_bytes(b"this is not a database" * 100)
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    assert str(store_path) in " ".join(e.value for e in app.error)
    assert store_path.read_bytes() == b"this is not a database" * 100  # left as it was


def test_filters_narrow_results(store_path):
    app = open_app()
    app.text_input(key="mood_text").input("an adventure").run()
    unfiltered = card_titles(app)
    app.multiselect(key="genres").set_value(["Animation"]).run()
    filtered = card_titles(app)
    animated = {"Toy Story (1995)", "Finding Nemo (2003)", "Up (2009)", "The Lion King (1994)",
                "Spirited Away (2001)", "WALL·E (2008)"}  # fmt: skip
    assert filtered and set(filtered) <= animated
    assert filtered != unfiltered
    app.slider(key="min_rating").set_value(9.5).run()
    assert card_titles(app) == []
    assert "Loosen them" in " ".join(i.value for i in app.info)


def _chart_rows(app: AppTest) -> list[dict]:
    import pyarrow as pa

    charts = [e for e in app.main.children.values() if getattr(e, "type", "") == "vega_lite_chart"]
    assert len(charts) == 1
    rows = []
    for dataset in charts[0].proto.datasets:
        rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    return rows


def test_taste_map_highlights_the_profile(store_path):
    ProfileStore(store_path).like("dee", 949)  # Heat
    ProfileStore(store_path).dislike("dee", 862)  # Toy Story
    app = open_app(user="dee", page="🗺️ Taste map")
    rows = _chart_rows(app)
    assert len(rows) == 30  # every film of the fixture catalog, once
    status = {row["title"]: row["status"] for row in rows}
    assert status["Heat"] == "liked" and status["Toy Story"] == "disliked"
    assert [row["status"] for row in rows].count("recommended") == 12
    assert all(-1.0 <= row["x"] <= 1.0 and -1.0 <= row["y"] <= 1.0 for row in rows)


def test_taste_map_leaves_out_films_not_in_the_catalog(store_path):
    store = ProfileStore(store_path)
    store.like("dee", 949)  # Heat
    store.like("dee", 99999999)  # a film of another catalog
    store.dislike("dee", 862)  # Toy Story
    app = open_app(user="dee", page="🗺️ Taste map")
    assert warnings(app) == ""  # not "no film with id 99999999 in the catalog"
    status = {row["title"]: row["status"] for row in _chart_rows(app)}
    assert status["Heat"] == "liked" and status["Toy Story"] == "disliked"
    assert list(status.values()).count("recommended") == 12
    left_out = "1 rated film is not in this catalog and left out."
    assert left_out in [c.value for c in app.caption]
    app.radio(key="page").set_value("❤️ My taste").run()  # the same words on "My taste"
    assert left_out in [c.value for c in app.caption] and card_titles(app)


def test_a_tuned_engine_offers_the_new_films_toggle(store_path):
    """After `movierec tune` on a few likes, the sidebar offers to lift the films the tuning saw
    nobody like, and the cards that got the lift say so."""
    import streamlit as st

    from movierec.config import default_index_dir
    from movierec.recommender import Recommender
    from movierec.tuning import TrainConfig, adapter_dir, tune

    profiles = ProfileStore(store_path)
    for movie in (862, 12, 14160):  # Toy Story, Finding Nemo, Up
        profiles.like("cleo", movie)
    app = open_app(user="cleo", page="❤️ My taste")
    assert not [t for t in app.toggle if t.key == "new_films"]  # not tuned: nothing to offer
    assert any("Taste model: plain sentence vectors" in c.value for c in app.sidebar.caption)
    likes = {f"u{u}": [862, 12, 14160, 949, 161] for u in range(4)}  # five films seen liked
    base = Recommender.open(FIXTURE_CATALOG, tuned=False)  # the index the app has built
    tune(base.bundle, base.encoder, likes, adapter_dir(default_index_dir(FIXTURE_CATALOG)), [],
         TrainConfig(steps=5, batch_size=8, lr=1e-2))  # fmt: skip
    st.cache_resource.clear()  # a fresh server: the index of this test's MOVIEREC_HOME
    app = open_app(user="cleo", page="❤️ My taste")
    assert any(
        "Taste model: adapter learnt here by movierec tune" in c.value for c in app.sidebar.caption
    )
    plain = card_titles(app)
    said = " ".join(m.value for m in app.markdown)
    assert plain and "new to the tuned model" not in said.lower()
    app.toggle(key="new_films").set_value(True).run()
    assert not app.exception, app.exception
    said = " ".join(m.value for m in app.markdown)
    assert "new to the tuned model, lifted by 0.02" in said.lower()
