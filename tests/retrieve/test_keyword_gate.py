"""The keyword channel votes only when its best passage holds a fair share of what the question names."""

from __future__ import annotations

import pytest

from kgqa.index.backends import VectorRecords
from kgqa.index.backends.faiss import FaissBackend
from kgqa.index.bm25 import BM25Index
from kgqa.retrieve.hybrid import HybridRetriever
from kgqa.testing import FakeEmbedder
from kgqa.tuning import RETRIEVAL
from kgqa.types import Chunk

pytestmark = pytest.mark.unit

TEXTS = ["GIMP 的图片窗口和工具箱。", "GIMP 的图片格式。", "Press Tab to show the docks again after hiding them."]


@pytest.fixture(scope="module")
def retriever() -> HybridRetriever:
    chunks = [Chunk(f"c{i}", "doc", 0, len(t), t) for i, t in enumerate(TEXTS)]
    emb = FakeEmbedder(dim=32)
    backend = FaissBackend.create(32)
    backend.upsert(VectorRecords.of("chunk", [c.chunk_id for c in chunks], ["doc"] * 3, [c.chunk_id for c in chunks],
                                    emb.embed(TEXTS, "passage")))
    return HybridRetriever(chunks, backend, BM25Index.build(TEXTS), emb, {"dense": 1.0, "bm25": 0.25})


def channels(r: HybridRetriever, question: str):  # type: ignore[no-untyped-def]
    return r.channels_from_vector(r.embedder.embed([question], "query")[0], question)


def test_a_passage_holding_the_rare_terms_lets_bm25_vote(retriever: HybridRetriever):
    ch = channels(retriever, "how do I show the docks again")
    assert ch.ranked["bm25"][0] == "c2" and "bm25" not in ch.muted


def test_a_match_on_common_words_only_mutes_bm25(retriever: HybridRetriever):
    question = "GIMP 的面板突然全没了，咋整"  # shares only GIMP with the Chinese pages
    assert retriever.bm25.coverage(question, 0) < RETRIEVAL.bm25_min_coverage
    ch = channels(retriever, question)
    assert ch.ranked["bm25"] and "bm25" in ch.muted
    fused = retriever.fuse(ch, 3)
    assert all(h.scores.get("fused", 0) > 0 for h in fused)  # the dense channel still ranks every passage


def test_the_graph_channel_keeps_the_best_chunks_of_a_hub_in_order():
    from types import SimpleNamespace

    from kgqa.retrieve.engine import graph_ranking

    class Graph:
        def chunks_for(self, cid: str) -> list[str]:
            return [f"c{i}" for i in range(500)] if cid == "hub" else ["c7", "c9"]

        def neighbours(self, cid: str) -> list[tuple[object, str]]:
            return [(SimpleNamespace(type="part-of", source="rare", target="hub"), "out")] if cid == "rare" else []

    full = graph_ranking(Graph(), ["rare", "hub"], 1000, n=1000)
    assert graph_ranking(Graph(), ["rare", "hub"], 1000, n=3) == full[:3]
    assert [cid for cid, _ in full[:2]] == ["c7", "c9"]  # named by the rare concept as well as the hub
