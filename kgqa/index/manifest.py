"""The index manifest and the generation folders that make rebuilds atomic.

Layout under the index folder::

    current -> gen-20261122T101500-1234   (symlink, swapped atomically with os.replace)
    gen-.../manifest.json chunks.sqlite vectors/ bm25/ graph.json   (vectors/: the FAISS backend's files)
    cache/embeddings.sqlite               (shared by all generations)

A build writes a new ``gen-*.partial`` folder, renames it when complete, then swaps the
``current`` link. A crash or Ctrl-C at any point leaves ``current`` pointing at the
previous, complete generation; leftovers are removed by the next build.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_VERSION = 4  # bump when the files of a generation change (4: vectors behind a backend, in vectors/)
CURRENT = "current"


@dataclass
class Manifest:
    model_id: str
    dim: int
    chunker_version: str
    graph_version: str
    documents: dict[str, str]  # doc_id -> sha256
    glossary_sha256: str = ""
    faiss_index: str = "flat"
    vector_backend: str = "faiss:flat"  # kgqa.index.backends.backend_label: the backend and where it keeps rows
    sources: list[str] = field(default_factory=list)
    splitter_version: str = ""
    keyword_version: str = ""  # kgqa.index.bm25.KEYWORD_VERSION
    counts: dict[str, int] = field(default_factory=dict)
    built_at: str = ""
    build_seconds: float = 0.0
    version: int = MANIFEST_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        path = folder / "manifest.json"
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        if data.get("version") != MANIFEST_VERSION:
            return None
        return cls(**data)

    def stale_reasons(self, expected: Manifest) -> list[str]:
        """Why this manifest does not describe ``expected`` (empty when up to date)."""
        reasons = []
        for attr in ("model_id", "chunker_version", "splitter_version", "keyword_version", "graph_version",
                     "glossary_sha256", "faiss_index", "vector_backend", "sources"):
            if getattr(self, attr) != getattr(expected, attr):
                reasons.append(f"{attr} changed ({getattr(self, attr)} -> {getattr(expected, attr)})")
        added = sorted(set(expected.documents) - set(self.documents))
        removed = sorted(set(self.documents) - set(expected.documents))
        changed = sorted(d for d in set(self.documents) & set(expected.documents)
                         if self.documents[d] != expected.documents[d])
        for label, ids in (("added", added), ("removed", removed), ("changed", changed)):
            if ids:
                reasons.append(f"{label}: {', '.join(ids)}")
        return reasons


def current_generation(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    target = link.resolve()
    return target if (target / "manifest.json").exists() else None


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = index_dir / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6}.partial"
    path.mkdir()
    return path


def publish(index_dir: Path, partial: Path) -> Path:
    """Make ``partial`` the current generation atomically and drop older ones."""
    final = partial.with_name(partial.name.removesuffix(".partial"))
    partial.rename(final)
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(final.name)
    os.replace(tmp_link, index_dir / CURRENT)
    cleanup(index_dir, keep=final)
    return final


def cleanup(index_dir: Path, keep: Path | None) -> None:
    """Remove generations other than ``keep`` and the current one (including crashed partial builds)."""
    current = current_generation(index_dir)
    for p in index_dir.glob("gen-*"):
        if p.is_dir() and p != keep and p != current:
            shutil.rmtree(p, ignore_errors=True)
