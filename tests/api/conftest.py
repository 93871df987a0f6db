"""A real uvicorn server on a free port, serving an index of a corpus copy built with a hash embedder.

The server runs in a thread of the test process, so tests can reach its app (``live.app``) to swap a
dependency with ``app.dependency_overrides`` for the duration of one test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from live_server import LiveServer

from kgqa.apps.api import create_app
from kgqa.config import Settings

if TYPE_CHECKING:
    from conftest import FakeIndex, FakeIndexFactory

ADMIN_TOKEN = "test-admin-token"
MAX_UPLOAD = 64_000


@pytest.fixture(scope="session")
def api_index(make_fake_index: FakeIndexFactory) -> FakeIndex:
    return make_fake_index(
        "api",
        admin_token=ADMIN_TOKEN,
        max_upload_bytes=MAX_UPLOAD,
        cors_origins=["http://ui.example"],
        rate_limit="",  # these tests send bursts from one address; test_api_rate_limit covers the limit
    )


@pytest.fixture(scope="session")
def api_settings(api_index: FakeIndex) -> Settings:
    return api_index.settings


@pytest.fixture(scope="session")
def live(api_index: FakeIndex) -> Iterator[LiveServer]:
    server = LiveServer.start(create_app(api_index.settings, embedder=api_index.embedder))
    yield server
    server.stop()


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
