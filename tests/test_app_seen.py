""" "👁 Seen it" in the app: the toggle beside 👍 / 👎, the Seen list, and seen films left out of
every recommendation from the profile. AppTest on the fixture catalog with the real model and a
real SQLite store."""

from __future__ import annotations

import json

import pytest

from movierec.app.cards import READ_ONLY_HELP
from movierec.store import COMMUNITY_SOURCE, ProfileStore
from tests import app_support
from tests.test_app import _chart_rows, card_titles, open_app, warnings

pytestmark = pytest.mark.model
store_path = app_support.store_path
LIKED = (949, 862, 603)  # Heat, Toy Story, The Matrix: enough likes to close the taste picker


def _ids(app, flow: str, action: str = "like") -> list[int]:
    prefix = f"{flow}-{action}-"
    return [int(b.key.rsplit("-", 1)[1]) for b in app.button if b.key and b.key.startswith(prefix)]


def _liker(store_path, user: str = "sid") -> ProfileStore:
    store = ProfileStore(store_path)
    for movie_id in LIKED:
        store.like(user, movie_id)
    return store


def test_seen_it_on_a_card_records_toggles_back_and_undoes(store_path):
    store = _liker(store_path)
    app = open_app(user="sid")
    app.text_input(key="mood_text").input("a crew plans a bank heist").run()
    film = next(i for i in _ids(app, "mood", "seen") if i not in LIKED)
    button = app.button(key=f"mood-seen-{film}")
    assert button.label == "👁 Seen it" and not button.disabled
    button.click().run()
    assert not app.exception, app.exception
    assert app.button(key=f"mood-seen-{film}").label == "👁 Seen"
    assert app.button(key=f"mood-seen-{film}").proto.type == "primary"
    last = store.events("sid")[-1]
    assert (last.movie_id, last.action, last.context["flow"]) == (film, "seen", "mood")
    assert store.profile("sid").seen == [film]

    app.button(key=f"mood-seen-{film}").click().run()  # a second click takes it back
    assert store.events("sid")[-1].action == "remove" and store.profile("sid").seen == []
    assert app.button(key=f"mood-seen-{film}").label == "👁 Seen it"

    liked = LIKED[0]  # Heat is a result: seen moves it out of the likes (one place per film)
    app.button(key=f"mood-seen-{liked}").click().run()
    assert store.profile("sid").seen == [liked] and liked not in store.profile("sid").liked
    assert app.button(key=f"mood-like-{liked}").label == "👍 Like"

    app.radio(key="page").set_value("❤️ My taste").run()
    app.button(key="undo").click().run()  # Undo puts Heat back among the likes
    assert not app.exception, app.exception
    assert store.profile("sid").seen == [] and liked in store.profile("sid").liked


def test_a_film_marked_seen_leaves_the_profile_recommendations(store_path):
    store = _liker(store_path)
    app = open_app(user="sid", page="❤️ My taste")
    first = _ids(app, "taste")
    assert len(first) == 12
    film = first[0]
    app.button(key=f"taste-seen-{film}").click().run()
    assert not app.exception, app.exception
    assert store.profile("sid").seen == [film]
    after = _ids(app, "taste")
    assert len(after) == 12 and film not in after
    shown = " ".join(m.value for m in app.markdown)
    assert "**👁 Seen** (1)" in shown

    again = open_app(user="sid", page="❤️ My taste")  # a new session: still left out
    assert _ids(again, "taste") == after

    app.button(key=f"remove-{film}").click().run()  # the Seen list's ✖
    assert store.profile("sid").seen == [] and store.profile("sid").liked == list(LIKED)
    assert _ids(app, "taste") == first
    assert "**👁 Seen** (0)" in " ".join(m.value for m in app.markdown)


def test_seen_films_not_in_the_catalog_are_counted_and_left_out(store_path):
    store = _liker(store_path)
    store.seen("sid", 99999999)  # a film of another catalog
    app = open_app(user="sid", page="❤️ My taste")
    assert warnings(app) == ""  # not "no film with id 99999999 in the catalog"
    assert "1 rated film is not in this catalog and left out." in [c.value for c in app.caption]
    assert len(_ids(app, "taste")) == 12 and "**👁 Seen** (0)" in " ".join(
        m.value for m in app.markdown
    )


