"""Building, persisting and querying: determinism, incremental updates, evidence, glossary errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graph_helpers import extract, glossary, make_doc

from kgqa.errors import ConceptNotFoundError, CorpusError, IndexError_
from kgqa.graph import ConceptGraph, DocGraph, build_graph, extract_document, load_glossary

pytestmark = pytest.mark.unit

G = glossary(
    {"id": "pooling", "en": "pooling", "zh": "池化", "aliases": ["下采样"]},
    {"id": "convolution", "en": "convolution", "zh": "卷积"},
    {"id": "cnn", "en": "CNN", "zh": "卷积网络"},
    {"id": "overfitting", "en": "overfitting", "zh": "过拟合"},
)
DOC_A = (
    "卷积网络由卷积和池化组成。\n\n"
    "- 权重衰减（Weight Decay）：通过惩罚大权重，以防止过拟合。\n\n"
    "卷积和池化常一起用。"
)
DOC_B = "池化(如最大池化)可以缩小特征图。\n\n卷积和池化常一起用。与卷积相比,池化没有参数。"


def parts() -> list[DocGraph]:
    return [extract(DOC_A, G, "a"), extract(DOC_B, G, "b")]


def test_docgraph_json_round_trip() -> None:
    for p in parts():
        again = DocGraph.from_dict(json.loads(json.dumps(p.to_dict())))
        assert again == p


def test_two_builds_write_identical_files(tmp_path: Path) -> None:
    build_graph(parts(), G).save(tmp_path / "one.json")
    build_graph(parts()[::-1], G).save(tmp_path / "two.json")
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_save_load_round_trip_and_graphml(tmp_path: Path) -> None:
    g = build_graph(parts(), G)
    g.save(tmp_path / "g.json")
    back = ConceptGraph.load(tmp_path / "g.json")
    assert back.concepts == g.concepts and back.edges == g.edges and back.questions == g.questions
    g.to_graphml(tmp_path / "g.graphml")
    assert "<graphml" in (tmp_path / "g.graphml").read_text(encoding="utf-8")


def test_load_reports_missing_or_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="kgqa ingest"):
        ConceptGraph.load(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    with pytest.raises(IndexError_):
        ConceptGraph.load(tmp_path / "x.json")


def _typed_from(g: ConceptGraph, doc_id: str) -> list[tuple[str, ...]]:
    """Typed edges and evidence stated in one document (co-occurrence weights are corpus-wide by nature)."""
    return sorted(
        (e.source, e.type, e.target, x.chunk_id, str(x.start), x.rule)
        for e in g.edges
        if e.type != "related"
        for x in e.evidence
        if x.doc_id == doc_id
    )


def test_incremental_update_replaces_only_that_documents_contributions() -> None:
    a, b = parts()
    b2 = extract(DOC_B.replace("与卷积相比,池化没有参数。", "卷积网络通过卷积提取特征。"), G, "b")
    before, after = build_graph([a, b], G), build_graph([a, b2], G)
    assert after.edges == build_graph([b2, a], G).edges  # equal to a full rebuild
    assert _typed_from(before, "a") == _typed_from(after, "a")
    assert ("pooling", "contrasts-with", "convolution") in {
        (e.source, e.type, e.target) for e in before.edges
    }
    assert ("pooling", "contrasts-with", "convolution") not in {
        (e.source, e.type, e.target) for e in after.edges
    }
    assert ("cnn", "uses", "convolution") in {(e.source, e.type, e.target) for e in after.edges}


def test_every_edge_has_evidence_that_quotes_its_document() -> None:
    docs = {d.doc_id: d for d in (make_doc(DOC_A, "a")[0], make_doc(DOC_B, "b")[0])}
    g = build_graph(parts(), G)
    assert g.edges
    for e in g.edges:
        assert e.evidence, e
        for ev in e.evidence:
            assert docs[ev.doc_id].text[ev.start : ev.end] == ev.quote and ev.rule and ev.chunk_id


def test_chunks_of_other_documents_are_ignored() -> None:
    doc, chunks = make_doc(DOC_A, "a")
    _, other = make_doc(DOC_B, "b")
    assert extract_document(doc, chunks + other, G) == extract_document(doc, chunks, G)


def test_queries_on_a_small_graph() -> None:
    g = build_graph(parts(), G)
    assert g.link("ＣＮＮ里的下采样") == [("cnn", "ＣＮＮ", 0, 3), ("pooling", "下采样", 5, 8)]
    assert g.concept("卷积网络").id == "cnn" and g.concept("weight decay").label_zh == "权重衰减"
    with pytest.raises(ConceptNotFoundError) as err:
        g.concept("convolutoin")
    assert "convolution" in err.value.suggestions
    assert [c.id for c in g.search("卷积", 2)][0] in ("convolution", "cnn")
    assert {(e.source, e.type, e.target) for e, _ in g.neighbours("pooling")} >= {
        ("pooling", "part-of", "cnn")
    }
    path = g.path("权重衰减", "过拟合")
    assert [(e.source, e.type, e.target) for e in path] == [("weight-decay", "mitigates", "overfitting")]
    concepts, edges = g.ego("cnn", depth=1, limit=10)
    assert concepts[0].id == "cnn" and all(e.source in {c.id for c in concepts} for e in edges)
    assert g.chunks_for("pooling") and g.degree("pooling") == len(g.neighbours("pooling"))
    assert set(g.stats()) >= {"concepts", "edges", "edges_by_type"}


def test_related_uses_personalised_pagerank_and_corpus_questions() -> None:
    text = "什么是池化？\n池化可以缩小特征图。\n\n卷积网络由卷积和池化组成。"
    doc, chunks = make_doc(text, "q")
    chunks[0] = type(chunks[0])(**{**chunks[0].__dict__, "heading": ("什么是池化？",)})
    g = build_graph([extract_document(doc, chunks, G)], G)
    rel = g.related(["cnn"], k=3)
    assert rel and rel[0][0].id in {"pooling", "convolution"}
    pooling = next(r for r in rel if r[0].id == "pooling")
    assert pooling[1] == "part-of" and pooling[3] == "什么是池化？"


def test_glossary_file_errors(tmp_path: Path) -> None:
    assert load_glossary(tmp_path / "none.yaml").concepts == ()
    bad = tmp_path / "bad.yaml"
    bad.write_text("concepts: [ {id: x", encoding="utf-8")
    with pytest.raises(CorpusError, match="not valid YAML"):
        load_glossary(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("relations:\n  - {source: a, type: likes, target: b, why: no}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="likes"):
        load_glossary(wrong)


def test_concepts_mined_in_one_document_are_found_in_another() -> None:
    a = extract("知识蒸馏（Knowledge Distillation）很有用。", G, "a")
    b = extract("我们常用知识蒸馏。", G, "b")
    g = build_graph([a, b], G)
    assert set(g.chunks_for("knowledge-distillation")) == {"a-c0", "b-c0"}


def test_related_prefers_specific_neighbours_over_hubs_and_falls_back_to_shared_chunks() -> None:
    from kgqa.graph.query import ConceptGraph
    from kgqa.types import Concept, Edge, Evidence

    ev = [Evidence("c1", "d", 0, 2, "xx", "test")]
    concepts = {cid: Concept(cid, cid, "", chunk_ids=chunks) for cid, chunks in {
        "hub": ["c1", "c2", "c3"], "a": ["c1"], "b": ["c2"], "c": ["c3"], "seed": ["c1"],
        "lonely": ["c9"], "pal": ["c9"],
    }.items()}
    edges = [Edge("seed", "a", "uses", 1.0, ev), Edge("seed", "hub", "related", 0.5, ev)]
    edges += [Edge(x, "hub", "related", 0.5, ev) for x in ("a", "b", "c")]
    edges += [Edge("lonely", "pal", "mitigates", 1.0, ev)]
    g = ConceptGraph(concepts, edges)
    assert g.related(["seed"], k=1)[0][0].id == "a"  # the stated neighbour, not the better-connected hub
    # an isolated pair: nothing reachable beyond the pair, so concepts of the same chunks fill in
    rel = g.related(["lonely"], k=2)
    assert [r[0].id for r in rel] == ["pal"]
    assert all(r[2] >= 0 for r in rel)
