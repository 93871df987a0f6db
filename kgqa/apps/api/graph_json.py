"""Concept-graph query results -> the API's response models. Pure: reads the graph and the chunks only."""

from __future__ import annotations

from kgqa.apps.api.errors import ApiError
from kgqa.apps.api.schemas import (
    ConceptChunk,
    ConceptDetail,
    ConceptSummary,
    EvidenceOut,
    Graph,
    GraphEdge,
    GraphNode,
    Neighbour,
    Path,
    PathEdge,
    PathEvidence,
    PathNode,
)
from kgqa.graph.query import ConceptGraph
from kgqa.pipeline import KnowledgeBase
from kgqa.types import Concept, Edge, Evidence

# a concept page stays readable for hub concepts (Transformer is mentioned almost everywhere)
MAX_EVIDENCE = 5
MAX_CHUNKS = 100


def summary(graph: ConceptGraph, c: Concept) -> ConceptSummary:
    return ConceptSummary(
        id=c.id, label=c.label, label_zh=c.label_zh, aliases=list(c.aliases), degree=graph.degree(c.id)
    )


def _evidence(items: list[Evidence], limit: int = MAX_EVIDENCE) -> list[EvidenceOut]:
    return [
        EvidenceOut(quote=e.quote, doc_id=e.doc_id, chunk_id=e.chunk_id, start=e.start, end=e.end)
        for e in items[:limit]
    ]


def detail(kb: KnowledgeBase, c: Concept) -> ConceptDetail:
    graph = kb.graph
    neighbours = []
    for edge, direction in graph.neighbours(c.id):
        other = graph.concepts[edge.target if direction == "out" else edge.source]
        neighbours.append(
            Neighbour(
                id=other.id,
                label=other.label,
                label_zh=other.label_zh,
                type=edge.type,
                direction="out" if direction == "out" else "in",
                weight=edge.weight,
                evidence=_evidence(edge.evidence),
            )
        )
    titles = {d.doc_id: d.title for d in kb.index.documents.values()}
    chunks = [kb.index.by_id[i] for i in graph.chunks_for(c.id) if i in kb.index.by_id][:MAX_CHUNKS]
    return ConceptDetail(
        **summary(graph, c).model_dump(),
        neighbours=neighbours,
        chunks=[
            ConceptChunk(
                chunk_id=ch.chunk_id,
                doc_id=ch.doc_id,
                title=titles.get(ch.doc_id, ch.doc_id),
                section=ch.section,
                text=ch.text,
                start=ch.start,
                end=ch.end,
            )
            for ch in chunks
        ],
    )


def _edge(e: Edge) -> GraphEdge:
    return GraphEdge(
        source=e.source, target=e.target, type=e.type, weight=e.weight, evidence=_evidence(e.evidence, 3)
    )


def ego(graph: ConceptGraph, center: str | None, depth: int, limit: int) -> Graph:
    """The neighbourhood of ``center``; without one, of the most connected concept."""
    if not center:
        top = graph.search("", 1)
        if not top:
            return Graph(nodes=[], edges=[])
        center = top[0].id
    nodes, edges = graph.ego(center, depth, limit)
    return Graph(
        nodes=[
            GraphNode(id=c.id, label=c.label, label_zh=c.label_zh, degree=graph.degree(c.id)) for c in nodes
        ],
        edges=[_edge(e) for e in edges],
    )


def path(graph: ConceptGraph, source: str, target: str) -> Path:
    a, b = graph.concept(source), graph.concept(target)  # unknown names: ConceptNotFoundError -> 404
    hops = graph.path(a.id, b.id)
    if not hops and a.id != b.id:
        near = [e.target if d == "out" else e.source for e, d in graph.neighbours(b.id)][:5]
        raise ApiError(
            404,
            "no_path",
            f"{a.id!r} and {b.id!r} are not connected in the concept graph; "
            f"try a concept near {b.id!r} (see suggestions) or GET /v1/graph?center={b.id}.",
            suggestions=near,
        )
    nodes = [a]
    for e in hops:
        nodes.append(graph.concepts[e.target if e.source == nodes[-1].id else e.source])
    return Path(
        path=[PathNode(id=c.id, label=c.label, label_zh=c.label_zh) for c in nodes],
        edges=[
            PathEdge(
                source=e.source,
                target=e.target,
                type=e.type,
                evidence=PathEvidence(
                    quote=e.evidence[0].quote,
                    doc_id=e.evidence[0].doc_id,
                    start=e.evidence[0].start,
                    end=e.evidence[0].end,
                )
                if e.evidence
                else None,
            )
            for e in hops
        ],
    )
