"""``/docs`` works offline: Swagger UI's script, style and icon come from the package, and a real browser that
may reach no other host renders the API's operations from them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kgqa.apps.web.mount import STATIC_DIR

DOCS_ASSETS = re.compile(r"""(?:src|href)=['"]([^'"]+)['"]""")


@pytest.mark.unit
def test_docs_page_names_only_local_assets_and_they_are_served() -> None:
    from fastapi import FastAPI

    from kgqa.apps.web import mount_web
    from kgqa.apps.web.docs import mount_docs

    app = FastAPI(docs_url=None, redoc_url=None)
    mount_web(app)
    mount_docs(app)
    client = TestClient(app)
    page = client.get("/docs")
    assert page.status_code == 200
    assets = DOCS_ASSETS.findall(page.text)
    assert len(assets) == 3, assets  # script, style, icon
    for url in assets:
        assert url.startswith("/static/vendor/swagger-ui/"), url
        response = client.get(url)
        assert response.status_code == 200 and len(response.content) > 500, url
    assert client.get("/docs/oauth2-redirect").status_code == 200


@pytest.mark.unit
def test_vendored_files_carry_their_licenses() -> None:
    vendor = STATIC_DIR / "vendor"
    assert "MIT" in (vendor / "cytoscape.LICENSE").read_text("utf-8")
    assert "Apache License" in (vendor / "swagger-ui" / "LICENSE").read_text("utf-8")


@pytest.mark.integration
def test_docs_render_in_a_browser_that_reaches_no_other_host(browser, web_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    # anything off this server fails at once, as it would on a machine without internet
    page.route(re.compile(r"^(?!" + re.escape(web_server.url) + r")"), lambda route: route.abort())
    page.goto(f"{web_server.url}/docs")
    page.wait_for_selector(".opblock-summary-path[data-path=\"/v1/ask\"]", timeout=15_000)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("kgqa")
    context.close()
    offsite = [u for u in requested if not u.startswith((web_server.url, "data:"))]
    assert not offsite, offsite
