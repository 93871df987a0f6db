"""Vector stores. ``VectorStore`` is the protocol retrieval depends on; FAISS is the default backend.

A distributed store only has to implement ``search`` (and be built by its own adapter);
retrieval never sees FAISS.

>>> import numpy as np
>>> vs = FaissVectorStore.build(np.eye(3, dtype="float32"), ["a", "b", "c"])
>>> vs.search(np.array([0, 1, 0], dtype="float32"), k=1)
[('b', 1.0)]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from kgqa.errors import IndexError_

IndexType = Literal["flat", "hnsw"]


class VectorStore(Protocol):
    dim: int

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...


class FaissVectorStore:
    """Inner-product search over L2-normalised vectors: exact (flat) or approximate (HNSW)."""

    def __init__(self, index: Any, ids: list[str], dim: int) -> None:
        self._index = index
        self.ids = ids
        self.dim = dim

    @classmethod
    def build(cls, vectors: np.ndarray, ids: list[str], kind: IndexType = "flat") -> FaissVectorStore:
        import faiss

        if vectors.ndim != 2 or vectors.shape[0] != len(ids):
            raise IndexError_(f"need one vector per id, got {vectors.shape} for {len(ids)} ids")
        dim = int(vectors.shape[1])
        index: Any
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = 64
        else:
            raise IndexError_(f"unknown FAISS index type {kind!r}; use 'flat' or 'hnsw'")
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, list(ids), dim)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        q = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self._index.search(q, min(k, len(self.ids)))
        return [(self.ids[r], round(float(s), 6)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(folder / "vectors.faiss"))
        (folder / "vector_ids.json").write_text(json.dumps(self.ids))

    @classmethod
    def load(cls, folder: Path) -> FaissVectorStore:
        import faiss

        index = faiss.read_index(str(folder / "vectors.faiss"))
        ids = json.loads((folder / "vector_ids.json").read_text())
        return cls(index, ids, index.d)
