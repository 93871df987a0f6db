"""The default vector backend: FAISS in the index generation's own folder.

Chunk vectors are searched through a FAISS index (exact inner product, or HNSW); unit and sentence vectors are
searched exactly, and sentence vectors stay on disk (memory-mapped, float16) until a question needs them. A
search filtered by document or chunk scores only those rows. A generation's folder is written once by a build
and never changed after, so upsert and delete work in memory until :meth:`FaissBackend.save`.

Files, under ``<generation>/vectors/``: ``<kind>.npy`` (rows), ``<kind>.json`` (ids, documents, chunks) and
``chunk.faiss``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kgqa.errors import IndexError_
from kgqa.index.backends import KINDS, Kind, VectorRecords, check_dim
from kgqa.tuning import VECTORS

_searching = threading.local()  # per searching thread: whether its OpenMP thread count is set

IndexType = Literal["flat", "hnsw"]
FOLDER = "vectors"


@dataclass
class _Rows:
    """The rows of one kind, with lookups built on first use."""

    ids: list[str]
    doc_ids: list[str]
    chunk_ids: list[str]
    matrix: np.ndarray  # float32 in memory, or a float16 memory map after load
    index: Any = None  # the FAISS index over ``matrix``, built or loaded on first unfiltered search
    _groups: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @classmethod
    def empty(cls, dim: int) -> _Rows:
        return cls([], [], [], np.zeros((0, dim), dtype=np.float32))

    def rows_of(self, field_name: str, wanted: Collection[str]) -> list[int]:
        groups = self._groups.get(field_name)
        if groups is None:
            groups = {}
            for row, key in enumerate(getattr(self, field_name)):
                groups.setdefault(key, []).append(row)
            self._groups[field_name] = groups
        return sorted(r for key in wanted for r in groups.get(key, ()))


class FaissBackend:
    name = "faiss"

    def __init__(self, dim: int, index_type: IndexType = "flat", kinds: dict[Kind, _Rows] | None = None) -> None:
        if index_type not in ("flat", "hnsw"):
            raise IndexError_(f"unknown FAISS index type {index_type!r} (KGQA_FAISS_INDEX); use 'flat' or 'hnsw'")
        self.dim = dim
        self.index_type: IndexType = index_type
        self._kinds: dict[Kind, _Rows] = kinds or {k: _Rows.empty(dim) for k in KINDS}

    @classmethod
    def create(cls, dim: int, index_type: IndexType = "flat") -> FaissBackend:
        return cls(dim, index_type)

    # -- writing -----------------------------------------------------------------------------------------

    def upsert(self, records: VectorRecords) -> None:
        if len(records) and records.vectors.shape[1] != self.dim:
            raise IndexError_(f"vectors have {records.vectors.shape[1]} dimensions but the index has {self.dim}")
        old = self._kinds[records.kind]
        replaced = set(records.ids)
        keep = [i for i, rid in enumerate(old.ids) if rid not in replaced]
        self._kinds[records.kind] = _Rows(
            [old.ids[i] for i in keep] + records.ids,
            [old.doc_ids[i] for i in keep] + records.doc_ids,
            [old.chunk_ids[i] for i in keep] + records.chunk_ids,
            np.concatenate([np.asarray(old.matrix[keep], dtype=np.float32), records.vectors]),
        )

    def delete_documents(self, doc_ids: Collection[str], keep_chunks: Collection[str] = ()) -> None:
        gone, kept = set(doc_ids), set(keep_chunks)
        for kind, rows in self._kinds.items():
            keep = [i for i, (d, c) in enumerate(zip(rows.doc_ids, rows.chunk_ids, strict=True))
                    if d not in gone or c in kept]
            if len(keep) != len(rows.ids):
                self._kinds[kind] = _Rows([rows.ids[i] for i in keep], [rows.doc_ids[i] for i in keep],
                                          [rows.chunk_ids[i] for i in keep],
                                          np.asarray(rows.matrix[keep], dtype=np.float32))

    # -- reading -----------------------------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int, kind: Kind = "chunk", *, doc_ids: Collection[str] | None = None,
               chunk_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        v = check_dim(self, vector)
        rows = self._kinds[kind]
        if not rows.ids or k <= 0:
            return []
        if doc_ids is None and chunk_ids is None:
            return self._search_all(rows, kind, v, k)
        wanted = None
        for field_name, keys in (("doc_ids", doc_ids), ("chunk_ids", chunk_ids)):
            if keys is not None:
                found = set(rows.rows_of(field_name, keys))
                wanted = found if wanted is None else wanted & found
        picked = sorted(wanted or ())
        if not picked:
            return []
        scores = np.asarray(rows.matrix[picked], dtype=np.float32) @ v
        order = np.argsort(-scores, kind="stable")[:k]
        return [(rows.ids[picked[i]], round(float(scores[i]), 6)) for i in order]

    def _search_all(self, rows: _Rows, kind: Kind, v: np.ndarray, k: int) -> list[tuple[str, float]]:
        if rows.index is None:
            rows.index = self._build_index(np.asarray(rows.matrix, dtype=np.float32),
                                           self.index_type if kind == "chunk" else "flat")
        import faiss

        # OpenMP keeps this per calling thread: a question's search runs on one core (see tuning.VECTORS). Set
        # once per thread: every call into faiss lets go of the GIL, and nothing else sets it (faiss ships its
        # own copy of libgomp)
        if not getattr(_searching, "threads_set", False):
            faiss.omp_set_num_threads(VECTORS.search_threads)
            _searching.threads_set = True
        scores, found = rows.index.search(v.reshape(1, -1), min(k, len(rows.ids)))
        return [(rows.ids[r], round(float(s), 6)) for s, r in zip(scores[0], found[0], strict=True) if r >= 0]

    def _build_index(self, matrix: np.ndarray, index_type: IndexType) -> Any:
        import faiss

        index: Any
        if index_type == "hnsw":
            index = faiss.IndexHNSWFlat(self.dim, VECTORS.hnsw_neighbours, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = VECTORS.hnsw_ef_construction
            index.hnsw.efSearch = VECTORS.hnsw_ef_search
        else:
            index = faiss.IndexFlatIP(self.dim)
        index.add(np.ascontiguousarray(matrix, dtype=np.float32))
        return index

    def count(self, kind: Kind | None = None) -> int:
        return sum(len(self._kinds[k].ids) for k in ((kind,) if kind else KINDS))

    def documents(self) -> set[str]:
        return {d for rows in self._kinds.values() for d in rows.doc_ids}

    def ids(self, kind: Kind) -> list[str]:
        return list(self._kinds[kind].ids)

    def close(self) -> None:
        """Nothing to release: the files are memory-mapped read-only."""

    # -- files -------------------------------------------------------------------------------------------

    def commit(self, generation: Path) -> None:
        self.save(generation)

    def save(self, generation: Path) -> None:
        import faiss

        folder = generation / FOLDER
        folder.mkdir(exist_ok=True)
        for kind, rows in self._kinds.items():
            # chunk rows stay float32 (they are what FAISS searches); unit and sentence rows are scored
            # against one question each, where float16's 3 digits are enough and halve the disk and memory
            dtype = np.float32 if kind == "chunk" else np.float16
            np.save(folder / f"{kind}.npy", np.asarray(rows.matrix, dtype=dtype))
            meta = {"ids": rows.ids, "doc_ids": rows.doc_ids, "chunk_ids": rows.chunk_ids}
            (folder / f"{kind}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        chunk = self._kinds["chunk"]
        if chunk.index is None:
            chunk.index = self._build_index(np.asarray(chunk.matrix, dtype=np.float32), self.index_type)
        faiss.write_index(chunk.index, str(folder / "chunk.faiss"))
        (folder / "faiss.json").write_text(json.dumps({"dim": self.dim, "index_type": self.index_type}))

    @classmethod
    def load(cls, generation: Path) -> FaissBackend:
        import faiss

        folder = generation / FOLDER
        try:
            info = json.loads((folder / "faiss.json").read_text())
            kinds: dict[Kind, _Rows] = {}
            for kind in KINDS:
                meta = json.loads((folder / f"{kind}.json").read_text(encoding="utf-8"))
                matrix = np.load(folder / f"{kind}.npy", mmap_mode="r")
                if kind != "sentence":  # small and read whole by every question: keep them in memory
                    matrix = np.asarray(matrix, dtype=np.float32)
                kinds[kind] = _Rows(meta["ids"], meta["doc_ids"], meta["chunk_ids"], matrix)
            kinds["chunk"].index = faiss.read_index(str(folder / "chunk.faiss"))
            if hasattr(kinds["chunk"].index, "hnsw"):  # a search setting, not part of the index: today's value
                kinds["chunk"].index.hnsw.efSearch = VECTORS.hnsw_ef_search
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise IndexError_(f"{folder}: the FAISS vectors cannot be read ({exc}); rebuild with "
                              "`kgqa ingest --force`.") from exc
        return cls(int(info["dim"]), info["index_type"], kinds)
