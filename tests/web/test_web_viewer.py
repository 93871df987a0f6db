"""The document viewer shows a converted document as a document: headings, lists, tables and code, with a
citation highlighted at its exact offsets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from kgqa.apps.api import create_app
from kgqa.testing import LiveServer as Server

if TYPE_CHECKING:
    from conftest import FakeIndexFactory

pytestmark = pytest.mark.integration

PAGE = """<html><head><title>Layers guide</title></head><body><nav>Home | Next</nav><main>
<h1>Layers</h1><p>A layer is a transparent sheet of an image. Layers are stacked in the Layers dialog.</p>
<ul><li>Opacity sets how much of a layer shows.</li><li>A layer mask hides parts of a layer.</li></ul>
<table><tr><th>Mode</th><th>Effect</th></tr><tr><td>Multiply</td><td>darkens the image</td></tr></table>
<pre>layer.opacity = 50</pre></main></body></html>"""


@pytest.fixture(scope="module")
def html_server(make_fake_index: FakeIndexFactory) -> Iterator[Server]:
    built = make_fake_index("viewer", files={"layers.html": PAGE}, copy_corpus=False, rate_limit="")
    server = Server.start(create_app(built.settings, embedder=built.embedder), name="uvicorn-viewer")
    yield server
    server.stop()


def test_a_citation_opens_in_the_rendered_document(browser, html_server) -> None:  # type: ignore[no-untyped-def]
    answer = httpx.post(f"{html_server.url}/v1/ask", json={"question": "What does a layer mask do?"},
                        timeout=30).json()
    assert answer["citations"], answer
    first = answer["citations"][0]
    context = browser.new_context(locale="en-US", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{html_server.url}/?lang=en")
    page.fill("[data-testid=question]", "What does a layer mask do?")
    page.click("[data-testid=ask]")
    page.click(f"[data-testid=citation][data-n='{first['n']}']")
    page.locator("[data-testid=highlight]").wait_for()
    viewer = page.locator("#doc-text")
    assert viewer.locator("h3").first.inner_text() == "Layers"
    assert viewer.locator(".li").count() == 2 and viewer.locator("td").count() == 4
    assert viewer.locator("pre").inner_text() == "layer.opacity = 50"
    assert "Home" not in viewer.inner_text()
    assert " ".join(m.inner_text() for m in viewer.locator("mark").all()) == first["quote"]
    context.close()
    assert not errors
