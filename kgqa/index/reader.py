"""Open a published index generation for querying: chunks and keywords in memory, vectors through the backend."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
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
from kgqa.tuning import VECTORS
from kgqa.types import Chunk, Document

# the generation's folder and manifest -> its vector backend
BackendOpener = Callable[[Path, Manifest], VectorBackend]


class ChunkSentences(Mapping[str, list[Sentence]]):
    """Chunk id -> its sentences, split when first asked for and kept for the most recently used chunks only: a
    question reads the sentences of a few passages, and holding all of them cost 275 MB at 100k chunks.

    >>> c = Chunk("c1", "d", 0, 12, "一句话。第二句。")
    >>> s = ChunkSentences({"c1": c}, keep=1)
    >>> [x.text for x in s["c1"]], len(s), "c2" in s
    (['一句话。', '第二句。'], 1, False)
    """

    def __init__(self, chunks: Mapping[str, Chunk], keep: int) -> None:
        self._chunks = chunks
        self._keep = keep
        self._recent: OrderedDict[str, list[Sentence]] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, chunk_id: str) -> list[Sentence]:
        with self._lock:
            if chunk_id in self._recent:
                self._recent.move_to_end(chunk_id)
                return self._recent[chunk_id]
        sentences = split_sentences(self._chunks[chunk_id])  # KeyError for a chunk the index does not hold
        with self._lock:
            self._recent[chunk_id] = sentences
            while len(self._recent) > self._keep:
                self._recent.popitem(last=False)
        return sentences

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks)

    def __len__(self) -> int:
        return len(self._chunks)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._chunks


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
    sentences: Mapping[str, list[Sentence]]  # chunk id -> its sentences (split on demand)
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
    by_id = {c.chunk_id: c for c in chunks}
    counts = {c.chunk_id: len(split_sentences(c)) for c in chunks}
    vectors = open_vectors(folder, manifest) if open_vectors else FaissBackend.load(folder)
    # the sentences were split when the index was built; a splitter that now splits otherwise would misalign
    # every sentence with its vector
    split = sum(counts.values())
    if manifest.counts.get("sentences", split) != split:
        raise IndexError_(f"{folder}: the vectors do not match the chunks; rebuild with `kgqa ingest --force`.")
    return IndexReader(
        folder=folder,
        manifest=manifest,
        store=store,
        vectors=vectors,
        bm25=BM25Index.load(folder / "bm25"),
        chunks=chunks,
        by_id=by_id,
        documents={d.doc_id: d for d in store.documents()},
        sentences=ChunkSentences(by_id, VECTORS.sentences_kept),
        sentence_scores=SentenceScores(vectors, counts),
    )
