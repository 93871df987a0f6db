"""Building, refreshing and swapping indexes with the fake embedder: incremental, deletion, crash-safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from kgqa.errors import EmptyCorpusError
from kgqa.index.manifest import current_generation
from kgqa.index.reader import open_index
from kgqa.pipeline import build_index, load
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.unit


class ExplodingEmbedder(FakeEmbedder):
    """Fails after ``after`` batches, like a Ctrl-C or crash in the middle of embedding."""

    def __init__(self, after: int) -> None:
        super().__init__(dim=64)
        self.after = after

    def embed(self, texts, kind):  # type: ignore[no-untyped-def]
        if len(self.calls) >= self.after:
            raise KeyboardInterrupt("simulated interrupt")
        return super().embed(texts, kind)


def test_first_build_then_nothing_to_do(fake_settings, fake_embedder):
    first = build_index(fake_settings, embedder=fake_embedder)
    assert not first.up_to_date
    c = first.counts
    assert c["documents"] == 4 and c["chunks"] > 40 and c["duplicates_merged"] >= 4
    assert c["boilerplate_sections"] >= 4 and c["embedded"] > 0 and c["cached"] == 0
    calls = len(fake_embedder.calls)
    second = build_index(fake_settings, embedder=fake_embedder)
    assert second.up_to_date and len(fake_embedder.calls) == calls


def test_changing_one_document_reembeds_only_its_new_text(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    path = fake_settings.corpus_dir / "llm-architecture-design.txt"
    path.write_text(path.read_text("utf-8").replace("5. 总结\n", "5. 总结\n新增的一句总结。\n"), "utf-8")
    fake_embedder.calls.clear()
    report = build_index(fake_settings, embedder=fake_embedder)
    assert report.reasons == ["changed: llm-architecture-design"]
    assert report.counts["rechunked_documents"] == 1
    # only the changed chunk and its new sentence are embedded
    assert report.counts["embedded"] == sum(fake_embedder.calls) == 2
    assert report.counts["cached"] > 300


def test_deleted_document_disappears_from_every_index(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    (fake_settings.corpus_dir / "llm-algorithm-interview-5.txt").unlink()
    report = build_index(fake_settings, embedder=fake_embedder)
    assert report.reasons == ["removed: llm-algorithm-interview-5"]
    idx = open_index(fake_settings.index_dir)
    assert "llm-algorithm-interview-5" not in idx.documents
    assert all(c.doc_id != "llm-algorithm-interview-5" for c in idx.chunks)
    assert idx.vectors.count("chunk") == idx.vectors.count("unit") == len(idx.chunks) == idx.bm25.size
    assert idx.vectors.documents() == set(idx.documents)
    kb = load(fake_settings, embedder=fake_embedder)
    hits = kb.retrieve("ALiBi 线性偏差 Longformer 稀疏注意力", k=10)
    assert all(h.chunk.doc_id != "llm-algorithm-interview-5" for h in hits)
    alibi = kb.graph.concept("alibi") if "alibi" in kb.graph.concepts else None
    assert alibi is None or not alibi.chunk_ids  # its only source is gone


def test_interrupted_build_leaves_the_previous_index_serving(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    before = current_generation(fake_settings.index_dir)
    for f in fake_settings.corpus_dir.glob("*.txt"):
        f.write_text(f.read_text("utf-8") + "\n补充一段新的内容，用来触发重新嵌入。\n", "utf-8")
    small_batches = fake_settings.model_copy(update={"embedding_batch_size": 2})
    with pytest.raises(KeyboardInterrupt):
        build_index(small_batches, embedder=ExplodingEmbedder(after=1))
    assert current_generation(fake_settings.index_dir) == before
    kb = load(fake_settings, embedder=fake_embedder)
    assert kb.retrieve("多头注意力", k=3)
    # the next build finishes, reuses the batch embedded before the interrupt, and removes leftovers
    report = build_index(fake_settings, embedder=fake_embedder)
    assert report.counts["cached"] > 0
    gens = [p.name for p in fake_settings.index_dir.glob("gen-*")]
    assert len(gens) == 1 and not gens[0].endswith(".partial")


def test_killed_build_process_leaves_the_previous_index_serving(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    before = current_generation(fake_settings.index_dir)
    (fake_settings.corpus_dir / "llm-architecture-design.txt").write_text("## 新文档\n" + "新的句子。" * 400, "utf-8")
    script = f"""
import time
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder
class Slow(FakeEmbedder):
    def embed(self, texts, kind):
        print("embedding", flush=True); time.sleep(60); return super().embed(texts, kind)
s = Settings(corpus_dir={str(fake_settings.corpus_dir)!r}, index_dir={str(fake_settings.index_dir)!r},
             embedding_model="fake-hash-embedder", _env_file=None)
build_index(s, embedder=Slow(dim=64))
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "embedding"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL  # killed mid-build, not dead of an error of its own
    assert current_generation(fake_settings.index_dir) == before
    manifest = json.loads((before / "manifest.json").read_text())
    assert "llm-architecture-design" in manifest["documents"]
    assert load(fake_settings, embedder=fake_embedder).retrieve("BERT 和 GPT 的架构", k=3)


def test_model_change_marks_the_index_stale(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    other = FakeEmbedder(dim=32, model_id="another-model")
    report = build_index(fake_settings, embedder=other)
    assert any("model_id changed" in r for r in report.reasons)
    assert open_index(fake_settings.index_dir).manifest.dim == 32


def test_graph_built_by_other_code_is_rebuilt(fake_settings, fake_embedder, monkeypatch):
    """The manifest records the digest of the graph's sources, not only GRAPH_VERSION: a graph built by other
    code is rebuilt, and no document's cached extraction of that code is reused."""
    from kgqa.graph import build as graph_build
    from kgqa.graph.model import GRAPH_VERSION, graph_build_version

    assert graph_build_version().startswith(GRAPH_VERSION + "+")
    build_index(fake_settings, embedder=fake_embedder)
    assert open_index(fake_settings.index_dir).manifest.graph_version == graph_build_version()
    extracted: list[str] = []
    real_extract = graph_build.extract_document

    def counting(doc, chunks, glossary):  # type: ignore[no-untyped-def]
        extracted.append(doc.doc_id)
        return real_extract(doc, chunks, glossary)

    monkeypatch.setattr(graph_build, "graph_build_version", lambda: f"{GRAPH_VERSION}+other")
    monkeypatch.setattr(graph_build, "extract_document", counting)
    report = build_index(fake_settings, embedder=fake_embedder)
    assert any("graph_version changed" in r for r in report.reasons)
    assert len(extracted) == report.counts["documents"] == 4


def test_empty_corpus_is_a_clear_error_and_keeps_the_old_index(fake_settings, fake_embedder, tmp_path):
    build_index(fake_settings, embedder=fake_embedder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptyCorpusError):
        build_index(fake_settings, paths=[empty], embedder=fake_embedder)
    assert current_generation(fake_settings.index_dir) is not None


def test_two_builds_write_identical_chunks_and_graph(fake_settings, fake_embedder, tmp_path):
    build_index(fake_settings, embedder=fake_embedder)
    first = current_generation(fake_settings.index_dir)
    assert first is not None
    graph_a = (first / "graph.json").read_bytes()
    vectors_a = {f.name: f.read_bytes() for f in (first / "vectors").iterdir()}
    build_index(fake_settings, embedder=fake_embedder, force=True)
    second = current_generation(fake_settings.index_dir)
    assert second is not None and second != first
    assert (second / "graph.json").read_bytes() == graph_a
    assert {f.name: f.read_bytes() for f in (second / "vectors").iterdir()} == vectors_a
