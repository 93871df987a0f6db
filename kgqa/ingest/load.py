"""Files -> Documents: each file converted to the one document model (canonical text + blocks).

A file that cannot be indexed (unsupported format, undecodable, empty, no text in a scanned PDF,
a converter failure, a conversion over its time budget) is skipped and reported with its reason; the rest
are indexed. Messages name the user's file, never a temporary copy.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from kgqa.errors import (
    ConversionTimeoutError,
    CorpusError,
    EmptyCorpusError,
    EmptyDocumentError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from kgqa.ingest.convert import SUPPORTED, Converted, convert
from kgqa.text import guess_language
from kgqa.types import Document

log = logging.getLogger(__name__)

MANIFEST = "manifest.yaml"
GLOSSARY = "glossary.yaml"
RESERVED = {MANIFEST, GLOSSARY}
LOADERS = SUPPORTED  # the file suffixes kgqa reads


@dataclass(frozen=True)
class Skipped:
    """A file left out of the index, and why (the message names the file and says how to fix it)."""

    path: str
    reason: str


class LoadedCorpus(NamedTuple):
    documents: list[Document]
    skipped: list[Skipped]


def read_manifest(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """Entries of ``corpus_dir/manifest.yaml`` keyed by file name (empty when absent)."""
    path = corpus_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path} is not valid YAML: {exc}") from exc
    return {str(e["file"]): {k: str(v) for k, v in e.items()} for e in data.get("documents", [])}


def doc_id_for(path: Path) -> str:
    """Readable, stable id: the file stem, lower-cased, with unsafe characters replaced."""
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_.-]+", "-", path.stem).strip("-").lower() or "doc"


def _guess_title(converted: Converted, path: Path) -> str:
    if converted.title:
        return converted.title[:80]
    heading = converted.first_heading().lstrip("#").strip().strip("《》")
    if heading:
        return heading[:80]
    for line in converted.text.splitlines():
        s = line.strip().lstrip("#").strip().strip("《》")
        if s:
            return s[:80]
    return path.stem


def _named(name: str, message: str) -> str:
    return message if message.startswith(name) else f"{name}: {message}"


def convert_within(raw: bytes, suffix: str, name: str, budget_s: float) -> Converted:
    """``convert``, given at most ``budget_s`` seconds (0: no budget). A converter cannot be stopped from
    outside, so one over its budget is left to finish in a daemon thread (its result dropped) while the
    caller goes on; it raises ConversionTimeoutError."""
    if not budget_s:
        return convert(raw, suffix, name)
    outcome: list[Converted | BaseException] = []

    def run() -> None:
        try:
            outcome.append(convert(raw, suffix, name))
        except BaseException as exc:  # handed to the caller's thread, which raises it
            outcome.append(exc)

    worker = threading.Thread(target=run, name="kgqa-convert", daemon=True)
    worker.start()
    worker.join(budget_s)
    if not outcome:
        raise ConversionTimeoutError(
            f"{name}: converting it took longer than {budget_s:g} s (KGQA_INGEST_DOCUMENT_TIMEOUT_S); split it "
            "into smaller files, save it in a simpler format, or raise KGQA_INGEST_DOCUMENT_TIMEOUT_S."
        )
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def load_document(path: Path, meta: dict[str, str] | None = None, name: str | None = None,
                  budget_s: float = 0) -> Document:
    """Read and convert one file, the conversion given at most ``budget_s`` seconds (0: no budget). ``name``
    is how messages call it (default: the path).

    Raises UnsupportedFormatError, UnreadableFileError (ConversionTimeoutError over the budget) or
    EmptyDocumentError, each with a fix.
    """
    name = name or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFormatError(
            f"{name}: unsupported format {path.suffix or '(no extension)'!r}; "
            f"supported: {', '.join(sorted(SUPPORTED))}. Convert it to one of those first."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {name}: {exc.strerror}. Check the path and permissions.") from exc
    if not raw.strip():
        raise EmptyDocumentError(f"{name} is empty; add some text to it or remove it from the corpus.")
    try:
        converted = convert_within(raw, suffix, name, budget_s)
    except ConversionTimeoutError:
        raise
    except CorpusError as exc:
        raise type(exc)(_named(name, str(exc))) from exc
    except Exception as exc:  # a converter library failing on one file must not stop the others
        raise UnreadableFileError(f"{name}: could not be converted ({type(exc).__name__}: {exc}).") from exc
    if not converted.text.strip():
        hint = ("it has no text layer (a scanned PDF?); run OCR on it first, e.g. `ocrmypdf`"
                if suffix == ".pdf" else "add some text to it or remove it from the corpus")
        raise EmptyDocumentError(f"{name}: no text could be extracted; {hint}.")
    meta = meta or {}
    text = converted.text
    return Document(
        doc_id=doc_id_for(path),
        path=str(path),
        title=meta.get("title") or _guess_title(converted, path),
        language=meta.get("language") or guess_language(text),
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        source=meta.get("source", path.name),
        blocks=converted.blocks,
        format=converted.format,
    )


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every document file under ``paths`` (files or folders), sorted, manifest and glossary excluded."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += [f for f in p.rglob("*") if f.is_file() and f.name not in RESERVED and not f.name.startswith(".")]
        elif p.exists():
            found.append(p)
        else:
            raise CorpusError(f"{p} does not exist; pass files or folders that do.")
    return sorted(set(found))


def load_corpus(paths: Iterable[Path], corpus_dir: Path | None = None, budget_s: float = 0) -> LoadedCorpus:
    """Load every document under ``paths``; files that cannot be indexed are skipped and listed, among them
    those whose conversion takes over ``budget_s`` seconds (0: no budget).

    Document metadata comes from a ``manifest.yaml`` in ``corpus_dir`` or beside each file.
    Raises EmptyCorpusError when nothing could be indexed, and CorpusError for two files
    with one document id.
    """
    paths = list(paths)
    manifests: dict[Path, dict[str, dict[str, str]]] = {}

    def meta_for(path: Path) -> dict[str, str] | None:
        folder = corpus_dir if corpus_dir is not None and path.parent == corpus_dir else path.parent
        if folder not in manifests:
            manifests[folder] = read_manifest(folder) if folder.is_dir() else {}
        return manifests[folder].get(path.name)

    docs: dict[str, Document] = {}
    skipped: list[Skipped] = []
    for path in discover(paths):
        try:
            doc = load_document(path, meta_for(path), budget_s=budget_s)
        except (UnsupportedFormatError, UnreadableFileError, EmptyDocumentError) as exc:
            skipped.append(Skipped(str(path), str(exc)))
            log.warning("skipped %s", exc)
            continue
        if doc.doc_id in docs:
            raise CorpusError(
                f"two files map to document id {doc.doc_id!r}: {docs[doc.doc_id].path} and {path}; rename one."
            )
        docs[doc.doc_id] = doc
    if not docs:
        where = ", ".join(str(p) for p in paths)
        detail = "".join(f"\n  skipped {s.reason}" for s in skipped)
        raise EmptyCorpusError(
            f"nothing could be indexed from {where}; add {', '.join(sorted(SUPPORTED))} files.{detail}"
        )
    return LoadedCorpus([docs[k] for k in sorted(docs)], skipped)
