"""A real uvicorn server on a free port, serving an index of a corpus copy built with a hash embedder.

The server runs in a thread of the test process, so tests can reach its app (``live.app``) to swap a
dependency with ``app.dependency_overrides`` for the duration of one test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token"
MAX_UPLOAD = 64_000



@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("api")
    shutil.copytree(REPO / "corpus", root / "corpus")
    return Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "indexes",
        model_dir=root / "models",
        embedding_model="fake-hash-embedder",
        admin_token=ADMIN_TOKEN,
        max_upload_bytes=MAX_UPLOAD,
        cors_origins=["http://ui.example"],
        rate_limit="",  # these tests send bursts from one address; test_api_rate_limit covers the limit
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def live(api_settings: Settings) -> Iterator[LiveServer]:
    embedder = FakeEmbedder()
    build_index(api_settings, embedder=embedder)
    server = LiveServer.start(create_app(api_settings, embedder=embedder))
    yield server
    server.stop()


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
