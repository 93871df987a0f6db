"""Shared fixtures. Unit tests use FakeEmbedder; integration tests load the real default model once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kgqa.config import Settings
from kgqa.ingest.load import load_corpus
from kgqa.pipeline import KnowledgeBase, build_index, load
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


@dataclass(frozen=True)
class FakeIndex:
    """An index built on disk with the hash embedder: its settings (``root/corpus``, ``root/indexes``) and the
    embedder to query it with."""

    root: Path
    settings: Settings
    embedder: FakeEmbedder

    def load(self) -> KnowledgeBase:
        return load(self.settings, embedder=self.embedder)


FakeIndexFactory = Callable[..., FakeIndex]


@pytest.fixture(scope="session")
def make_fake_index(tmp_path_factory: pytest.TempPathFactory) -> FakeIndexFactory:
    """``make_fake_index(name, files={...}, copy_corpus=True, **settings)``: a copy of the bundled corpus (or an
    empty folder) plus ``files`` (name -> text), indexed with :class:`FakeEmbedder` in a fresh folder; the
    keyword arguments are further :class:`Settings`."""

    def make(name: str = "kb", *, files: dict[str, str] | None = None, copy_corpus: bool = True,
             **settings: Any) -> FakeIndex:
        root = tmp_path_factory.mktemp(name)
        if copy_corpus:
            shutil.copytree(CORPUS, root / "corpus")
        (root / "corpus").mkdir(exist_ok=True)
        for file_name, text in (files or {}).items():
            (root / "corpus" / file_name).write_text(text, encoding="utf-8")
        built = Settings(corpus_dir=root / "corpus", index_dir=root / "indexes", model_dir=root / "models",
                         embedding_model="fake-hash-embedder", _env_file=None, **settings)  # type: ignore[call-arg]
        embedder = FakeEmbedder()
        build_index(built, embedder=embedder)
        return FakeIndex(root, built, embedder)

    return make


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """Where integration tests keep the materialised default model (converted once per machine)."""
    return Path.home() / ".cache" / "kgqa" / "models"


@pytest.fixture(scope="session")
def real_embedder(model_dir: Path):  # type: ignore[no-untyped-def]
    from kgqa.index.models import load_embedder

    return load_embedder(Settings(model_dir=model_dir, _env_file=None))  # type: ignore[call-arg]