def test_search_results_show_a_seen_film_as_seen(store_path):
    """Search and "more like this" show the profile's films with their state, as for likes."""
    ProfileStore(store_path).seen("sid", 949)  # Heat
    app = open_app(user="sid")
    app.text_input(key="mood_text").input("a crew plans a bank heist").run()
    assert "Heat (1995)" in card_titles(app)
    assert app.button(key="mood-seen-949").label == "👁 Seen"
    app.radio(key="page").set_value("🎞️ More like this").run()
    app.selectbox(key="similar_title").set_value("Heat (1995)").run()
    assert app.button(key="pick-seen-949").label == "👁 Seen"


def test_the_taste_map_marks_seen_films_and_recommends_none(store_path):
    store = ProfileStore(store_path)
    store.like("dee", 949)  # Heat
    store.dislike("dee", 862)  # Toy Story
    app = open_app(user="dee", page="🗺️ Taste map")
    seen = min(r["id"] for r in _chart_rows(app) if r["status"] == "recommended")
    store.seen("dee", seen)
    app = open_app(user="dee", page="🗺️ Taste map")
    status = {row["id"]: row["status"] for row in _chart_rows(app)}  # titles repeat (remakes)
    assert status[seen] == "seen" and status[949] == "liked" and status[862] == "disliked"
    assert list(status.values()).count("recommended") == 12


def test_the_taste_picker_offers_seen_it_and_leaves_seen_films_out(store_path):
    app = open_app(user="newbie", page="❤️ My taste")
    grid = _ids(app, "start")
    assert _ids(app, "start", "seen") == grid
    app.button(key=f"start-seen-{grid[0]}").click().run()
    assert not app.exception, app.exception
    assert ProfileStore(store_path).profile("newbie").seen == [grid[0]]
    assert app.button(key=f"start-seen-{grid[0]}").proto.type == "primary"
    assert "3 more likes to go" in " ".join(m.value for m in app.markdown)  # seen is no like
    assert "**👁 Seen** (1)" in " ".join(m.value for m in app.markdown)

    later = open_app(user="newbie", page="❤️ My taste")  # a new grid: the seen film is not in it
    assert len(_ids(later, "start")) == 12 and grid[0] not in _ids(later, "start")


def test_a_community_profile_shows_its_seen_films_read_only(store_path):
    store = ProfileStore(store_path)
    rows = [("ml:7", movie_id, "like") for movie_id in LIKED] + [("ml:7", 12, "seen")]  # Nemo
    store.import_events(rows, source=COMMUNITY_SOURCE)
    app = open_app(user="ml:7", page="❤️ My taste")
    assert "Finding Nemo (2003)" in " ".join(m.value for m in app.markdown)
    assert 12 not in _ids(app, "taste")
    seen = [b for b in app.button if b.key and "-seen-" in b.key]
    assert len(seen) == 12 and all(b.disabled and b.help == READ_ONLY_HELP for b in seen)
    assert app.button(key="remove-12").disabled
    own = open_app(user="ml7", page="❤️ My taste")  # an ordinary name: enabled, with a tooltip
    assert not any(b.disabled for b in own.button if b.key and "-seen-" in b.key)


def test_a_read_only_store_turns_seen_it_into_a_warning(store_path, monkeypatch):
    import movierec.store.sqlite as sqlite

    store = _liker(store_path, "ro")
    store.seen("ro", 12)
    before = store.events()
    monkeypatch.setattr(sqlite, "read_only_reason", lambda path: f"no permission to write {path}")
    app = open_app(user="ro", page="❤️ My taste")
    for key in (f"taste-seen-{_ids(app, 'taste')[0]}", "remove-12"):
        app.button(key=key).click().run()
        assert not app.exception, (key, app.exception)
        assert "is read-only" in warnings(app), key
    assert ProfileStore(store_path).events() == before


def test_an_imported_profile_brings_its_seen_films(store_path):
    store = ProfileStore(store_path)
    store.like("src", 949)
    store.dislike("src", 862)
    store.seen("src", 12)
    store.seen("src", 14160)
    exported = json.dumps(store.export_profile("src")).encode()
    app = open_app(user="imp", page="❤️ My taste")
    app.file_uploader(key="profile_upload").upload("src.json", exported, "application/json").run()
    app.button(key="import").click().run()
    assert not app.exception, app.exception
    imported = store.profile("imp")
    assert (imported.liked, imported.disliked, imported.seen) == ([949], [862], [12, 14160])
    assert "Imported: 1 liked, 1 disliked and 2 seen." in [s.value for s in app.success]
