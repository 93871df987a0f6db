"""The two flows of kgqa, wired from the stages: ``build_index`` (corpus -> indexes), here, and ``load`` (indexes
-> a queryable knowledge base), in ``kgqa.knowledge`` and importable from here too. Read top to bottom; each stage
lives in its own package.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgqa.config import Settings
from kgqa.graph import build as graph_build
from kgqa.graph.build import ConceptGraph, graph_for_corpus
from kgqa.graph.crosslingual import LabelVectors
from kgqa.graph.glossary import Glossary, load_glossary
from kgqa.index.backends import backend_label, open_backend
from kgqa.index.bm25 import KEYWORD_VERSION
from kgqa.index.embed import Embedder
from kgqa.index.manifest import Manifest, current_generation, new_generation, publish
from kgqa.index.store import ChunkStore, EmbeddingCache
from kgqa.index.writer import (
    ChunkVectors,
    embed_chunks,
    embed_texts,
    prune_vectors,
    vector_records,
    write_search_indexes,
)
from kgqa.ingest import corpus as ingest
from kgqa.ingest.chunk import CHUNKER_VERSION
from kgqa.ingest.load import Skipped, load_corpus
from kgqa.knowledge import KnowledgeBase, abstain_thresholds, cached_tokenize, load  # noqa: F401  (the load flow)
from kgqa.text import SPLITTER_VERSION
from kgqa.types import Document

log = logging.getLogger(__name__)


# stage name, total -> advance(n); the CLI draws it as a progress bar
ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass
class BuildReport:
    up_to_date: bool
    reasons: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    folder: str = ""
    sources: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def upload_folder(settings: Settings) -> Path:
    """Where documents uploaded over HTTP are kept: a data folder of their own, never the user's folders."""
    return settings.upload_dir or settings.index_dir / "uploads"


def corpus_sources(settings: Settings, paths: Sequence[Path] | None = None) -> list[Path]:
    """What to index: the given paths; else what the current index was built from (so ``kgqa ingest
    mydocs/`` then ``kgqa serve`` serves mydocs/); else the corpus folder. A corpus folder set
    explicitly (``KGQA_CORPUS_DIR`` or ``--corpus``) always wins over the index's own sources.
    Uploaded documents are indexed with them."""
    sources = _chosen_sources(settings, paths)
    uploads = upload_folder(settings)
    if uploads.is_dir() and any(p.is_file() and not p.name.startswith(".") for p in uploads.iterdir()) \
            and all(s.resolve() != uploads.resolve() for s in sources):
        sources.append(uploads)
    return sources


def _chosen_sources(settings: Settings, paths: Sequence[Path] | None) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    if "corpus_dir" not in settings.model_fields_set:
        previous = current_generation(settings.index_dir)
        old = Manifest.read(previous) if previous else None
        uploads = upload_folder(settings).resolve()
        kept = [Path(p) for p in old.sources if Path(p).resolve() != uploads] if old else []
        if kept and all(p.exists() for p in kept):
            return kept
    return [settings.corpus_dir]


