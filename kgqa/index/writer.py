"""Chunks -> vectors (through the cache) -> files of a new index generation."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kgqa.index.backends import KINDS, VectorBackend, VectorRecords
from kgqa.index.backends.scores import sentence_id
from kgqa.index.bm25 import BM25Index
from kgqa.index.embed import Embedder, Kind
from kgqa.index.store import EmbeddingCache
from kgqa.ingest.sentences import split_sentences
from kgqa.types import Chunk

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass
class Embedded:
    vectors: np.ndarray
    embedded: int
    cached: int


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_texts(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache,
    batch_size: int = 32,
    progress: Callable[[int], Progress] | None = None,
    kind: Kind = "passage",
) -> Embedded:
    """One vector per text (a passage vector unless ``kind`` says otherwise), in order. Only texts missing from
    the cache are embedded; each batch is written to the cache as soon as it is done, so an interrupted build
    loses nothing. ``progress(total)`` is told how many distinct texts will be embedded, then each batch done."""
    keys = [text_key(t) for t in texts]
    model = embedder.model_id if kind == "passage" else f"{embedder.model_id}#{kind}"  # a query vector differs
    have = cache.get_many(model, set(keys))
    # batches of similar length: a batch is padded to its longest text, so mixing lengths wastes most of the work
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in have}.items(),
                  key=lambda kv: (len(kv[1]), kv[0]))
    advance = progress(len(todo)) if progress else None
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        vecs = embedder.embed([t for _, t in batch], kind=kind)
        fresh = {k: v for (k, _), v in zip(batch, vecs, strict=True)}
        cache.put_many(model, fresh)
        have.update(fresh)
        if advance:
            advance(len(batch))
    dim = embedder.dim
    vectors = np.stack([have[k] for k in keys]) if keys else np.zeros((0, dim), dtype=np.float32)
    return Embedded(vectors.astype(np.float32), embedded=len(todo), cached=len(set(keys)) - len(todo))


@dataclass
class ChunkVectors:
    """Passage vectors of every chunk's text, of what it answers (``unit_text``) and of its sentences."""

    chunks: np.ndarray
    units: np.ndarray
    sentences: np.ndarray
    embedded: int
    cached: int


def embed_chunks(
    chunks: Sequence[Chunk],
    embedder: Embedder,
    cache: EmbeddingCache,
    batch_size: int = 32,
    progress: Callable[[str, int], Progress] | None = None,
) -> ChunkVectors:
    """All three vector sets in one pass through the cache, so shared texts are embedded once."""
    texts = [c.index_text() for c in chunks]
    units = [c.unit_text() for c in chunks]
    sentences = [s.text for c in chunks for s in split_sentences(c)]
    everything = texts + units + sentences
    # the bar counts texts still to embed (cached and repeated ones are not work), not chunks
    emb = embed_texts(everything, embedder, cache, batch_size,
                      (lambda total: progress("embedding", total)) if progress else None)
    a, b = len(texts), len(texts) + len(units)
    return ChunkVectors(emb.vectors[:a], emb.vectors[a:b], emb.vectors[b:], emb.embedded, emb.cached)


def vector_records(chunks: Sequence[Chunk], vectors: ChunkVectors) -> list[VectorRecords]:
    """The rows of every kind for the vector backend: chunks, what they answer, their sentences."""
    ids = [c.chunk_id for c in chunks]
    docs = [c.doc_id for c in chunks]
    s_ids, s_docs, s_chunks = [], [], []
    for c in chunks:
        for n, _ in enumerate(split_sentences(c)):
            s_ids.append(sentence_id(c.chunk_id, n))
            s_docs.append(c.doc_id)
            s_chunks.append(c.chunk_id)
    return [VectorRecords.of("chunk", ids, docs, ids, vectors.chunks),
            VectorRecords.of("unit", ids, docs, ids, vectors.units),
            VectorRecords.of("sentence", s_ids, s_docs, s_chunks, vectors.sentences)]


def _of_documents(records: VectorRecords, doc_ids: set[str]) -> VectorRecords:
    rows = [i for i, d in enumerate(records.doc_ids) if d in doc_ids]
    return VectorRecords.of(records.kind, [records.ids[i] for i in rows], [records.doc_ids[i] for i in rows],
                            [records.chunk_ids[i] for i in rows], records.vectors[rows])


def write_vectors(backend: VectorBackend, records: Sequence[VectorRecords], changed: set[str]) -> int:
    """Upsert the rows of the documents that were re-chunked and of those the backend lacks; returns the rows
    written. A per-generation backend (FAISS) starts empty and gets everything; a shared one (Milvus) only
    what changed."""
    wanted = {d for r in records for d in r.doc_ids}
    todo = (changed | (wanted - backend.documents())) & wanted
    written = 0
    for r in records:
        part = r if todo == wanted else _of_documents(r, todo)
        if len(part):
            backend.upsert(part)
            written += len(part)
    return written


def prune_vectors(backend: VectorBackend, records: Sequence[VectorRecords], changed: set[str]) -> None:
    """After the new generation is published: drop rows of documents it no longer holds, and the old rows of
    documents it re-chunked. If the backend then holds other counts than the generation (rows lost by
    hand, or a crash between the two steps), write every row again."""
    wanted = {d for r in records for d in r.doc_ids}
    backend.delete_documents(backend.documents() - wanted)
    if changed:
        backend.delete_documents(changed, keep_chunks=_chunks_of(records, changed))
    if any(backend.count(r.kind) != len(r) for r in records):
        log.warning("the %s vector backend holds other rows than this generation; writing them all again",
                    backend.name)
        for r in records:
            backend.upsert(r)
        backend.delete_documents(wanted, keep_chunks=_chunks_of(records, wanted))


def _chunks_of(records: Sequence[VectorRecords], doc_ids: set[str]) -> set[str]:
    return {c for r in records if r.kind == "chunk" for c, d in zip(r.ids, r.doc_ids, strict=True) if d in doc_ids}


def write_search_indexes(folder: Path, chunks: Sequence[Chunk], backend: VectorBackend,
                         records: Sequence[VectorRecords], changed: set[str]) -> None:
    """The vector rows (through the backend; FAISS writes them into ``folder``) and BM25 over the chunk texts."""
    write_vectors(backend, records, changed)
    backend.commit(folder)
    bm25_dir = folder / "bm25"
    bm25_dir.mkdir()
    BM25Index.build([c.index_text() for c in chunks]).save(bm25_dir)


__all__ = ["KINDS", "embed_chunks", "prune_vectors", "vector_records", "write_search_indexes"]
