"""The mood page shows what it understood as chips; removing one reruns without it."""

from __future__ import annotations

import re

import pytest

from tests import app_support, test_app

pytestmark = pytest.mark.model
store_path = app_support.store_path


def chips(app) -> list[str]:
    return [b.label for b in app.button if b.key and b.key.startswith("chip-")]


def years(app) -> set[int]:
    titles = test_app.card_titles(app)
    return {int(m[1]) for t in titles if (m := re.search(r"\((\d{4})\)$", t))}


def test_chips_show_and_removing_one_drops_it(store_path) -> None:
    app = test_app.open_app()
    app.text_input(key="mood_text").input("a 90s comedy about growing up").run()
    assert chips(app) == ["1990–1999 ✕", "Comedy ✕"]
    assert years(app) and years(app) <= set(range(1990, 2000))
    app.button(key="chip-0").click().run()
    assert not app.exception, app.exception
    assert chips(app) == ["Comedy ✕"]
    assert years(app) - set(range(1990, 2000))  # other decades are back
    app.button(key="chips-restore").click().run()
    assert chips(app) == ["1990–1999 ✕", "Comedy ✕"]


def test_sidebar_filters_win_over_a_chip(store_path) -> None:
    app = test_app.open_app()
    app.multiselect(key="genres").set_value(["Drama"]).run()
    app.text_input(key="mood_text").input("no drama, something from the 90s").run()
    assert chips(app) == ["1990–1999 ✕"]
    assert any("sidebar filters win over: not Drama" in c.value for c in app.caption)


def test_constraints_that_cannot_both_hold_show_as_chips_to_drop_one(store_path) -> None:
    app = test_app.open_app()
    app.text_input(key="mood_text").input("a 2000s film from before 1990").run()
    assert not app.exception, app.exception
    assert any("cannot both hold; remove one" in w.value for w in app.warning), app.warning
    assert chips(app) == ["2000–2009 ✕", "≤ 1989 ✕"] and not test_app.card_titles(app)
    app.button(key="chip-1").click().run()
    assert not app.exception and not app.warning, app.warning
    assert chips(app) == ["2000–2009 ✕"]
    assert years(app) and years(app) <= set(range(2000, 2010))
