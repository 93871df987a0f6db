"""Open a published index generation for querying: everything small is held in memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kgqa.errors import IndexError_
from kgqa.index.bm25 import BM25Index
from kgqa.index.manifest import Manifest, current_generation
from kgqa.index.store import ChunkStore
from kgqa.index.vector import FaissVectorStore
from kgqa.ingest.sentences import Sentence, split_sentences
from kgqa.types import Chunk, Document


@dataclass
class IndexReader:
    folder: Path
    manifest: Manifest
    store: ChunkStore
    vectors: FaissVectorStore
    bm25: BM25Index
    chunks: list[Chunk]
    by_id: dict[str, Chunk]
    documents: dict[str, Document]  # without text; use document() for the text
    sentences: dict[str, list[Sentence]]  # chunk id -> its sentences
    sentence_vectors: dict[str, np.ndarray]  # chunk id -> one row per sentence
    unit_vectors: np.ndarray  # one row per chunk, in chunk order: what the chunk answers

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)

    def close(self) -> None:
        self.store.close()


def open_index(index_dir: Path) -> IndexReader:
    folder = current_generation(index_dir)
    if folder is None:
        raise IndexError_(f"no index in {index_dir}; build one with `kgqa ingest`.")
    manifest = Manifest.read(folder)
    if manifest is None:
        raise IndexError_(f"{folder}/manifest.json is missing or from another version; run `kgqa ingest`.")
    store = ChunkStore(folder / "chunks.sqlite", readonly=True)
    chunks = store.chunks()
    sentences = {c.chunk_id: split_sentences(c) for c in chunks}
    flat = np.load(folder / "sentence_vectors.npy").astype(np.float32)
    rows, at = {}, 0
    for c in chunks:
        n = len(sentences[c.chunk_id])
        rows[c.chunk_id] = flat[at : at + n]
        at += n
    if at != flat.shape[0]:
        raise IndexError_(f"{folder}: sentence vectors do not match the chunks; rebuild with `kgqa ingest --force`.")
    return IndexReader(
        folder=folder,
        manifest=manifest,
        store=store,
        vectors=FaissVectorStore.load(folder),
        bm25=BM25Index.load(folder / "bm25"),
        chunks=chunks,
        by_id={c.chunk_id: c for c in chunks},
        documents={d.doc_id: d for d in store.documents()},
        sentences=sentences,
        sentence_vectors=rows,
        unit_vectors=np.load(folder / "unit_vectors.npy").astype(np.float32),
    )
