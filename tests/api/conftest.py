"""A real uvicorn server on a free port, serving an index of a corpus copy built with a hash embedder.

The server runs in a thread of the test process, so tests can reach its app (``live.app``) to swap a
dependency with ``app.dependency_overrides`` for the duration of one test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np
import pytest
from live_server import LiveServer

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.index.embed import Kind
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token"
MAX_UPLOAD = 64_000


class E5LikeEmbedder(FakeEmbedder):
    """The hash embedder with a shared component, so cosines sit in e5's compressed range (~0.75-0.95).

    The abstention threshold is calibrated on the real model's scores; with plain hash vectors every
    question would abstain. Mapping cos -> (cos + floor) / (1 + floor) keeps the ranking and lets the
    same threshold answer in-corpus questions and abstain on off-topic ones.
    """

    def __init__(self, dim: int = 64, floor: float = 3.0) -> None:
        super().__init__(dim=dim - 1, model_id="fake-e5-like")
        self.dim = dim
        self.floor = floor

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        base = super().embed(texts, kind)
        shared = np.full((len(texts), 1), np.sqrt(self.floor), dtype=np.float32)
        out = np.concatenate([base, shared], axis=1)
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("api")
    shutil.copytree(REPO / "corpus", root / "corpus")
    return Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "indexes",
        model_dir=root / "models",
        embedding_model="fake-e5-like",
        admin_token=ADMIN_TOKEN,
        max_upload_bytes=MAX_UPLOAD,
        cors_origins=["http://ui.example"],
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def live(api_settings: Settings) -> Iterator[LiveServer]:
    embedder = E5LikeEmbedder()
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
