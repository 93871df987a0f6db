"""Open a published index generation for querying: chunks and keywords in memory, vectors through the backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kgqa.errors import IndexError_
from kgqa.index.backends import VectorBackend
from kgqa.index.backends.faiss import FaissBackend
from kgqa.index.backends.scores import SentenceScores
from kgqa.index.bm25 import BM25Index
from kgqa.index.manifest import Manifest, current_generation
from kgqa.index.store import ChunkStore
from kgqa.ingest.sentences import Sentence, split_sentences
from kgqa.types import Chunk, Document

# the generation's folder and manifest -> its vector backend
BackendOpener = Callable[[Path, Manifest], VectorBackend]


@dataclass
class IndexReader:
    folder: Path
    manifest: Manifest
    store: ChunkStore
    vectors: VectorBackend
    bm25: BM25Index
    chunks: list[Chunk]
    by_id: dict[str, Chunk]
    documents: dict[str, Document]  # without text; use document() for the text
    sentences: dict[str, list[Sentence]]  # chunk id -> its sentences
    sentence_scores: SentenceScores  # question vector, chunk ids -> one similarity per sentence

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)

    def close(self) -> None:
        self.store.close()
        self.vectors.close()


def open_index(index_dir: Path, open_vectors: BackendOpener | None = None) -> IndexReader:
    """The current generation; its vectors through ``open_vectors`` (default: the FAISS files beside it)."""
    folder = current_generation(index_dir)
    if folder is None:
        raise IndexError_(f"no index in {index_dir}; build one with `kgqa ingest`.")
    manifest = Manifest.read(folder)
    if manifest is None:
        raise IndexError_(f"{folder}/manifest.json is missing or from another version; run `kgqa ingest`.")
    store = ChunkStore(folder / "chunks.sqlite", readonly=True)
    chunks = store.chunks()
    sentences = {c.chunk_id: split_sentences(c) for c in chunks}
    vectors = open_vectors(folder, manifest) if open_vectors else FaissBackend.load(folder)
    # the sentences were split when the index was built; a splitter that now splits otherwise would misalign
    # every sentence with its vector
    split = sum(len(s) for s in sentences.values())
    if manifest.counts.get("sentences", split) != split:
        raise IndexError_(f"{folder}: the vectors do not match the chunks; rebuild with `kgqa ingest --force`.")
    return IndexReader(
        folder=folder,
        manifest=manifest,
        store=store,
        vectors=vectors,
        bm25=BM25Index.load(folder / "bm25"),
        chunks=chunks,
        by_id={c.chunk_id: c for c in chunks},
        documents={d.doc_id: d for d in store.documents()},
        sentences=sentences,
        sentence_scores=SentenceScores(vectors, {cid: len(s) for cid, s in sentences.items()}),
    )
