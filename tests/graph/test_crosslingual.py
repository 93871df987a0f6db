"""Cross-lingual links through the embedding space: the mutual-nearest-neighbour rule, threshold and margin,
which concepts take part, how a linked pair is merged, and one check with the real model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kgqa.graph.crosslingual import RULE, candidates, link_languages, mutual_links, scored_links
from kgqa.graph.query import ConceptGraph
from kgqa.retrieve.analyse import analyse
from kgqa.tuning import CROSSLINGUAL
from kgqa.types import Concept, Edge, Evidence

EV = Evidence("c1", "d", 0, 10, "分词器把文本切成词元。", "cooccurrence")


def table(rows: dict[str, Sequence[float]]):  # type: ignore[no-untyped-def]
    """Label -> hand-made vector; a label missing from the table is a test error."""
    def vectors(labels: Sequence[str]) -> np.ndarray:
        return np.array([rows[x] for x in labels], dtype=np.float64)

    return vectors


def graph(*concepts: Concept, edges: Sequence[Edge] = ()) -> ConceptGraph:
    return ConceptGraph({c.id: c for c in concepts}, list(edges))


def en(cid: str, label: str, chunks: Sequence[str] = ("c1",)) -> Concept:
    return Concept(cid, label, "", [], ["english"], list(chunks))


def zh(label: str, chunks: Sequence[str] = ("c2",)) -> Concept:
    return Concept(label, label, label, [], ["quoted"], list(chunks))


@pytest.mark.unit
def test_mutual_nearest_neighbours_above_threshold_and_margin() -> None:
    e = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.9, 0.1, 0.0]])
    z = np.array([[1.0, 0.02, 0.0], [0.0, 1.0, 0.1], [0.0, 0.0, 1.0]])
    got = mutual_links(e, z, threshold=0.9, margin=0.0)
    # en 2 is closest to zh 0 too, but zh 0 is closer to en 0: only mutual neighbours link
    assert [(x.en, x.zh) for x in got] == [(0, 0), (1, 1)]
    assert mutual_links(e, z, threshold=0.9999, margin=0.0) == []
    # en 2 is a close rival of en 0 for zh 0 (cosine 0.996 against 0.9998): a margin of 0.05 drops that link
    assert [(x.en, x.zh) for x in mutual_links(e, z, threshold=0.9, margin=0.05)] == [(1, 1)]


@pytest.mark.unit
def test_no_vectors_no_links() -> None:
    assert mutual_links(np.zeros((0, 2)), np.ones((2, 2)), 0.5, 0.0) == []


@pytest.mark.unit
def test_only_one_language_concepts_outside_the_glossary_take_part() -> None:
    g = graph(en("tokenizer", "tokenizer"), zh("分词器"), Concept("attention", "attention", "注意力", [], ["pair"]),
              Concept("pruning", "pruning", "", [], ["glossary"]), zh("剪枝"), en("42", "42"))
    en_only, zh_only = candidates(g)
    assert [c.id for c in en_only] == ["tokenizer"]
    assert [c.id for c in zh_only] == ["分词器", "剪枝"]


@pytest.mark.unit
def test_linked_pair_becomes_one_bilingual_concept() -> None:
    a, b, x = en("tokenizer", "tokenizer", ["c1"]), zh("分词器", ["c2"]), en("vocabulary", "vocabulary", ["c3"])
    edges = [Edge("tokenizer", "分词器", "related", 0.5, [EV]), Edge("分词器", "vocabulary", "uses", 1.0, [EV]),
             Edge("vocabulary", "tokenizer", "related", 0.3, [EV])]
    vectors = table({"tokenizer": [1, 0], "分词器": [0.99, 0.05], "vocabulary": [0, 1]})
    out = link_languages(graph(a, b, x, edges=edges), vectors, threshold=0.9, margin=0.0)
    c = out.concepts["tokenizer"]
    assert (c.label, c.label_zh, c.aliases, c.chunk_ids) == ("tokenizer", "分词器", [], ["c1", "c2"])
    assert RULE in c.sources and "分词器" not in out.concepts
    assert [(k.en_id, k.zh_id, k.en, k.zh) for k in out.links] == [("tokenizer", "分词器", "tokenizer", "分词器")]
    # the edge between the two halves goes; the stated relation replaces the co-occurrence edge of the same pair
    assert [(e.source, e.type, e.target) for e in out.edges] == [("tokenizer", "uses", "vocabulary")]
    assert out.concept("分词器").id == "tokenizer" and out.stats()["crosslingual_links"] == 1


@pytest.mark.unit
def test_glossary_concepts_are_never_linked() -> None:
    g = graph(Concept("pruning", "pruning", "", [], ["glossary"], ["c1"]), zh("剪枝"))
    out = link_languages(g, table({"pruning": [1, 0], "剪枝": [1, 0]}), threshold=0.5, margin=0.0)
    assert out is g and out.links == []


@pytest.mark.unit
def test_already_paired_concepts_are_untouched() -> None:
    paired = Concept("attention", "attention", "注意力", [], ["pair"], ["c1"])
    g = graph(paired, en("tokenizer", "tokenizer"), zh("注意力机制"))
    vectors = table({"tokenizer": [0, 1], "注意力机制": [1, 0.01]})
    out = link_languages(g, vectors, threshold=0.9, margin=0.0)
    assert out.concepts["attention"] == paired and "注意力机制" in out.concepts and out.links == []


@pytest.mark.unit
def test_links_are_deterministic_and_survive_save_and_load(tmp_path: Path) -> None:
    names = [en("tokenizer", "tokenizer"), zh("分词器"), en("layer", "layer", ["c4"]), zh("图层", ["c5"])]
    vectors = table({"tokenizer": [1, 0], "分词器": [1, 0.05], "layer": [0, 1], "图层": [0.05, 1]})
    one = link_languages(graph(*names), vectors, threshold=0.9, margin=0.0)
    two = link_languages(graph(*names[::-1]), vectors, threshold=0.9, margin=0.0)
    one.save(tmp_path / "one.json")
    two.save(tmp_path / "two.json")
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    back = ConceptGraph.load(tmp_path / "one.json")
    assert back.links == one.links and len(back.links) == 2 and back.concepts == one.concepts


@pytest.mark.unit
def test_query_expansion_reads_the_linked_label() -> None:
    g = link_languages(graph(en("tokenizer", "tokenizer"), zh("分词器")),
                       table({"tokenizer": [1, 0], "分词器": [1, 0.05]}), threshold=0.9, margin=0.0)
    plan = analyse("What does the tokenizer do?", [], g)
    assert "分词器" in plan.parts[0].keyword_text
    plan = analyse("分词器是做什么的？", [], g)
    assert "tokenizer" in plan.parts[0].keyword_text


@pytest.mark.integration
def test_real_model_links_a_clear_pair_and_not_an_unrelated_one(real_embedder) -> None:  # type: ignore[no-untyped-def]
    # brush / 梯度 (gradient) are each other's nearest neighbours here, so only the threshold keeps them apart.
    # (tokenizer / 分词器 scores only about 0.81 with multilingual-e5-small: below the threshold, not linked.)
    g = graph(en("virtual-environment", "virtual environment"), zh("虚拟环境"), en("brush", "brush"), zh("梯度"))

    def vectors(labels: Sequence[str]) -> np.ndarray:
        return np.asarray(real_embedder.embed(list(labels), kind="query"))

    rows = vectors(["virtual environment", "brush", "虚拟环境", "梯度"])
    mutual = {(x.en, x.zh): x.cosine for x in scored_links(rows[:2], rows[2:])}
    assert set(mutual) == {(0, 0), (1, 1)} and mutual[(1, 1)] < CROSSLINGUAL.threshold
    out = link_languages(g, vectors)
    assert [(k.en, k.zh) for k in out.links] == [("virtual environment", "虚拟环境")]
    assert out.links[0].cosine >= CROSSLINGUAL.threshold
    assert "梯度" in out.concepts and out.concepts["brush"].label_zh == ""
