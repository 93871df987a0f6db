"""Adding and removing uploaded documents (in the uploads folder, never in the user's own folders), safely:
validated first, written atomically
(a build running at the same time sees the old file or the new one, never half of it).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kgqa.apps.api.errors import ApiError
from kgqa.ingest.load import LOADERS, RESERVED, discover, doc_id_for, load_document

# uploads and deletes check the folder and then change it: one at a time
_lock = threading.Lock()


@dataclass(frozen=True)
class Change:
    doc_id: str
    replaced: bool = False


def _documents(corpus_dir: Path) -> dict[str, Path]:
    return {doc_id_for(p): p for p in discover([corpus_dir])} if corpus_dir.is_dir() else {}


# the longest file name most file systems store (NAME_MAX), in bytes of UTF-8
MAX_NAME_BYTES = 255
# device names Windows reserves whatever the extension (a corpus folder may be shared with Windows)
WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)]
)


def _invalid_name(filename: str, problem: str) -> ApiError:
    shown = filename if len(filename) <= 80 else filename[:60] + "…" + filename[-12:]
    return ApiError(
        422,
        "invalid_filename",
        f"cannot store a document named {shown!r}: {problem}; give the upload a plain file name such as "
        "notes.md.",
    )


def _name_problem(name: str) -> str | None:
    """What makes ``name`` unstorable as one file of the corpus folder, or None."""
    if any(ch < " " or ch == "\x7f" for ch in name):
        return "it contains a control character" + (" (NUL)" if "\x00" in name else "")
    if any("\ud800" <= ch <= "\udfff" for ch in name):
        return "it is not valid Unicode (a lone surrogate)"
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"it is {size} bytes in UTF-8, over the limit of {MAX_NAME_BYTES} bytes"
    if name.startswith("."):
        return "hidden names (starting with a dot) are not indexed"
    if name in RESERVED:
        return f"{name} is reserved for the corpus itself ({', '.join(sorted(RESERVED))})"
    if name.split(".")[0].upper() in WINDOWS_DEVICES:
        return f"{name.split('.')[0]} is a reserved device name on Windows"
    return None


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip()
    problem = "it is empty" if not name else _name_problem(name)
    if problem:
        raise _invalid_name(filename, problem)
    if Path(name).suffix.lower() not in LOADERS:
        raise ApiError(
            415,
            "unsupported_format",
            f"{name}: unsupported format {Path(name).suffix or '(none)'!r}; "
            f"upload one of {', '.join(sorted(LOADERS))}.",
        )
    return name


def _elsewhere(doc_id: str, others: Sequence[Path]) -> Path | None:
    for folder in others:
        found = _documents(folder).get(doc_id)
        if found is not None:
            return found
    return None


def add_document(corpus_dir: Path, filename: str, data: bytes, others: Sequence[Path] = (),
                 budget_s: float = 0) -> Change:
    """Store ``data`` as ``corpus_dir/filename`` (the uploads folder) once it is known to ingest (converted
    within ``budget_s`` seconds, 0: no budget); replaces a same-named upload. ``others`` are the other folders
    indexed with it: their document ids are taken."""
    name = _safe_name(filename)
    doc_id = doc_id_for(Path(name))
    with _lock:
        taken = _elsewhere(doc_id, [o for o in others if o.resolve() != corpus_dir.resolve()])
        if taken is not None:
            raise ApiError(
                409,
                "duplicate_document",
                f"{name} would get document id {doc_id!r}, which {taken.name} in the corpus folder already has; "
                "rename the upload.",
            )
        existing = _documents(corpus_dir).get(doc_id)
        if existing is not None and existing.name != name:
            raise ApiError(
                409,
                "duplicate_document",
                f"{name} would get document id {doc_id!r}, which "
                f"{existing.name} already has; rename the upload or delete {doc_id} first.",
            )
        corpus_dir.mkdir(parents=True, exist_ok=True)
        # hidden while being written and checked: discovery skips dot files
        tmp = corpus_dir / f".upload-{uuid.uuid4().hex}{Path(name).suffix}"
        try:
            tmp.write_bytes(data)
            # errors name the uploaded file, not the temporary copy
            doc = load_document(tmp, name=name, budget_s=budget_s)
            if not doc.text.strip():
                raise ApiError(
                    422, "empty_document", f"{name} has no text; upload a document with some content."
                )
            os.replace(tmp, corpus_dir / name)
        finally:
            tmp.unlink(missing_ok=True)
    return Change(doc_id, replaced=existing is not None)


def remove_document(corpus_dir: Path, doc_id: str, others: Sequence[Path] = ()) -> Change:
    """Delete an uploaded document; documents of the corpus folders (``others``) are the user's own files."""
    with _lock:
        docs = _documents(corpus_dir)
        path = docs.get(doc_id)
        others = [o for o in others if o.resolve() != corpus_dir.resolve()]
        if path is None and _elsewhere(doc_id, others) is not None:
            raise ApiError(
                409,
                "not_an_upload",
                f"{doc_id!r} is a file of the corpus folder, not an upload; remove it there and run `kgqa ingest`.",
            )
        if path is None:
            raise ApiError(
                404,
                "document_not_found",
                f"no document {doc_id!r} in the corpus; list them with GET /v1/documents.",
            )
        if len(docs) + sum(len(_documents(o)) for o in others) == 1:
            raise ApiError(
                409, "last_document", f"{doc_id!r} is the only document; upload another before deleting it."
            )
        path.unlink()
    return Change(doc_id)
