"""An index of a copy of the corpus built with the hash embedder, served over MCP by a real uvicorn server (the
API app, with /mcp on it) and, in test_mcp_stdio, by a `kgqa mcp` subprocess reading the same index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.testing import FakeEmbedder, LiveServer

if TYPE_CHECKING:
    from conftest import FakeIndexFactory


@pytest.fixture(scope="session")
def mcp_settings(make_fake_index: FakeIndexFactory) -> Settings:
    return make_fake_index("mcp", rate_limit="").settings  # test_mcp_http's own server checks the limit


@pytest.fixture(scope="session")
def live(mcp_settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer.start(create_app(mcp_settings, embedder=FakeEmbedder()), name="uvicorn-mcp")
    yield server
    server.stop()
