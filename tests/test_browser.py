"""End to end in a real Chromium: mood → like → reload → the like is kept; more like this; a
first visit; watch together; "Seen it" on a recommendation; screenshots.

Uses Debian's `chromium` through Playwright's `executable_path` (Playwright's own browser
download does not work offline). Skipped when no Chromium is installed, unless
MOVIEREC_REQUIRE_BROWSER=1 (CI sets it, so there a missing browser fails the run).
Screenshots go to $MOVIEREC_SCREENSHOTS (the README's are in docs/screenshots), else tmp.
"""

from __future__ import annotations

import pytest

from movierec.store import ProfileStore
from tests import browser_support
from tests.browser_support import open_page as _page
from tests.browser_support import serve as _serve
from tests.browser_support import visit
from tests.browser_support import wait_for_results as _wait_for_results
from tests.helpers import FIXTURE_CATALOG

pytestmark = [pytest.mark.browser, pytest.mark.model]
chromium_path = browser_support.chromium_path
browser = browser_support.browser
shots = browser_support.shots


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, chromium_path):
    with _serve(tmp_path_factory.mktemp("browser-home"), FIXTURE_CATALOG) as served:
        yield served


def test_mood_like_reload_keeps_the_like(app_server, browser, shots) -> None:
    url, store = app_server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/?user=e2e")
    box = page.get_by_label("Describe what you feel like watching")
    box.wait_for(timeout=180_000)
    box.fill("a crew plans a bank heist")
    box.press("Enter")
    _wait_for_results(page)
    first_title = page.locator("h4").first.inner_text()
    assert first_title.split(" (")[0] in {"Heat", "Ocean's Eleven", "The Italian Job"}
    page.get_by_role("button", name="👍 Like").first.click()
    page.get_by_role("button", name="👍 Liked").first.wait_for(timeout=30_000)
    page.screenshot(path=str(shots / "mood.png"), full_page=False)

    liked = ProfileStore(store).profile("e2e").liked
    assert len(liked) == 1

    page.reload()
    _page(page, "❤️ My taste")
    page.get_by_text("Recommended for you").wait_for(timeout=60_000)
    _wait_for_results(page)
    assert page.get_by_text(first_title, exact=True).count() >= 1  # listed under Liked
    assert "Because you liked" in page.content()
    page.screenshot(path=str(shots / "taste.png"), full_page=False)
    assert ProfileStore(store).profile("e2e").liked == liked

    _page(page, "🗺️ Taste map")
    page.locator("canvas, svg.marks").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(shots / "map.png"), full_page=False)
    page.close()


def test_more_like_this(app_server, browser, shots) -> None:
    url, _ = app_server
    page = visit(browser, f"{url}/?user=e2e2")
    _page(page, "🎞️ More like this")
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Films like")
    picker.click()
    page.keyboard.type("Total Recall")
    page.get_by_role("option", name="Total Recall (1990)").click()
    _wait_for_results(page)
    titles = page.locator("h4").all_inner_texts()
    assert "Total Recall (1990)" not in titles and "Total Recall (2012)" in titles
    page.screenshot(path=str(shots / "similar.png"), full_page=False)
    page.close()


def test_first_visit_grid_then_recommendations(app_server, browser, shots) -> None:
    url, store = app_server
    page = visit(browser, f"{url}/?user=newcomer")
    _page(page, "❤️ My taste")
    page.get_by_text("3 more likes to go").wait_for(timeout=60_000)
    page.locator("h5").nth(11).wait_for(timeout=60_000)  # 12 films
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.screenshot(path=str(shots / "first_visit.png"), full_page=False)
    for left in ("2 more likes to go", "1 more like to go", "Recommended for you"):
        page.locator("button:not([kind=primary])").filter(has_text="👍").first.click()
        page.get_by_text(left).wait_for(timeout=60_000)
        browser_support.wait_until_settled(page, "button", settle_s=1.0)  # no stale click
    assert len(ProfileStore(store).profile("newcomer").liked) == 3


def test_watch_together(app_server, browser, shots) -> None:
    url, store = app_server
    profiles = ProfileStore(store)
    for movie_id in (949, 1538):  # Heat, Collateral
        profiles.like("alex", movie_id)
    for movie_id in (862, 12):  # Toy Story, Finding Nemo
        profiles.like("sam", movie_id)
    page = visit(browser, f"{url}/?user=alex")
    _page(page, "👥 Together")
    picker = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Who is watching?")
    picker.wait_for(timeout=60_000)
    picker.click()
    page.keyboard.type("sam")
    page.get_by_role("option", name="sam").click()
    page.keyboard.press("Escape")
    _wait_for_results(page)
    titles = page.locator("h4").all_inner_texts()
    assert len(titles) >= 6
    assert not {"Heat (1995)", "Toy Story (1995)"} & set(titles)
    page.screenshot(path=str(shots / "together.png"), full_page=False)
    # the card around the first title: its nearest enclosing block that holds the 👍 button
    first_card = page.locator("h4").first.locator("xpath=ancestor::div[.//button][1]")
    text = first_card.inner_text()
    assert "alex:" in text and "sam:" in text, text


def test_seen_it_leaves_the_recommendations(app_server, browser) -> None:
    url, store = app_server
    profiles = ProfileStore(store)
    for movie_id in (949, 862, 603):  # Heat, Toy Story, The Matrix: no taste picker
        profiles.like("watcher", movie_id)
    page = visit(browser, f"{url}/?user=watcher")
    _page(page, "❤️ My taste")
    page.get_by_text("Recommended for you").wait_for(timeout=60_000)
    _wait_for_results(page)
    first = page.locator("h4").first.inner_text()
    page.get_by_role("button", name="👁 Seen it").first.click()
    page.get_by_text("👁 Seen (1)").wait_for(timeout=60_000)
    _wait_for_results(page)
    assert first not in page.locator("h4").all_inner_texts()  # no longer recommended
    assert page.get_by_text(first, exact=True).count() == 1  # listed under Seen
    assert len(ProfileStore(store).profile("watcher").seen) == 1
    page.close()