def glossary_for(settings: Settings, sources: Sequence[Path]) -> Path | None:
    """The glossary that belongs to the corpus: ``glossary.yaml`` in the first source folder holding one."""
    for folder in (p if p.is_dir() else p.parent for p in sources):
        candidate = folder / settings.glossary_file
        if candidate.is_file():
            return candidate
    return None


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder; readers never wait."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def build_index(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    embedder: Embedder | None = None,
    progress: ProgressFactory | None = None,
    force: bool = False,
) -> BuildReport:
    """Build or refresh the indexes from the corpus; a no-op when nothing changed."""
    started = time.perf_counter()
    sources = corpus_sources(settings, paths)
    glossary_path = glossary_for(settings, sources)
    with _build_lock(settings.index_dir):
        # 1. load documents (skipping and listing files that cannot be indexed) and compare with the index
        docs, skipped = load_corpus(sources, budget_s=settings.ingest_document_timeout_s)
        previous = current_generation(settings.index_dir)
        old = Manifest.read(previous) if previous else None
        expected = Manifest(
            model_id=embedder.model_id if embedder else settings.embedding_model_id, dim=0,
            chunker_version=CHUNKER_VERSION, graph_version=graph_build.graph_build_version(),
            documents={d.doc_id: d.sha256 for d in docs},
            glossary_sha256=_sha256_file(glossary_path) if glossary_path else "",
            faiss_index=settings.faiss_index, sources=[str(p) for p in sources], splitter_version=SPLITTER_VERSION,
            vector_backend=backend_label(settings), keyword_version=KEYWORD_VERSION,
        )
        reasons = old.stale_reasons(expected) if old else ["no index yet"]
        if not reasons and not force:
            return BuildReport(up_to_date=True, counts=old.counts if old else {}, folder=str(previous),
                               sources=expected.sources, skipped=skipped)
        old_store = ChunkStore(previous / "chunks.sqlite", readonly=True) if previous else None
        reuse = old_store.get_part if old_store else None
        try:
            # 2. chunk, reusing unchanged documents
            chunked = ingest.chunk_corpus(docs, settings.chunk_max_chars, reuse)
            # 3. embed chunks, what they answer and their sentences (only text the cache has not seen)
            if embedder is None:  # the full model loads only if some text is not in the cache
                from kgqa.index.models import load_query_embedder

                embedder = load_query_embedder(settings)
            cache = EmbeddingCache(settings.index_dir / "cache" / "embeddings.sqlite")
            vectors = embed_chunks(chunked.chunks, embedder, cache, settings.embedding_batch_size, progress)
            # 4. concept graph, reusing unchanged documents' contributions; one-language names joined through
            # the model's shared space (label vectors cached like the passages)
            glossary = load_glossary(glossary_path) if glossary_path else Glossary()
            graph, graph_parts = graph_for_corpus(docs, [p.chunks for p in chunked.per_document],
                                                  glossary, expected.glossary_sha256, reuse,
                                                  _label_vectors(embedder, cache, settings.embedding_batch_size))
            cache.close()
        finally:
            if old_store:
                old_store.close()

        # 5. write a new generation aside, then swap it in atomically; 6. drop the vectors it no longer uses
        final, counts = _write_generation(settings, embedder, expected, _Built(docs, chunked, vectors, graph,
                                                                                graph_parts, skipped), started)
    return BuildReport(False, reasons, counts, expected.build_seconds, str(final), expected.sources, skipped)


def _label_vectors(embedder: Embedder, cache: EmbeddingCache, batch_size: int) -> LabelVectors:
    """Concept labels -> query vectors (a label is short, like a query), through the embedding cache."""
    return lambda labels: embed_texts(labels, embedder, cache, batch_size, kind="query").vectors


@dataclass
class _Built:
    docs: list[Document]
    chunked: ingest.CorpusChunks
    vectors: ChunkVectors
    graph: ConceptGraph
    graph_parts: list[tuple[str, str, Any]]
    skipped: list[Skipped]


def _write_generation(settings: Settings, embedder: Embedder, manifest: Manifest, built: _Built, started: float
                      ) -> tuple[Path, dict[str, int]]:
    """Write the generation's files (chunk store, vectors through the backend, BM25, graph, manifest),
    publish it, then prune the rows a shared vector backend keeps for documents it no longer holds."""
    folder = new_generation(settings.index_dir)
    store = ChunkStore(folder / "chunks.sqlite")
    store.write(built.docs, built.chunked.chunks)
    for doc_id, key, payload in ingest.payloads(built.chunked, built.docs, settings.chunk_max_chars):
        store.put_part(ingest.STAGE, doc_id, key, payload)
    for doc_id, key, dg in built.graph_parts:
        store.put_part(graph_build.STAGE, doc_id, key, dg.to_dict())
    store.close()
    records = vector_records(built.chunked.chunks, built.vectors)
    changed = set(built.chunked.rechunked)
    backend = open_backend(settings, folder, embedder.dim, embedder.model_id, create=True)
    try:
        write_search_indexes(folder, built.chunked.chunks, backend, records, changed)
        built.graph.save(folder / "graph.json")
        counts = {"documents": len(built.docs), "skipped_files": len(built.skipped), **built.chunked.summary(),
                  "embedded": built.vectors.embedded, "cached": built.vectors.cached,
                  "sentences": len(built.vectors.sentences), "rechunked_documents": len(changed),
                  **built.graph.stats_counts()}
        manifest.dim, manifest.counts = embedder.dim, counts
        manifest.built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        manifest.build_seconds = round(time.perf_counter() - started, 3)
        (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        final = publish(settings.index_dir, folder)
        prune_vectors(backend, records, changed)
    finally:
        backend.close()
    return final, counts

