"""SQLite stores: the chunk store of one index generation, and the embedding cache shared by all.

The chunk store also keeps, per document, what each stage derived from it (its chunks,
its graph contribution) keyed by the document hash and stage version, so the next build
reuses them for unchanged documents.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kgqa.types import Block, Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT, title TEXT, language TEXT, sha256 TEXT, source TEXT, text TEXT,
    format TEXT, blocks TEXT
);
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, position INTEGER, payload TEXT);
CREATE TABLE IF NOT EXISTS parts (
    stage TEXT, doc_id TEXT, key TEXT, payload TEXT, PRIMARY KEY (stage, doc_id)
);
"""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
    return conn


class ChunkStore:
    """Documents, chunks (in index order) and per-document stage outputs of one index generation."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self._conn = connect(path, readonly)
        if not readonly:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def write(self, documents: Sequence[Document], chunks: Sequence[Chunk]) -> None:
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                [(d.doc_id, d.path, d.title, d.language, d.sha256, d.source, d.text, d.format,
                  json.dumps([b.to_dict() for b in d.blocks], ensure_ascii=False)) for d in documents],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?,?,?)",
                [(c.chunk_id, i, json.dumps(c.to_dict(), ensure_ascii=False)) for i, c in enumerate(chunks)],
            )

    def put_part(self, stage: str, doc_id: str, key: str, payload: Any) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO parts VALUES (?,?,?,?)",
                (stage, doc_id, key, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
            )

    def get_part(self, stage: str, doc_id: str, key: str) -> Any | None:
        row = self._conn.execute(
            "SELECT payload FROM parts WHERE stage=? AND doc_id=? AND key=?", (stage, doc_id, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def chunks(self) -> list[Chunk]:
        rows = self._conn.execute("SELECT payload FROM chunks ORDER BY position").fetchall()
        return [Chunk.from_dict(json.loads(r[0])) for r in rows]

    def documents(self, with_text: bool = False) -> list[Document]:
        cols = "doc_id, path, title, language, sha256, source, format" + (", text, blocks" if with_text else "")
        rows = self._conn.execute(f"SELECT {cols} FROM documents ORDER BY doc_id").fetchall()
        return [_document(r, with_text) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        row = self._conn.execute(
            "SELECT doc_id, path, title, language, sha256, source, format, text, blocks FROM documents WHERE doc_id=?",
            (doc_id,),
        ).fetchone()
        return _document(row, True) if row else None


def _document(row: Sequence[Any], with_text: bool) -> Document:
    blocks = tuple(Block.from_dict(b) for b in json.loads(row[8] or "[]")) if with_text else ()
    return Document(doc_id=row[0], path=row[1], title=row[2], language=row[3], sha256=row[4], source=row[5],
                    text=row[7] if with_text else "", blocks=blocks, format=row[6] or "")


class EmbeddingCache:
    """Vectors keyed by (model id, text hash): unchanged text is never embedded twice."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, dim INTEGER, vec BLOB, PRIMARY KEY (model, key))"
        )

    def get_many(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keys = list(keys)
        for i in range(0, len(keys), 500):
            batch = keys[i : i + 500]
            marks = ",".join("?" * len(batch))
            rows = self._conn.execute(
                f"SELECT key, vec FROM vectors WHERE model=? AND key IN ({marks})", (model, *batch)
            ).fetchall()
            out.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return out

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?,?)",
                [(model, k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def close(self) -> None:
        self._conn.close()
