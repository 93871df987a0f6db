"""``POST /v1/retrieve``: ranked chunks for a query, best first, without composing an answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from kgqa.apps.api.deps import KBDep, RetrieveBody
from kgqa.apps.api.schemas import ErrorResponse, RetrieveResponse, RetrieveResult

router = APIRouter(prefix="/v1", tags=["retrieve"])


@router.post(
    "/retrieve",
    response_model=RetrieveResponse,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
async def retrieve(body: RetrieveBody, kb: KBDep) -> RetrieveResponse:
    hits = await run_in_threadpool(kb.retrieve, body.query, body.k)
    return RetrieveResponse(results=[RetrieveResult.model_validate(kb.hit_json(h)) for h in hits])
