"""Chunks -> vectors (through the cache) -> files of a new index generation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kgqa.index.bm25 import BM25Index
from kgqa.index.embed import Embedder
from kgqa.index.store import EmbeddingCache
from kgqa.index.vector import FaissVectorStore, IndexType
from kgqa.ingest.sentences import split_sentences
from kgqa.types import Chunk

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
) -> Embedded:
    """One passage vector per text, in order. Only texts missing from the cache are embedded; each
    batch is written to the cache as soon as it is done, so an interrupted build loses nothing.
    ``progress(total)`` is told how many distinct texts will be embedded, then each batch done."""
    keys = [text_key(t) for t in texts]
    have = cache.get_many(embedder.model_id, set(keys))
    # batches of similar length: a batch is padded to its longest text, so mixing lengths wastes most of the work
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in have}.items(),
                  key=lambda kv: (len(kv[1]), kv[0]))
    advance = progress(len(todo)) if progress else None
    for i in range(0, len(todo), batch_size):
        batch = todo[i : i + batch_size]
        vecs = embedder.embed([t for _, t in batch], kind="passage")
        fresh = {k: v for (k, _), v in zip(batch, vecs, strict=True)}
        cache.put_many(embedder.model_id, fresh)
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


def write_search_indexes(folder: Path, chunks: Sequence[Chunk], vectors: ChunkVectors, kind: IndexType) -> None:
    """FAISS over the chunk vectors, BM25 over the chunk texts, the vectors of what each chunk answers
    (``Chunk.unit_text``; all three in chunk order), and the sentence vectors (in ``split_sentences``
    order over the chunks) that answer composition scores against."""
    FaissVectorStore.build(vectors.chunks, [c.chunk_id for c in chunks], kind).save(folder)
    np.save(folder / "unit_vectors.npy", vectors.units.astype(np.float16))
    np.save(folder / "sentence_vectors.npy", vectors.sentences.astype(np.float16))
    bm25_dir = folder / "bm25"
    bm25_dir.mkdir()
    BM25Index.build([c.index_text() for c in chunks]).save(bm25_dir)
