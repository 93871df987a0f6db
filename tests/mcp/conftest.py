"""An index of a copy of the corpus built with the hash embedder, served over MCP by a real uvicorn server (the
API app, with /mcp on it) and, in test_mcp_stdio, by a `kgqa mcp` subprocess reading the same index."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder, LiveServer

REPO = Path(__file__).resolve().parents[2]
QUESTION = "什么是自注意力机制？"
UNKNOWN = "zebra-quantisation-nowhere"
TOOLS = {"search", "ask", "concept", "path", "documents", "document"}


@pytest.fixture(scope="session")
def mcp_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("mcp")
    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "indexes",
        model_dir=root / "models",
        embedding_model="fake-hash-embedder",
        rate_limit="",  # test_mcp_http's own server checks the limit
        _env_file=None,  # type: ignore[call-arg]
    )
    build_index(settings, embedder=FakeEmbedder())
    return settings


@pytest.fixture(scope="session")
def live(mcp_settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer.start(create_app(mcp_settings, embedder=FakeEmbedder()), name="uvicorn-mcp")
    yield server
    server.stop()
