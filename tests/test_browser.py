"""End to end in a real Chromium: mood → like → reload → the like is kept; screenshots.

Uses Debian's `chromium` through Playwright's `executable_path` (Playwright's own browser
download does not work offline). Skipped when no Chromium is installed, unless
MOVIEREC_REQUIRE_BROWSER=1 (CI sets it, so there a missing browser fails the run).
Screenshots go to $MOVIEREC_SCREENSHOTS (the README's are in docs/screenshots), else tmp.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from movierec.markdown import JOINER
from movierec.store import ProfileStore
from tests.helpers import FIXTURE_CATALOG, PAYLOADS, payload_catalog

pytestmark = [pytest.mark.browser, pytest.mark.model]
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the app did not start at {url} within {timeout}s")


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if CHROMIUM is None:
        if os.environ.get("MOVIEREC_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required here: install Debian's `chromium` package")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    return CHROMIUM


@contextmanager
def _serve(home: Path, catalog: Path) -> Iterator[tuple[str, Path]]:
    """The app on a free port over `catalog`, its store and index under `home`."""
    store = home / "profiles.db"
    port = _free_port()
    env = {
        **os.environ,
        "MOVIEREC_HOME": str(home),
        "MOVIEREC_STORE": str(store),
        "MOVIEREC_CATALOG": str(catalog),
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url, store
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, chromium_path):
    with _serve(tmp_path_factory.mktemp("browser-home"), FIXTURE_CATALOG) as served:
        yield served


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory, chromium_path):
    home = tmp_path_factory.mktemp("payload-home")
    with _serve(home, payload_catalog(home)) as served:
        yield served


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    directory = Path(os.environ.get("MOVIEREC_SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _wait_for_results(page) -> None:
    page.locator("h4").first.wait_for(timeout=120_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def _page(page, name: str) -> None:
    page.get_by_text(name, exact=True).click()


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
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/?user=e2e2")
    page.get_by_label("Describe what you feel like watching").wait_for(timeout=180_000)
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
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/?user=newcomer")
    page.get_by_label("Describe what you feel like watching").wait_for(timeout=180_000)
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
    assert len(ProfileStore(store).profile("newcomer").liked) == 3


def test_watch_together(app_server, browser, shots) -> None:
    url, store = app_server
    profiles = ProfileStore(store)
    for movie_id in (949, 1538):  # Heat, Collateral
        profiles.like("alex", movie_id)
    for movie_id in (862, 12):  # Toy Story, Finding Nemo
        profiles.like("sam", movie_id)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/?user=alex")
    page.get_by_label("Describe what you feel like watching").wait_for(timeout=180_000)
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


def _nothing_injected(page, requests: list[str], dialogs: list[str]) -> None:
    """No payload became an element, a link, a request or a dialog."""
    assert page.locator('img[src*="127.0.0.1:9"], img[src="x"]').count() == 0
    links = page.eval_on_selector_all(
        'a[href^="javascript:"], a[href*="127.0.0.1:9"]', "els => els.map(e => e.outerHTML)"
    )
    assert links == []
    assert page.locator("b", has_text="Bold").count() == 0  # the <b> in a genre name
    scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent)")
    assert not [text for text in scripts if "alert(" in text]
    assert [url for url in requests if "127.0.0.1:9/" in url] == [] and dialogs == []


def test_markdown_and_html_in_titles_and_links_stay_text(payload_server, browser) -> None:
    url, store = payload_server
    ProfileStore(store).like("eve", 990002)  # "because you liked [go](javascript:…)"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    title = urllib.parse.quote(PAYLOADS[990001])
    page.goto(f"{url}/?user=eve&title={title}")
    box = page.get_by_label("Describe what you feel like watching")
    box.wait_for(timeout=180_000)
    box.fill("a zebra herd crosses the plains")
    box.press("Enter")
    _wait_for_results(page)
    titles = [t.replace(JOINER, "") for t in page.locator("h4").all_inner_texts()]
    assert set(PAYLOADS.values()) <= {t.removesuffix(" (2001)") for t in titles}
    assert page.get_by_text(PAYLOADS[990003], exact=False).count() >= 1  # overview, as text
    _nothing_injected(page, requests, dialogs)

    _page(page, "🎞️ More like this")  # the deep link's ?title= is a payload film
    heading = page.get_by_text("Films like ![x](http").first  # a U+2060 follows "http"
    heading.wait_for(timeout=60_000)
    _wait_for_results(page)
    assert heading.inner_text().replace(JOINER, "") == f"Films like {PAYLOADS[990001]} (2001)"
    _nothing_injected(page, requests, dialogs)

    _page(page, "❤️ My taste")
    page.get_by_text("Recommended for you").wait_for(timeout=60_000)
    _wait_for_results(page)
    page.get_by_text("Because you liked [go](javascript:alert(1))").first.wait_for(timeout=60_000)
    _nothing_injected(page, requests, dialogs)
    page.close()
