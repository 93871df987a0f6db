"""Shared fixtures. Unit tests use FakeEmbedder; integration tests load the real default model once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kgqa.config import Settings
from kgqa.ingest.load import load_corpus
from kgqa.testing import FakeEmbedder
from kgqa.types import Document

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def corpus_docs() -> dict[str, Document]:
    return {d.doc_id: d for d in load_corpus([CORPUS], CORPUS).documents}


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture
def fake_settings(tmp_path: Path, corpus_copy: Path) -> Settings:
    return Settings(
        corpus_dir=corpus_copy,
        index_dir=tmp_path / "indexes",
        model_dir=tmp_path / "models",
        embedding_model="fake-hash-embedder",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder(dim=64)


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """Where integration tests keep the materialised default model (converted once per machine)."""
    return Path.home() / ".cache" / "kgqa" / "models"


@pytest.fixture(scope="session")
def real_embedder(model_dir: Path):  # type: ignore[no-untyped-def]
    from kgqa.index.models import load_embedder

    return load_embedder(Settings(model_dir=model_dir, _env_file=None))  # type: ignore[call-arg]
