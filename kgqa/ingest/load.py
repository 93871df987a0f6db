"""Files -> Documents. One loader per format; all return the exact text that offsets point into.

Markdown and plain text are kept byte-for-byte (decoded as UTF-8); HTML is reduced to its
visible text first, and offsets then point into that text (which the chunk store keeps,
so a citation can always be shown in context).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from kgqa.errors import CorpusError, EmptyCorpusError, UnreadableFileError, UnsupportedFormatError
from kgqa.types import Document

log = logging.getLogger(__name__)

MANIFEST = "manifest.yaml"
RESERVED = {MANIFEST, "glossary.yaml", "README.md"}


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read {path}: {exc.strerror}. Check the path and permissions.") from exc
    if b"\x00" in raw[:8192]:
        raise UnreadableFileError(f"{path} looks binary (it contains NUL bytes); give a UTF-8 text file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"{path} is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8, e.g. `iconv -f GBK -t UTF-8`."
        ) from exc


def _html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "footer"]):
        tag.decompose()
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n{'#' * level} {h.get_text(' ', strip=True)}\n")
    text = soup.get_text("\n")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


LOADERS: dict[str, Callable[[Path], str]] = {
    ".md": _read_text,
    ".markdown": _read_text,
    ".txt": _read_text,
    ".html": _html_text,
    ".htm": _html_text,
}


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


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        s = line.strip().lstrip("#").strip().strip("《》")
        if s:
            return s[:80]
    return path.stem


def _guess_language(text: str) -> str:
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    letters = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk >= letters / 4 else "en"


def load_document(path: Path, meta: dict[str, str] | None = None) -> Document:
    """Read one file; raises UnsupportedFormatError / UnreadableFileError with a fix."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFormatError(
            f"{path}: unsupported format {path.suffix or '(no extension)'!r}; "
            f"supported: {', '.join(sorted(LOADERS))}. Convert it to .md or .txt first."
        )
    text = loader(path)
    meta = meta or {}
    return Document(
        doc_id=doc_id_for(path),
        path=str(path),
        title=meta.get("title") or _guess_title(text, path),
        language=meta.get("language") or _guess_language(text),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=meta.get("source", path.name),
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


def load_corpus(paths: Iterable[Path], corpus_dir: Path) -> list[Document]:
    """Load every document; ids must be unique. Raises EmptyCorpusError when there is nothing to index."""
    paths = list(paths)
    manifest = read_manifest(corpus_dir) if corpus_dir.is_dir() else {}
    docs: dict[str, Document] = {}
    for path in discover(paths):
        doc = load_document(path, manifest.get(path.name))
        if doc.doc_id in docs:
            raise CorpusError(
                f"two files map to document id {doc.doc_id!r}: {docs[doc.doc_id].path} and {path}; rename one."
            )
        docs[doc.doc_id] = doc
    if not docs:
        where = ", ".join(str(p) for p in paths)
        raise EmptyCorpusError(f"no documents found in {where}; add .md, .txt or .html files (see README: Corpus).")
    return [docs[k] for k in sorted(docs)]
