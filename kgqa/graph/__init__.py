"""Chunks -> concept graph: bilingual concepts and typed, evidence-carrying relations, built without an LLM.

Usage (what ``kgqa ingest`` does)::

    glossary = load_glossary(corpus_dir / "glossary.yaml")
    parts = [extract_document(doc, chunks_of[doc.doc_id], glossary) for doc in docs]   # cache by doc.sha256
    graph = build_graph(parts, glossary)
    graph.save(index_dir / "graph.json")
"""

from kgqa.graph.build import build_graph
from kgqa.graph.extract import extract_document
from kgqa.graph.glossary import Glossary, load_glossary
from kgqa.graph.model import DocGraph
from kgqa.graph.query import ConceptGraph

__all__ = ["ConceptGraph", "DocGraph", "Glossary", "build_graph", "extract_document", "load_glossary"]
