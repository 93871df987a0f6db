"""Milvus as the vector backend, on pymilvus's ``MilvusClient``.

``uri`` is a file path for milvus-lite (embedded, one process at a time), or ``http://host:19530`` for a Milvus
standalone or distributed cluster (with ``token``, e.g. ``user:password``). One collection per embedding model
holds the rows of every kind; primary keys are ``<kind>:<id>``. Unlike FAISS, the collection is shared by all
index generations: a build upserts only the rows of documents it re-chunked and then deletes the rows of
documents the new generation no longer holds, so an upload or a delete touches only that document's rows.
Rows a generation does not know are ignored by its retriever, so a build running beside a server never
changes what the server answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from kgqa.errors import ConfigError, IndexError_
from kgqa.index.backends import KINDS, Kind, VectorRecords, check_dim

log = logging.getLogger(__name__)

MAX_ID = 1024  # chunk ids are short content hashes; document ids are relative paths
MAX_DOC_ID = 4096
MAX_TOP_K = 16384  # Milvus refuses a larger limit
UPSERT_BATCH = 1000  # rows per request: well under gRPC's default 64 MB message cap at 384 dimensions
FILTER_BATCH = 500  # ids per `in [...]` filter


def literal(value: str) -> str:
    """A Milvus string literal: double quotes, with backslash and quote escaped.

    >>> literal('a"b')
    '"a\\\\"b"'
    """
    return json.dumps(value, ensure_ascii=False)


def in_list(field_name: str, values: Collection[str]) -> str:
    return f"{field_name} in [{', '.join(literal(v) for v in sorted(values))}]"


class MilvusBackend:
    name = "milvus"

    def __init__(self, client: Any, collection: str, dim: int, uri: str) -> None:
        self._client = client
        self.collection = collection
        self.dim = dim
        self.uri = uri

    @classmethod
    def connect(cls, uri: str, token: str | None, collection: str, dim: int) -> MilvusBackend:
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:  # pragma: no cover - pymilvus is the [milvus] extra
            raise ConfigError("KGQA_VECTOR_BACKEND=milvus needs pymilvus: pip install 'kgqa[milvus]'") from exc
        lite = not uri.startswith(("http://", "https://", "tcp://", "unix:"))
        try:
            client = MilvusClient(uri=uri, token=token or "")
        except Exception as exc:  # pymilvus raises its own and grpc's errors here
            hint = ("a milvus-lite file is used by one process at a time: stop the other kgqa process using it "
                    "(kgqa serve, kgqa ingest), or point KGQA_MILVUS_URI at a Milvus server" if lite
                    else "check KGQA_MILVUS_URI (http://host:19530) and KGQA_MILVUS_TOKEN, and that the server is up")
            raise IndexError_(f"cannot open Milvus at {uri!r} ({exc}); {hint}.") from exc
        if lite:
            # milvus-lite has no server-side snapshot timestamp; pymilvus warns on every iterator and falls back
            # to the client's clock, which is what an embedded database in one process wants anyway
            logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)
        backend = cls(client, collection, dim, uri)
        backend._ensure_collection()
        return backend

    def _ensure_collection(self) -> None:
        from pymilvus import DataType

        c = self._client
        if c.has_collection(self.collection):
            dims = [f.get("params", {}).get("dim") for f in c.describe_collection(self.collection)["fields"]
                    if f["name"] == "vector"]
            if dims and int(dims[0]) != self.dim:
                raise IndexError_(f"Milvus collection {self.collection!r} holds {dims[0]}-dimensional vectors, "
                                  f"not {self.dim}; set KGQA_MILVUS_COLLECTION to another name.")
            # a collection another process made (or a restarted server holds) is released: not searchable
            # until loaded; loading a loaded one does nothing
            c.load_collection(self.collection)
            return
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=MAX_ID + 16)
        schema.add_field("kind", DataType.VARCHAR, max_length=16)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=MAX_DOC_ID)
        schema.add_field("chunk_id", DataType.VARCHAR, max_length=MAX_ID)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dim)
        index = c.prepare_index_params()
        # AUTOINDEX lets a Milvus server choose (HNSW-like); milvus-lite falls back to exact search
        index.add_index("vector", index_type="AUTOINDEX", metric_type="IP")
        # milvus-lite answers pymilvus's wait-for-index timestamp call with "Method not implemented", which its
        # in-process gRPC server logs as an error with a traceback; the collection is created all the same
        grpc_log = logging.getLogger("grpc._server")
        level = grpc_log.level
        grpc_log.setLevel(logging.CRITICAL)
        try:
            c.create_collection(self.collection, schema=schema, index_params=index)
        finally:
            grpc_log.setLevel(level)
        log.info("created Milvus collection %s (%d dimensions) at %s", self.collection, self.dim, self.uri)

    # -- writing -----------------------------------------------------------------------------------------

    def upsert(self, records: VectorRecords) -> None:
        if len(records) and records.vectors.shape[1] != self.dim:
            raise IndexError_(f"vectors have {records.vectors.shape[1]} dimensions but the Milvus collection "
                              f"{self.collection!r} has {self.dim}")
        for at in range(0, len(records), UPSERT_BATCH):
            rows = [{"pk": f"{records.kind}:{rid}", "kind": records.kind, "doc_id": doc, "chunk_id": chunk,
                     "vector": vec.tolist()}
                    for rid, doc, chunk, vec in zip(records.ids[at:at + UPSERT_BATCH],
                                                    records.doc_ids[at:at + UPSERT_BATCH],
                                                    records.chunk_ids[at:at + UPSERT_BATCH],
                                                    records.vectors[at:at + UPSERT_BATCH], strict=True)]
            self._client.upsert(self.collection, rows)
        self.flush()

    def delete_documents(self, doc_ids: Collection[str], keep_chunks: Collection[str] = ()) -> None:
        docs = sorted(doc_ids)
        if not docs:
            return
        unless = f" and not ({in_list('chunk_id', keep_chunks)})" if keep_chunks else ""
        for at in range(0, len(docs), FILTER_BATCH):
            self._client.delete(self.collection, filter=in_list("doc_id", docs[at:at + FILTER_BATCH]) + unless)
        self.flush()

    def commit(self, generation: Path) -> None:
        self.flush()

    def flush(self) -> None:
        # sealing the growing segment makes new rows searchable through the index instead of a slow scan
        self._client.flush(self.collection)

    # -- reading -----------------------------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int, kind: Kind = "chunk", *, doc_ids: Collection[str] | None = None,
               chunk_ids: Collection[str] | None = None) -> list[tuple[str, float]]:
        v = check_dim(self, vector)
        if k <= 0 or (doc_ids is not None and not doc_ids) or (chunk_ids is not None and not chunk_ids):
            return []
        where = [f"kind == {literal(kind)}"]
        if doc_ids is not None:
            where.append(in_list("doc_id", doc_ids))
        if chunk_ids is not None:
            where.append(in_list("chunk_id", chunk_ids))
        found = self._client.search(self.collection, data=[v.tolist()], limit=min(k, MAX_TOP_K),
                                    filter=" and ".join(where), output_fields=["pk"],
                                    search_params={"metric_type": "IP"})
        prefix = len(kind) + 1
        return [(hit["entity"]["pk"][prefix:], round(float(hit["distance"]), 6)) for hit in found[0]]

    def count(self, kind: Kind | None = None) -> int:
        where = f"kind == {literal(kind)}" if kind else ""
        rows = self._client.query(self.collection, filter=where, output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def documents(self) -> set[str]:
        """Every document with a row in the collection."""
        found: set[str] = set()
        iterator = self._client.query_iterator(self.collection, batch_size=1000, filter='kind == "chunk"',
                                               output_fields=["doc_id"])
        while batch := iterator.next():
            found.update(row["doc_id"] for row in batch)
        iterator.close()
        return found

    def ids(self, kind: Kind) -> list[str]:
        out: list[str] = []
        iterator = self._client.query_iterator(self.collection, batch_size=1000, filter=f"kind == {literal(kind)}",
                                               output_fields=["pk"])
        while batch := iterator.next():
            out.extend(row["pk"][len(kind) + 1:] for row in batch)
        iterator.close()
        return sorted(out)

    def drop(self) -> None:
        self._client.drop_collection(self.collection)

    def close(self) -> None:
        self._client.close()


__all__ = ["KINDS", "MilvusBackend"]
