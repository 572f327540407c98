"""What the real-browser tests share: Chromium, the app served on a free port, page helpers.

Uses Debian's `chromium` through Playwright's `executable_path` (Playwright's own browser
download does not work offline). Skipped when no Chromium is installed, unless
MOVIEREC_REQUIRE_BROWSER=1 (CI sets it, so there a missing browser fails the run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
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
def serve(home: Path, catalog: Path) -> Iterator[tuple[str, Path]]:
    """The app on a free port over `catalog`, its store and index under `home`."""
    store = home / "profiles.db"
    port = free_port()
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
        wait_healthy(url, server)
        yield url, store
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


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


def wait_for_results(page, settle_s: float = 2.0, timeout_s: float = 120.0) -> None:
    """Until result cards are on the page, the app is not running and the cards have not
    changed for `settle_s` (a rerun's status widget can appear a moment after the first cards
    of the previous run, so neither alone says the results are final)."""
    page.locator("h4").first.wait_for(timeout=120_000)
    wait_until_settled(page, "h4", settle_s, timeout_s)


def wait_until_settled(
    page, selector: str, settle_s: float = 2.0, timeout_s: float = 120.0
) -> None:
    """Until the app is not running and the texts of `selector` have not changed for
    `settle_s` (e.g. buttons after a click: the next click must not land on a stale one)."""
    idle = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    deadline = time.monotonic() + timeout_s
    seen, since = None, time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_function(idle, timeout=60_000)
        texts = page.locator(selector).all_inner_texts()
        if texts != seen:
            seen, since = texts, time.monotonic()
        elif time.monotonic() - since >= settle_s:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} never settled: {seen}")


def open_page(page, name: str) -> None:
    page.get_by_text(name, exact=True).click()


def visit(browser, url: str) -> Any:
    """A new page on `url` (the app with its query string), once the mood box is there."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_label("Describe what you feel like watching").wait_for(timeout=180_000)
    return page
