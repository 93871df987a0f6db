"""``mount_web`` serves the page and its assets, the graph library included, and nothing else."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kgqa.apps.web import mount_web
from kgqa.apps.web.mount import STATIC_DIR, graph_library_missing

pytestmark = pytest.mark.unit


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    mount_web(app)
    mount_web(app)  # idempotent
    return TestClient(app)


def test_page_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in ("/static/app.js", "/static/map.js", "/static/ui.js", "/static/style.css"):
        assert client.get(asset).status_code == 200, asset


def test_the_page_loads_nothing_from_other_hosts() -> None:
    for name in ("index.html", "app.js", "map.js", "ui.js", "style.css"):
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name


def test_graph_library_is_vendored(client: TestClient) -> None:
    assert graph_library_missing() is None, graph_library_missing()
    assert client.get("/static/vendor/cytoscape.min.js").status_code == 200
