"""Chunk a whole corpus, reusing the chunks of documents that did not change since the last build."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kgqa.ingest.chunk import CHUNKER_VERSION, DocChunks, chunk_document, merge_duplicates
from kgqa.types import Chunk, Document

# (stage, doc_id, key) -> payload, e.g. ChunkStore.get_part of the previous generation
PartLookup = Callable[[str, str, str], object | None]
STAGE = "chunks"


@dataclass
class CorpusChunks:
    chunks: list[Chunk]
    per_document: list[DocChunks]
    duplicates_merged: int
    rechunked: list[str]

    def summary(self) -> dict[str, int]:
        return {
            "chunks": len(self.chunks),
            "duplicates_merged": self.duplicates_merged,
            "boilerplate_sections": sum(p.boilerplate_sections for p in self.per_document),
            "boilerplate_chars": sum(p.boilerplate_chars for p in self.per_document),
            "listed_questions": sum(p.listed_questions for p in self.per_document),
            "attached_questions": sum(p.attached_questions for p in self.per_document),
        }


def part_key(doc: Document, max_chars: int) -> str:
    return f"{doc.sha256}:{CHUNKER_VERSION}:{max_chars}"


def _to_payload(part: DocChunks) -> dict[str, object]:
    return {**part.__dict__, "chunks": [c.to_dict() for c in part.chunks]}


def _from_payload(data: dict[str, object]) -> DocChunks:
    chunks = [Chunk.from_dict(c) for c in data["chunks"]]  # type: ignore[attr-defined]
    return DocChunks(**{**data, "chunks": chunks})  # type: ignore[arg-type]


def chunk_corpus(
    docs: Sequence[Document], max_chars: int, previous: PartLookup | None = None
) -> CorpusChunks:
    """Chunks of every document, duplicates merged; unchanged documents come from ``previous``."""
    parts: list[DocChunks] = []
    rechunked: list[str] = []
    for doc in docs:
        cached = previous(STAGE, doc.doc_id, part_key(doc, max_chars)) if previous else None
        if isinstance(cached, dict):
            parts.append(_from_payload(cached))
        else:
            parts.append(chunk_document(doc, max_chars))
            rechunked.append(doc.doc_id)
    chunks, merged = merge_duplicates([c for p in parts for c in p.chunks])
    return CorpusChunks(chunks, parts, merged, rechunked)


def payloads(result: CorpusChunks, docs: Sequence[Document], max_chars: int) -> list[tuple[str, str, object]]:
    """(doc_id, key, payload) to store for the next build."""
    return [(d.doc_id, part_key(d, max_chars), _to_payload(p)) for d, p in zip(docs, result.per_document, strict=True)]
