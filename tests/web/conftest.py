"""The page under a real browser: uvicorn on a free port serving ``create_app`` over an index of a corpus copy
(built with the hash embedder), and Debian's headless Chromium driven by playwright-python.

Each test gets a fresh browser context (no shared local storage or history) on one shared browser and server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kgqa.apps.api import create_app
from kgqa.apps.web import mount_web
from kgqa.apps.web.mount import graph_library_missing
from kgqa.testing import LiveServer as Server

if TYPE_CHECKING:
    from conftest import FakeIndexFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000



@pytest.fixture(scope="session")
def web_server(make_fake_index: FakeIndexFactory) -> Iterator[Server]:
    problem = graph_library_missing()
    if problem:
        pytest.fail(problem)
    built = make_fake_index("web", rate_limit="")  # search-as-you-type is bursty
    app = create_app(built.settings, embedder=built.embedder)
    mount_web(app)  # a no-op once create_app serves the page itself
    server = Server.start(app, name="uvicorn-web")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_server: Server):  # type: ignore[no-untyped-def]
    """A fresh page on the app, in English, that fails the test on any script error or off-site request."""
    # Playwright's wait_for_function polls with eval, which the page's CSP forbids; the CSP itself is checked
    # by test_web_hardening on a context that enforces it
    context = browser.new_context(viewport={"width": 1400, "height": 850}, locale="en-US", bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    offsite: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a 4xx from the API is an answer the page shows (an unknown concept); a 5xx or a missing asset is a bug
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 500 or (r.status >= 400 and "/v1/" not in r.url) else None)
    local = (web_server.url, "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else offsite.append(r.url))
    page.goto(f"{web_server.url}/?lang=en")
    page.wait_for_function("Number(document.getElementById('cy').dataset.nodes) > 0")
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"
    assert not offsite, f"the page must work offline, but it requested: {offsite}"
