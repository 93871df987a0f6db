"""The two reference retrievers the system is measured against, on the same questions with the same metrics.

* ``DenseBaseline``: 500-character ``RecursiveCharacterTextSplitter`` chunks (overlap 50) of the raw
  documents, embedded with the same model and prompts as the system, searched exactly (FAISS flat IP).
* ``BM25Baseline``: the system's own chunks, keyword search only (``kgqa.index.bm25``, jieba tokens).

Neither abstains; they are judged on retrieval only. Both return, per result, the spans it stands for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from metrics import Retrieved

from kgqa.index.bm25 import BM25Index
from kgqa.index.embed import Embedder
from kgqa.types import Chunk, Document


class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int) -> list[Retrieved]: ...


def chunk_spans(chunk: Chunk) -> Retrieved:
    """A chunk's own span plus every other place its text occurs (duplicates are indexed once)."""
    own = (chunk.doc_id, chunk.start, chunk.end)
    others = ((o.doc_id, o.start, o.end) for o in chunk.occurrences)
    return (own, *(span for span in others if span != own))


def split_documents(
    docs: Sequence[Document], chunk_size: int = 500, overlap: int = 50
) -> list[tuple[str, Retrieved]]:
    """(text, span) of every splitter chunk; the span is checked to slice back to the text."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size, chunk_overlap=overlap, add_start_index=True
    )
    out: list[tuple[str, Retrieved]] = []
    for doc in docs:
        for piece in splitter.create_documents([doc.text]):
            start = int(piece.metadata["start_index"])
            end = start + len(piece.page_content)
            if start < 0 or doc.text[start:end] != piece.page_content:
                raise ValueError(f"splitter chunk at {start} in {doc.doc_id} does not slice back to its text")
            out.append((piece.page_content, ((doc.doc_id, start, end),)))
    return out


class DenseBaseline:
    """Dense-only retrieval over fixed-size character chunks."""

    name = "dense-500"

    def __init__(self, docs: Sequence[Document], embedder: Embedder, batch_size: int = 32) -> None:
        import faiss

        pieces = split_documents(docs)
        self._spans = [spans for _, spans in pieces]
        texts = [text for text, _ in pieces]
        vectors = np.vstack([embedder.embed(texts[i : i + batch_size], "passage")
                             for i in range(0, len(texts), batch_size)])
        self._index = faiss.IndexFlatIP(embedder.dim)
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self._embedder = embedder

    @property
    def size(self) -> int:
        return len(self._spans)

    def ranked(self, query: str, k: int) -> list[tuple[int, float]]:
        """(piece number, inner product) of the ``k`` best pieces, best first; ``spans(i)`` says where piece
        ``i`` is."""
        vector = self._embedder.embed([query], "query")
        scores, ids = self._index.search(np.ascontiguousarray(vector, dtype=np.float32), min(k, self.size))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def spans(self, i: int) -> Retrieved:
        return self._spans[i]

    def search(self, query: str, k: int) -> list[Retrieved]:
        return [self._spans[i] for i, _ in self.ranked(query, k)]


class BM25Baseline:
    """Keyword-only retrieval over the system's chunks (the text each chunk is indexed with)."""

    name = "bm25"

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._spans = [chunk_spans(c) for c in chunks]
        self._index = BM25Index.build([c.index_text() for c in chunks])

    @property
    def size(self) -> int:
        return len(self._spans)

    def search(self, query: str, k: int) -> list[Retrieved]:
        scores = self._index.scores(query)
        # stable sort, so ties keep corpus order and runs are reproducible
        order = np.argsort(-scores, kind="stable")[:k]
        return [self._spans[i] for i in order if scores[i] > 0]
