"""Security headers on the page and the API, a page that lives within its Content-Security-Policy (no inline
script, no style attributes), and a concept panel with nothing absent shown as "null"."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from kgqa.apps.api.middleware import API_CSP, PAGE_CSP
from kgqa.apps.web.mount import STATIC_DIR

pytestmark = pytest.mark.integration

# collects the page's CSP violations from its first script on (an init script runs outside the page's CSP)
VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.mark.parametrize(
    ("path", "csp"),
    [("/", PAGE_CSP), ("/static/app.js", PAGE_CSP), ("/v1/models", API_CSP), ("/healthz", API_CSP),
     ("/v1/no-such-thing", API_CSP), ("/docs", None)],
)
def test_every_response_carries_the_security_headers(web_server, path: str, csp: str | None) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(f"{web_server.url}{path}")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers.get("content-security-policy") == csp


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script" and not dict(attrs).get("src")
        self.handlers += [f"{tag} {k}" for k, _ in attrs if k.startswith("on") or k == "style"]

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data.strip()[:80])


def test_the_page_has_no_inline_script_or_style() -> None:
    parser = _Scripts()
    parser.feed((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    assert parser.inline == [] and parser.handlers == []
    for js in STATIC_DIR.glob("*.js"):  # the DOM builder sets colours through el.style, not the attribute
        assert not re.search(r"\bstyle: [`'\"]", js.read_text(encoding="utf-8")), js.name


def test_the_page_works_within_its_csp_and_shows_no_null(browser, web_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 850}, locale="en-US")
    context.set_default_timeout(15_000)
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    try:
        page.goto(f"{web_server.url}/?lang=en")
        page.locator("#cy[data-nodes]").wait_for(state="attached")  # no wait_for_function: it needs eval
        assert int(page.evaluate("() => document.getElementById('cy').dataset.nodes")) > 0
        concepts = httpx.get(f"{web_server.url}/v1/concepts", params={"limit": 500}).json()
        bare = next(c for c in concepts if not c["aliases"] and c["degree"] > 0)
        page.fill("[data-testid=concept-search]", bare["label"] or bare["label_zh"])
        page.click(f"[data-testid=search-result][data-id='{bare['id']}']")
        page.locator("[data-testid=concept-title]").wait_for()
        page.locator("[data-testid=neighbour] .rel").first.wait_for()  # coloured relation labels
        panel = page.inner_text("[data-testid=panel]")
        assert "null" not in panel and "undefined" not in panel, panel
        page.fill("[data-testid=question]", "什么是多头注意力？")
        page.click("[data-testid=ask]")
        page.locator("[data-testid=answer]").first.wait_for()
        colour = page.eval_on_selector("[data-testid=neighbour] .rel", "el => el.style.backgroundColor")
        assert colour  # the colour was applied, not refused
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
