"""In a real Chromium: catalog titles and overviews, deep links and liked titles that carry
Markdown or HTML payloads render as text (no image, link, element, request or dialog)."""

from __future__ import annotations

import urllib.parse

import pytest

from movierec.markdown import JOINER
from movierec.store import ProfileStore
from tests import browser_support
from tests.browser_support import open_page as _page
from tests.browser_support import serve as _serve
from tests.browser_support import wait_for_results as _wait_for_results
from tests.helpers import PAYLOADS, payload_catalog

pytestmark = [pytest.mark.browser, pytest.mark.model]
chromium_path = browser_support.chromium_path
browser = browser_support.browser


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory, chromium_path):
    home = tmp_path_factory.mktemp("payload-home")
    with _serve(home, payload_catalog(home)) as served:
        yield served


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
