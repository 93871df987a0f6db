"""The whole pipeline on the Milvus backend (milvus-lite): the same answers as FAISS, and an added or deleted
document touches only its own rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.config import Settings
from kgqa.pipeline import build_index, load
from kgqa.testing import FakeEmbedder

pytest.importorskip("milvus_lite")
pytestmark = pytest.mark.integration

QUESTIONS = ["什么是知识蒸馏？", "How does RoPE encode positions?", "多头注意力为什么要除以根号dk", "今天股市怎么样"]


def milvus_settings(base: Settings) -> Settings:
    return base.model_copy(update={"vector_backend": "milvus"})


def answers(settings: Settings, embedder: FakeEmbedder) -> list[tuple[str, list[tuple[str, int, int]], str]]:
    kb = load(settings, embedder=embedder)
    try:
        out = []
        for q in QUESTIONS:
            a = kb.ask(q)
            out.append((a.answer, [(c.chunk_id, c.start, c.end) for c in a.citations], a.outcome))
        return out
    finally:
        kb.index.close()


def test_milvus_answers_like_faiss(fake_settings: Settings, fake_embedder: FakeEmbedder) -> None:
    build_index(fake_settings, embedder=fake_embedder)
    on_faiss = answers(fake_settings, fake_embedder)
    settings = milvus_settings(fake_settings)
    report = build_index(settings, embedder=fake_embedder)
    assert any("vector_backend changed" in r for r in report.reasons)
    assert (fake_settings.index_dir / "milvus.db").exists()
    on_milvus = answers(settings, fake_embedder)
    assert on_milvus == on_faiss
    assert any(cites for _, cites, _ in on_milvus)


def test_an_upload_and_a_delete_touch_only_that_documents_rows(fake_settings: Settings,
                                                              fake_embedder: FakeEmbedder) -> None:
    settings = milvus_settings(fake_settings)
    build_index(settings, embedder=fake_embedder)
    kb = load(settings, embedder=fake_embedder)
    backend = kb.index.vectors
    before = {kind: set(backend.ids(kind)) for kind in ("chunk", "unit", "sentence")}  # type: ignore[attr-defined]
    docs_before = backend.documents()
    kb.index.close()

    new = Path(settings.corpus_dir) / "gardening.md"
    new.write_text("# 园艺\n\n番茄需要充足的阳光。每天浇水一次。\n\n## 施肥\n\n番茄开花后施钾肥。\n", encoding="utf-8")
    report = build_index(settings, embedder=fake_embedder)
    assert report.counts["rechunked_documents"] == 1
    kb = load(settings, embedder=fake_embedder)
    backend = kb.index.vectors
    after = {kind: set(backend.ids(kind)) for kind in ("chunk", "unit", "sentence")}  # type: ignore[attr-defined]
    assert backend.documents() == docs_before | {"gardening"}
    for kind in after:
        assert after[kind] > before[kind]  # every old row kept
        assert all(i.split("#")[0] in kb.index.by_id for i in after[kind] - before[kind])
    assert {c.doc_id for c in kb.index.chunks if c.chunk_id in after["chunk"] - before["chunk"]} == {"gardening"}
    assert kb.ask("番茄什么时候施肥？").citations[0].doc_id == "gardening"
    kb.index.close()

    new.unlink()
    build_index(settings, embedder=fake_embedder)
    kb = load(settings, embedder=fake_embedder)
    assert {kind: set(kb.index.vectors.ids(kind)) for kind in before} == before  # type: ignore[attr-defined]
    kb.index.close()


def test_rows_lost_from_the_collection_are_written_again(fake_settings: Settings,
                                                         fake_embedder: FakeEmbedder) -> None:
    settings = milvus_settings(fake_settings)
    build_index(settings, embedder=fake_embedder)
    kb = load(settings, embedder=fake_embedder)
    expected = kb.index.vectors.count()
    doc = sorted(kb.index.documents)[0]
    kb.index.vectors.delete_documents({doc})  # rows lost behind the index's back
    kb.index.close()
    build_index(settings, embedder=fake_embedder, force=True)
    kb = load(settings, embedder=fake_embedder)
    assert kb.index.vectors.count() == expected and doc in kb.index.vectors.documents()
    kb.index.close()
