"""kgqa: knowledge-graph + RAG question answering with sentence-level citations, offline.

>>> import kgqa
>>> kb = kgqa.load(kgqa.get_settings())                          # doctest: +SKIP
>>> kb.ask("How does knowledge distillation work?").citations[0]   # doctest: +SKIP

Names are imported on first use, so ``import kgqa`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Settings": "kgqa.config",
    "get_settings": "kgqa.config",
    "build_index": "kgqa.pipeline",
    "load": "kgqa.pipeline",
    "KnowledgeBase": "kgqa.pipeline",
    "BuildReport": "kgqa.pipeline",
    "KgqaRetriever": "kgqa.retrieve.langchain_retriever",
    "ConceptGraph": "kgqa.graph.query",
    "Answer": "kgqa.types",
    "Citation": "kgqa.types",
    "RelatedConcept": "kgqa.types",
    "Chunk": "kgqa.types",
    "Document": "kgqa.types",
    "Hit": "kgqa.types",
    "Concept": "kgqa.types",
    "Edge": "kgqa.types",
    "Evidence": "kgqa.types",
    "KgqaError": "kgqa.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'kgqa' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
