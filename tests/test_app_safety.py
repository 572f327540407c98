"""The app never renders catalog or user text as live Markdown/HTML, and shows community
(MovieLens) profiles read-only. AppTest on the fixture catalog with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from movierec.app.cards import READ_ONLY_HELP
from movierec.store import COMMUNITY_SOURCE, ProfileStore
from tests import app_support
from tests.helpers import PAYLOADS, payload_catalog

pytestmark = pytest.mark.model
markdown_it = pytest.importorskip("markdown_it")
APP = Path(__file__).resolve().parent.parent / "app" / "main.py"
PARSER = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
LIVE = {"link_open", "image", "html_inline", "html_block"}


def _live(text: str) -> set[str]:
    tokens = []
    for token in PARSER.parse(text):
        tokens += [token, *(token.children or [])]
    return LIVE & {t.type for t in tokens}


def _shown(app: AppTest) -> list[str]:
    """Every Markdown string the page renders: text elements and button labels."""
    kinds = ("markdown", "warning", "error", "info", "caption", "success")
    values = [e.value for kind in kinds for e in getattr(app, kind)]
    return values + [b.label for b in app.button]


def _open(query: dict[str, str], page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=180)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.radio(key="page").set_value(page).run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def payload_store(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MOVIEREC_CATALOG", str(payload_catalog(tmp_path)))
    path = tmp_path / "profiles.db"
    monkeypatch.setenv("MOVIEREC_STORE", str(path))
    return path


def test_payload_titles_and_overviews_render_as_text(payload_store) -> None:
    ProfileStore(payload_store).like("eve", 990002)
    app = _open({"user": "eve"})
    app.text_input(key="mood_text").input("a zebra herd").run()
    shown = _shown(app)
    assert any("990001" in str(b.key) for b in app.button)  # the payload films are shown
    assert any("\\!\\[x\\]" in value for value in shown)
    assert [value for value in shown if _live(value)] == []
    app.radio(key="page").set_value("❤️ My taste").run()  # "because you liked [go](…)"
    assert "Because you liked *\\[go\\]" in " ".join(_shown(app))
    assert [value for value in _shown(app) if _live(value)] == []


def test_the_taste_picker_renders_payload_titles_and_genres_as_text(payload_store) -> None:
    app = _open({"user": "newbie"}, page="❤️ My taste")  # no like yet: the first-visit grid
    tiles: list[str] = []
    captions: list[str] = []
    for _ in range(4):  # every film of the catalog, a grid at a time
        tiles += [m.value for m in app.markdown if m.value.startswith("##### ")]
        captions += [c.value for c in app.caption]
        shown = _shown(app)
        assert [value for value in shown if _live(value)] == []
        app.button(key="picker-others").click().run()
    assert any(t.startswith("##### \\!\\[x\\](http") for t in tiles)  # the payload films shown
    assert any(t.startswith("##### \\<script\\>") for t in tiles)
    assert any("Drama, \\<b\\>Bold\\</b\\>" in value for value in captions)  # the genres


def test_deep_links_are_escaped(payload_store) -> None:
    payload = "[go](javascript:alert(1)) ![x](http://127.0.0.1:9/t.png)"
    app = _open({"user": "<img src=x onerror=alert(1)>", "title": payload})
    app.radio(key="page").set_value("🎞️ More like this").run()
    assert not app.exception, app.exception
    shown = _shown(app)
    assert any("No film called" in value for value in shown)
    assert [value for value in shown if _live(value)] == []
    app.text_input(key="similar_steer").input(PAYLOADS[990001]).run()  # the "… but" text
    app.selectbox(key="similar_title").set_value("Heat (1995)").run()
    assert any("but *\\!\\[x\\]" in value for value in _shown(app))
    assert [value for value in _shown(app) if _live(value)] == []


store_path = app_support.store_path


def test_a_community_profile_is_shown_read_only(store_path) -> None:
    ProfileStore(store_path).like("ml:7", 949, source=COMMUNITY_SOURCE)
    app = _open({"user": "ml:7"}, page="❤️ My taste")
    assert "community profile imported from MovieLens" in " ".join(i.value for i in app.info)
    assert "Heat (1995)" in " ".join(m.value for m in app.markdown)  # shown
    rating = [b for b in app.button if b.key and ("-like-" in b.key or "-dislike-" in b.key)]
    assert rating and all(b.disabled for b in rating)
    assert "read-only" in (rating[0].help or "")
    assert app.button(key="remove-949").disabled and app.button(key="undo").disabled
    assert [e.movie_id for e in ProfileStore(store_path).events()] == [949]
    own = _open({"user": "ml7"}, page="❤️ My taste")  # an ordinary name is not read-only
    assert not any(b.disabled for b in own.button if b.key and "-like-" in b.key)


def test_the_taste_picker_is_read_only_for_a_community_profile(store_path) -> None:
    ProfileStore(store_path).dislike("ml:9", 949, source=COMMUNITY_SOURCE)  # no like: the grid
    app = _open({"user": "ml:9"}, page="❤️ My taste")
    tiles = [b for b in app.button if b.key and b.key.startswith("start-")]
    assert len(tiles) == 36 and all(b.disabled for b in tiles)  # 12 films: 👍, 👎 and 👁 each
    assert all(b.help == READ_ONLY_HELP for b in tiles)  # the rating buttons' tooltip
    own = _open({"user": "ml9"}, page="❤️ My taste")
    assert not any(b.disabled for b in own.button if b.key and b.key.startswith("start-"))
