"""Small documents for graph tests: one chunk per paragraph, exact offsets."""

from __future__ import annotations

from kgqa.graph import Glossary, build_graph, extract_document
from kgqa.graph.glossary import parse_glossary
from kgqa.graph.model import DocGraph
from kgqa.graph.query import ConceptGraph
from kgqa.types import Chunk, Document


def make_doc(
    text: str, doc_id: str = "d", headings: dict[int, tuple[str, ...]] | None = None
) -> tuple[Document, list[Chunk]]:
    """A document whose paragraphs (blank-line separated) are chunks; ``headings`` gives a chunk its trail."""
    doc = Document(doc_id, f"{doc_id}.md", doc_id, "zh", text, f"sha-{doc_id}-{len(text)}")
    chunks, pos = [], 0
    for i, para in enumerate(text.split("\n\n")):
        start = text.index(para, pos)
        end = start + len(para)
        pos = end
        if para.strip():
            heading = (headings or {}).get(i, ())
            chunks.append(Chunk(f"{doc_id}-c{i}", doc_id, start, end, para, heading=heading))
    return doc, chunks


def glossary(*concepts: dict[str, object], relations: list[dict[str, str]] | None = None) -> Glossary:
    return parse_glossary({"concepts": list(concepts), "relations": relations or []}, "test-glossary")


def extract(
    text: str,
    g: Glossary | None = None,
    doc_id: str = "d",
    headings: dict[int, tuple[str, ...]] | None = None,
) -> DocGraph:
    doc, chunks = make_doc(text, doc_id, headings)
    return extract_document(doc, chunks, g or Glossary())


def graph_of(
    text: str, g: Glossary | None = None, headings: dict[int, tuple[str, ...]] | None = None
) -> ConceptGraph:
    g = g or Glossary()
    return build_graph([extract(text, g, headings=headings)], g)


def triples(graph: ConceptGraph, type_: str | None = None) -> set[tuple[str, str, str]]:
    return {(e.source, e.type, e.target) for e in graph.edges if type_ is None or e.type == type_}
