"""kgqa as a langchain retriever: ``KgqaRetriever.from_kb(kb, k=3).invoke("What is RoPE?")``.

Each langchain ``Document`` is one chunk: ``id`` is the chunk id, ``page_content`` its text, and ``metadata``
holds ``source`` (the document's path, else its id), ``title``, ``section``, ``start`` and ``end`` (the span of
the document's text the chunk is), ``score`` (fused), and ``doc_id``, ``chunk_id``, ``page`` and the
per-channel ``scores``. So ``{source}`` document prompts and sources-citing chains work unchanged.

``invoke(query, k=1)`` overrides the constructor's ``k`` for one call; ``history=[{"role", "content"}, ...]``
resolves a follow-up question as ``/v1/ask`` does.

The search is CPU-bound (the query embedding, FAISS, BM25, fusion) with no I/O to wait on, so there is nothing
to ``await`` inside it: the async path runs the same search on a worker thread (``asyncio.to_thread``). That
keeps an event loop free while a search runs; it does not make one search faster, and concurrent searches
share the cores (and the embedder's lock around its query engine).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from kgqa.types import Document, Hit

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase

# passed through by langchain's own invoke(); it means nothing to the search
_IGNORED_KWARGS = frozenset({"verbose"})


def to_document(hit: Hit, documents: Mapping[str, Document]) -> LCDocument:
    """One retrieved chunk as a langchain ``Document`` (see the module docstring for its metadata)."""
    c = hit.chunk
    doc = documents.get(c.doc_id)
    metadata = {
        "source": (doc.path if doc and doc.path else c.doc_id),
        "title": doc.title if doc else c.doc_id,
        "section": c.section,
        "start": c.start,
        "end": c.end,
        "score": hit.score,
        "doc_id": c.doc_id,
        "chunk_id": c.chunk_id,
        "page": c.page_at(c.start),
        "scores": dict(hit.scores),
    }
    return LCDocument(id=c.chunk_id, page_content=c.text, metadata=metadata)


class KgqaRetriever(BaseRetriever):
    """langchain retriever over a loaded knowledge base: ``KgqaRetriever.from_kb(kb).invoke("…")``.

    ``KgqaRetriever(engine=kb.engine)`` works too; without ``documents`` the title and source fall back to
    the document id.
    """

    engine: Any
    k: int = Field(5, gt=0)
    documents: Mapping[str, Document] = Field(default_factory=dict)

    @classmethod
    def from_kb(cls, kb: KnowledgeBase, k: int | None = None, **kwargs: Any) -> KgqaRetriever:
        """A retriever over ``kb`` returning ``k`` documents (default: the knowledge base's ``top_k``)."""
        return cls(engine=kb.engine, documents=kb.index.documents, k=kb.settings.top_k if k is None else k,
                   **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None,
        history: Sequence[object] | None = None, **kwargs: Any,
    ) -> list[LCDocument]:
        return self._search(query, self._count(k, kwargs), history)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, k: int | None = None,
        history: Sequence[object] | None = None, **kwargs: Any,
    ) -> list[LCDocument]:
        count = self._count(k, kwargs)  # a wrong argument fails here, before a thread is taken
        return await asyncio.to_thread(self._search, query, count, history)

    def _count(self, k: int | None, kwargs: Mapping[str, Any]) -> int:
        unknown = sorted(set(kwargs) - _IGNORED_KWARGS)
        if unknown:
            raise TypeError(f"KgqaRetriever got unexpected keyword argument(s) {unknown}; it takes k and history")
        if k is None:
            return self.k
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError(f"k must be a positive int, got {k!r}")
        return k

    def _search(self, query: str, k: int, history: Sequence[object] | None) -> list[LCDocument]:
        return [to_document(h, self.documents) for h in self.engine.search(query, k=k, history=history)]
