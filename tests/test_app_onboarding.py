"""The first visit in the app: a grid to like, then recommendations; "Refine my taste"."""

from __future__ import annotations

import pytest

from movierec.store import ProfileStore
from tests import app_support
from tests.test_app import open_app

store_path = app_support.store_path

pytestmark = pytest.mark.model


def _ids(app, flow: str, action: str = "like") -> list[int]:
    prefix = f"{flow}-{action}-"
    return [int(b.key.rsplit("-", 1)[1]) for b in app.button if b.key and b.key.startswith(prefix)]


def _markdown(app) -> str:
    return " ".join(m.value for m in app.markdown)


def test_a_new_user_likes_three_films_of_the_grid_and_gets_recommendations(store_path):
    app = open_app(user="newbie", page="❤️ My taste")
    assert "profile is empty" in " ".join(i.value for i in app.info)
    grid = _ids(app, "start")
    assert len(grid) == 12 and _ids(app, "taste") == []
    assert "3 more likes to go" in _markdown(app)

    app.button(key="picker-others").click().run()  # "show others": a new grid, no repeats
    others = _ids(app, "start")
    assert len(others) == 12 and not set(others) & set(grid)

    liked = others[:3]
    app.button(key=f"start-like-{liked[0]}").click().run()
    assert "2 more likes to go" in _markdown(app) and _ids(app, "start") == others
    app.button(key=f"start-like-{liked[1]}").click().run()
    assert "1 more like to go" in _markdown(app)
    app.button(key=f"start-like-{liked[2]}").click().run()
    assert not app.exception, app.exception

    assert _ids(app, "start") == [] and [h.value for h in app.subheader] == ["Recommended for you"]
    recommended = _ids(app, "taste")
    assert len(recommended) >= 5 and not set(recommended) & set(liked)
    assert ProfileStore(store_path).profile("newbie").liked == liked


def test_refine_my_taste_reopens_the_grid(store_path):
    store = ProfileStore(store_path)
    for movie_id in (949, 862, 603):  # Heat, Toy Story, The Matrix
        store.like("rae", movie_id)
    app = open_app(user="rae", page="❤️ My taste")
    assert _ids(app, "start") == [] and _ids(app, "taste")

    app.button(key="refine").click().run()
    grid = _ids(app, "start")
    assert len(grid) == 12 and not {949, 862, 603} & set(grid)  # rated films are not asked
    assert "3 more likes to go" in _markdown(app) and _ids(app, "taste") == []
    app.button(key=f"start-like-{grid[0]}").click().run()
    assert "2 more likes to go" in _markdown(app)

    app.button(key="picker-done").click().run()  # back to the recommendations at any time
    assert _ids(app, "start") == [] and _ids(app, "taste")
    assert store.profile("rae").liked == [949, 862, 603, grid[0]]


def test_show_others_goes_through_the_catalog_then_starts_again(store_path):
    app = open_app(user="cat", page="❤️ My taste")
    seen: list[int] = []
    while len(seen) < 30:  # the fixture catalog's 30 films, each shown once
        grid = _ids(app, "start")
        assert grid and not set(grid) & set(seen)
        seen += grid
        app.button(key="picker-others").click().run()
    assert sorted(seen) == sorted(set(seen)) and _ids(app, "start")[:1] == seen[:1]
