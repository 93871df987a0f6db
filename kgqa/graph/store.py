"""Files of the graph stage: the graph (sorted node-link JSON) and GraphML export.

The JSON is written with sorted keys and sorted nodes/links, so two builds of the same
corpus produce byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import networkx as nx

from kgqa.errors import IndexError_
from kgqa.graph.glossary import load_glossary
from kgqa.graph.model import CrossLink
from kgqa.graph.query import ConceptGraph
from kgqa.types import Concept, Edge, Evidence

__all__ = ["load_glossary", "load_graph", "save_graph", "write_graphml"]

GRAPH_FORMAT = "kgqa-concept-graph/1"


def graph_to_dict(graph: ConceptGraph) -> dict[str, Any]:
    nodes = [asdict(c) for _, c in sorted(graph.concepts.items())]
    links = [
        {
            "source": e.source,
            "target": e.target,
            "type": e.type,
            "weight": e.weight,
            "evidence": [asdict(x) for x in e.evidence],
        }
        for e in sorted(graph.edges, key=lambda e: (e.source, e.target, e.type))
    ]
    questions = {k: v for k, v in sorted(graph.questions.items())}
    return {
        "directed": True,
        "multigraph": True,
        "graph": {"format": GRAPH_FORMAT, "chunk_questions": questions,
                  "crosslingual_links": [asdict(x) for x in graph.links]},
        "nodes": nodes,
        "links": links,
    }


def graph_from_dict(data: dict[str, Any]) -> ConceptGraph:
    concepts = {n["id"]: Concept(**n) for n in data["nodes"]}
    edges = [
        Edge(x["source"], x["target"], x["type"], x["weight"], [Evidence(**ev) for ev in x["evidence"]])
        for x in data["links"]
    ]
    links = [CrossLink(**x) for x in data["graph"].get("crosslingual_links", [])]
    return ConceptGraph(concepts, edges, data["graph"].get("chunk_questions", {}), links)


def save_graph(graph: ConceptGraph, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(graph_to_dict(graph), ensure_ascii=False, sort_keys=True, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def load_graph(path: Path) -> ConceptGraph:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexError_(f"no concept graph at {path}; build it with `kgqa ingest`.") from exc
    except (OSError, ValueError) as exc:
        raise IndexError_(
            f"concept graph {path} is unreadable ({exc}); rebuild it with `kgqa ingest`."
        ) from exc
    if data.get("graph", {}).get("format") != GRAPH_FORMAT:
        raise IndexError_(f"{path} is not a {GRAPH_FORMAT} file; rebuild it with `kgqa ingest`.")
    return graph_from_dict(data)


def write_graphml(graph: ConceptGraph, path: Path) -> None:
    """GraphML for Gephi / yEd: node labels in both languages, edge type, weight and first evidence quote."""
    g = nx.MultiDiGraph()
    for cid, c in sorted(graph.concepts.items()):
        g.add_node(
            cid, label=c.label, label_zh=c.label_zh, aliases="|".join(c.aliases), chunks=len(c.chunk_ids)
        )
    for e in sorted(graph.edges, key=lambda e: (e.source, e.target, e.type)):
        first = e.evidence[0] if e.evidence else None
        g.add_edge(
            e.source,
            e.target,
            key=e.type,
            type=e.type,
            weight=e.weight,
            rule=first.rule if first else "",
            evidence=first.quote if first else "",
            chunk_id=first.chunk_id if first else "",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(g, str(path))
