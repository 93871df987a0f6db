"""Relation questions get the concept graph's path, each hop cited by the sentence that states it."""

from __future__ import annotations

import pytest

from kgqa.answer.graph_answer import is_relation_question
from kgqa.pipeline import build_index, load

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("question", "relation"), [
    ("RoPE和位置编码有什么关系？", True), ("How is RoPE related to positional encoding?", True),
    ("BERT vs GPT", True), ("什么是RoPE？", False), ("How does RoPE work?", False),
])
def test_relation_questions_are_recognised(question, relation):
    assert is_relation_question(question) is relation


def test_a_relation_question_is_answered_with_the_cited_path(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    kb = load(fake_settings, embedder=fake_embedder)
    answer = kb.ask("RoPE和位置编码有什么关系？")
    assert "概念图中" in answer.answer and "→" in answer.answer
    path = answer.answer.split("概念图中", 1)[1]
    numbers = {c.n for c in answer.citations if f"[{c.n}]" in path}
    assert numbers, answer.answer
    for c in answer.citations:
        doc = kb.index.document(c.doc_id)
        assert doc is not None and doc.text[c.start : c.end] == c.quote
    cited = [c for c in answer.citations if c.n in numbers]
    # the hop's evidence names both ends, never a bare list lead
    assert all(not c.quote.rstrip().endswith((":", "：")) for c in cited)
    assert any("RoPE" in c.quote or "旋转位置编码" in c.quote for c in cited)
    # a comparison or relation between two concepts stays one question
    assert "1. " not in answer.answer.splitlines()[0]


def test_an_enumeration_gathers_the_graphs_items_each_cited(fake_settings, fake_embedder):
    build_index(fake_settings, embedder=fake_embedder)
    kb = load(fake_settings, embedder=fake_embedder)
    answer = kb.ask("量化有哪些方法？")
    assert "概念图中" in answer.answer
    listed = answer.answer.split("概念图中", 1)[1].splitlines()[1:]
    assert listed and all(line.startswith("- ") and line.endswith("]") for line in listed)
    spans = [(c.doc_id, c.start, c.end) for c in answer.citations]
    assert len(spans) == len(set(spans))  # no sentence is cited twice
    for c in answer.citations:
        assert kb.index.document(c.doc_id).text[c.start : c.end] == c.quote


class _ItemGraph:
    """A concept graph of one kind and the edges into it: enough for ``enumeration_answer``."""

    def __init__(self, kind, concepts, edges):
        self.kind, self.concepts, self.edges = kind, concepts, edges

    def link(self, text):
        return [(self.kind, self.kind, 0, len(self.kind))]

    def concept(self, cid):
        return self.concepts[cid]

    def neighbours(self, cid):
        return [(e, "in") for e in self.edges] if cid == self.kind else []


def test_a_question_is_never_cited_as_what_states_an_item():
    from kgqa.answer.graph_answer import enumeration_answer
    from kgqa.types import Chunk, Concept, Edge, Evidence

    asked = Evidence("c", "d", 0, 30, "可以给出一些Transformer的变体吗?(如:BERT)", "enumeration")
    stated = Evidence("c", "d", 40, 60, "GPT 是 Transformer 的变体。", "enumeration")
    concepts = {i: Concept(i, i, "") for i in ("transformer", "bert", "gpt", "xl")}

    graph = _ItemGraph("transformer", concepts, [Edge("bert", "transformer", "variant-of", 1.0, [asked]),
                                                 Edge("gpt", "transformer", "variant-of", 1.0, [stated]),
                                                 Edge("xl", "transformer", "variant-of", 1.0, [asked, stated])])
    chunks = {"c": Chunk("c", "d", 0, 60, "x" * 60)}
    text, cited = enumeration_answer(graph, "Transformer 有哪些变体", "zh", chunks, {"d": "D"})  # type: ignore[arg-type,misc]
    assert [c.quote for c in cited] == [stated.quote]  # bert only asked about; xl's stated sentence is gpt's
    assert "吗?" not in text


def test_the_items_of_a_large_kind_that_retrieval_found_come_first():
    from kgqa.answer import graph_answer
    from kgqa.answer.graph_answer import enumeration_answer
    from kgqa.types import Chunk, Concept, Edge, Evidence

    names = [f"m{i:02d}" for i in range(12)]
    concepts = {i: Concept(i, i, "") for i in ["module", *names]}
    # every module stated in its own chunk; the more evidence an edge has, the higher it ranks by weight
    edges = [Edge(m, "module", "instance-of", 12.0 - i, [Evidence(f"c{m}", "d", 10 * i, 10 * i + 9,
                                                                 f"The {m} module.", "named-kind")])
             for i, m in enumerate(names)]

    graph = _ItemGraph("module", concepts, edges)
    chunks = {f"c{m}": Chunk(f"c{m}", "d", 10 * i, 10 * i + 9, "x" * 9) for i, m in enumerate(names)}
    question = "what kinds of module are there?"
    _, by_weight = enumeration_answer(graph, question, "en", chunks, {"d": "D"})  # type: ignore[arg-type,misc]
    assert [c.chunk_id for c in by_weight] == [f"c{m}" for m in names[:graph_answer.MAX_ITEMS]]
    _, near = enumeration_answer(graph, question, "en", chunks, {"d": "D"},  # type: ignore[arg-type,misc]
                                 near={"cm10", "cm11"})
    assert [c.chunk_id for c in near][:2] == ["cm10", "cm11"]
