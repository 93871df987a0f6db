"""Vector backends: one protocol for every vector kgqa searches, and a registry chosen by ``KGQA_VECTOR_BACKEND``.

A backend holds rows of three kinds, each row with an id, the document and chunk it belongs to, and a vector:

- ``chunk``: a chunk's text (the dense retrieval channel);
- ``unit``: what a chunk answers, its question or heading (the question channel);
- ``sentence``: one sentence of a chunk, id ``<chunk_id>#<n>`` in reading order (answer scoring, abstention).

Retrieval and answering only see this protocol. FAISS (``faiss``, per index generation, in the generation's
folder) is the default; Milvus (``milvus``: milvus-lite for a file, or a Milvus server or cluster by URI) keeps
one collection that is updated per document.

>>> import numpy as np
>>> from kgqa.index.backends.faiss import FaissBackend
>>> b = FaissBackend.create(dim=3)
>>> b.upsert(VectorRecords.of("chunk", ["a", "b"], ["d1", "d2"], ["a", "b"], np.eye(3, dtype="float32")[:2]))
>>> b.search(np.array([0, 1, 0], dtype="float32"), k=1)
[('b', 1.0)]
>>> b.count("chunk"), b.count("sentence")
(2, 0)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import numpy as np

from kgqa.errors import ConfigError, IndexError_

if TYPE_CHECKING:
    from kgqa.config import Settings

Kind = Literal["chunk", "unit", "sentence"]
KINDS: tuple[Kind, ...] = ("chunk", "unit", "sentence")
BackendName = Literal["faiss", "milvus"]


@dataclass(frozen=True)
class VectorRecords:
    """Rows of one kind: ``ids[i]`` belongs to document ``doc_ids[i]`` and chunk ``chunk_ids[i]``."""

    kind: Kind
    ids: list[str]
    doc_ids: list[str]
    chunk_ids: list[str]
    vectors: np.ndarray

    @classmethod
    def of(cls, kind: Kind, ids: Sequence[str], doc_ids: Sequence[str], chunk_ids: Sequence[str],
           vectors: np.ndarray) -> VectorRecords:
        if kind not in KINDS:
            raise IndexError_(f"unknown vector kind {kind!r}; use one of {', '.join(KINDS)}")
        n = len(ids)
        if not (len(doc_ids) == len(chunk_ids) == n) or vectors.ndim != 2 or vectors.shape[0] != n:
            raise IndexError_(f"need one document, chunk and vector per id: {n} ids, {len(doc_ids)} documents, "
                              f"{len(chunk_ids)} chunks, vectors of shape {vectors.shape}")
        return cls(kind, list(ids), list(doc_ids), list(chunk_ids), np.asarray(vectors, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)


@runtime_checkable
class VectorBackend(Protocol):
    """A collection of L2-normalised vectors with ids, searched by inner product."""

    name: str
    dim: int

    def upsert(self, records: VectorRecords) -> None:
        """Add rows, replacing rows of the same kind and id."""
        ...

    def delete_documents(self, doc_ids: Collection[str], keep_chunks: Collection[str] = ()) -> None:
        """Remove every row of these documents, except the rows of the chunks in ``keep_chunks``."""
        ...

    def documents(self) -> set[str]:
        """Every document with a row."""
        ...

    def search(self, vector: np.ndarray, k: int, kind: Kind = "chunk", *, doc_ids: Collection[str] | None = None,
               chunk_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest rows of ``kind`` as (id, score), best first, optionally only those of the given
        documents or chunks."""
        ...

    def count(self, kind: Kind | None = None) -> int: ...

    def commit(self, generation: Path) -> None:
        """Make what was written durable for the index generation in ``generation`` (FAISS writes its files
        there; a database flushes)."""
        ...

    def close(self) -> None: ...


def check_dim(backend: VectorBackend, vector: np.ndarray, what: str = "query vector") -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    if v.shape[0] != backend.dim:
        raise IndexError_(f"{what} has {v.shape[0]} dimensions but the {backend.name} index has {backend.dim}; "
                          "was the index built with another embedding model? Run `kgqa ingest --force`.")
    return v


def open_backend(settings: Settings, folder: Path, dim: int, model_id: str, *, create: bool,
                 name: str | None = None) -> VectorBackend:
    """The backend ``name`` (default: the configured one) for the index generation in ``folder`` and vectors of
    ``model_id``; ``create`` for a build writing a new generation."""
    name = name or settings.vector_backend
    if name == "faiss":
        from kgqa.index.backends.faiss import FaissBackend

        return FaissBackend.create(dim, settings.faiss_index) if create else FaissBackend.load(folder)
    if name == "milvus":
        from kgqa.index.backends.milvus import MilvusBackend

        return MilvusBackend.connect(milvus_uri(settings), settings.milvus_token,
                                     collection_name(settings, model_id, dim), dim)
    raise ConfigError(f"unknown vector backend {name!r} (KGQA_VECTOR_BACKEND); use 'faiss' or 'milvus'")


def milvus_uri(settings: Settings) -> str:
    """``KGQA_MILVUS_URI``, or a milvus-lite file in the index folder."""
    return settings.milvus_uri or str((settings.index_dir / "milvus.db").resolve())


def collection_name(settings: Settings, model_id: str, dim: int) -> str:
    """One collection per model: vectors of two models never share a collection."""
    import hashlib

    model = hashlib.sha256(model_id.encode("utf-8")).hexdigest()[:10]
    return f"{settings.milvus_collection}_{model}_{dim}"


def backend_label(settings: Settings) -> str:
    """What the manifest records, so that switching backends (or collections) rebuilds."""
    if settings.vector_backend == "faiss":
        return f"faiss:{settings.faiss_index}"
    return f"milvus:{milvus_uri(settings)}#{settings.milvus_collection}"


def backend_name(label: str) -> str:
    """The backend's name in a manifest's label.

    >>> backend_name("faiss:flat")
    'faiss'
    """
    return label.partition(":")[0]
