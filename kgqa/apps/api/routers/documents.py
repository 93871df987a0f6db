"""``/v1/documents``: list and read the indexed documents; upload and delete (admin only) re-index in the
background while queries keep being answered from the current index until the swap.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.concurrency import run_in_threadpool

from kgqa.apps.api import corpus_files
from kgqa.apps.api.deps import Admin, HolderDep, KBDep, SettingsDep
from kgqa.apps.api.errors import ApiError, too_large
from kgqa.apps.api.schemas import BlockOut, DocumentChange, DocumentDetail, DocumentSummary, ErrorResponse
from kgqa.pipeline import KnowledgeBase, corpus_sources, upload_folder

router = APIRouter(prefix="/v1/documents", tags=["documents"])
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 415, 422)
}


def _chunk_counts(kb: KnowledgeBase) -> Counter[str]:
    return Counter(c.doc_id for c in kb.index.chunks)


@router.get("", response_model=list[DocumentSummary])
def list_documents(kb: KBDep) -> list[DocumentSummary]:
    counts = _chunk_counts(kb)
    return [
        DocumentSummary(
            doc_id=d.doc_id,
            title=d.title,
            language=d.language,
            source=d.source,
            sha256=d.sha256,
            chunks=counts[d.doc_id],
        )
        for d in sorted(kb.index.documents.values(), key=lambda d: d.doc_id)
    ]


@router.get("/{doc_id}", response_model=DocumentDetail, responses={404: {"model": ErrorResponse}})
def get_document(doc_id: str, kb: KBDep) -> DocumentDetail:
    doc = kb.index.document(doc_id) if doc_id in kb.index.documents else None
    if doc is None:
        raise ApiError(
            404, "document_not_found", f"no document {doc_id!r}; list them with GET /v1/documents."
        )
    return DocumentDetail(
        doc_id=doc.doc_id,
        title=doc.title,
        language=doc.language,
        source=doc.source,
        sha256=doc.sha256,
        chunks=_chunk_counts(kb)[doc.doc_id],
        text=doc.text,
        format=doc.format,
        blocks=[BlockOut(kind=b.kind, start=b.start, end=b.end, level=b.level, depth=b.depth, page=b.page,
                         rows=[list(r) for r in b.rows]) for b in doc.blocks],
    )


@router.post("", response_model=DocumentChange, status_code=202, responses=ADMIN_ERRORS)
async def upload_document(
    _: Admin,
    file: Annotated[UploadFile, File(description="A document: .md, .txt, .html, .pdf, .docx or .pptx.")],
    settings: SettingsDep,
    holder: HolderDep,
) -> DocumentChange:
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise too_large("the upload", len(data), settings.max_upload_bytes, "bytes", "KGQA_MAX_UPLOAD_BYTES")
    change = await run_in_threadpool(
        corpus_files.add_document, upload_folder(settings), file.filename or "", data, corpus_sources(settings),
        settings.ingest_document_timeout_s,
    )
    holder.request_reindex()
    return DocumentChange(doc_id=change.doc_id, status="indexing", replaced=change.replaced)


@router.delete("/{doc_id}", response_model=DocumentChange, status_code=202, responses=ADMIN_ERRORS)
def delete_document(_: Admin, doc_id: str, settings: SettingsDep, holder: HolderDep) -> DocumentChange:
    change = corpus_files.remove_document(upload_folder(settings), doc_id, corpus_sources(settings))
    holder.request_reindex()
    return DocumentChange(doc_id=change.doc_id, status="indexing")
