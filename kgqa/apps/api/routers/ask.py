"""Questions in, cited answers out: ``POST /v1/ask`` (JSON, or SSE with ``Accept: text/event-stream``) and
the OpenAI-compatible ``POST /v1/chat/completions`` (+ ``GET /v1/models``) for existing chat front ends.

SSE of ``/v1/ask``: ``event: delta`` with ``{"text": ...}`` pieces of the answer in order, then one
``event: done`` whose data is the full answer object (citations, related concepts, concepts, abstained).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from kgqa.apps.api import chat
from kgqa.apps.api.deps import AskBody, ChatBody, KBDep, MetricsDep
from kgqa.apps.api.metrics import Metrics
from kgqa.apps.api.schemas import AskResponse, ChatCompletion, ErrorResponse, Message, ModelList
from kgqa.pipeline import KnowledgeBase
from kgqa.types import Answer

router = APIRouter(prefix="/v1", tags=["ask"])

ERRORS: dict[int | str, dict[str, Any]] = {413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
SSE_DOC = {"text/event-stream": {"schema": {"type": "string", "description": "event: delta ... event: done"}}}


def _wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


async def _ask(kb: KnowledgeBase, question: str, history: list[Message], k: int | None, metrics: Metrics) -> Answer:
    turns = [m.model_dump() for m in history]
    answer: Answer = await run_in_threadpool(kb.ask, question, turns or None, k, metrics.observe_stage)
    metrics.count_outcome(answer.outcome)
    return answer


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


@router.post("/ask", response_model=AskResponse, responses={**ERRORS, 200: {"content": SSE_DOC}})
async def ask(body: AskBody, kb: KBDep, metrics: MetricsDep, request: Request) -> Any:
    answer = await _ask(kb, body.question, body.history, body.k, metrics)
    if not _wants_stream(request):
        return answer.to_dict()

    async def events() -> AsyncIterator[dict[str, str]]:
        for piece in chat.split_deltas(answer.answer):
            yield {"event": "delta", "data": _json({"text": piece})}
        yield {"event": "done", "data": _json(answer.to_dict())}

    return EventSourceResponse(events())


@router.post(
    "/chat/completions", response_model=ChatCompletion, responses={**ERRORS, 200: {"content": SSE_DOC}}
)
async def chat_completions(body: ChatBody, kb: KBDep, metrics: MetricsDep) -> Any:
    answer = await _ask(kb, body.question, body.history, None, metrics)
    if not body.stream:
        return chat.completion(answer, body.question)

    async def events() -> AsyncIterator[str]:
        for chunk in chat.completion_chunks(answer):
            yield _json(chunk)
        yield "[DONE]"

    return EventSourceResponse(events())


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    card = {"id": chat.MODEL_ID, "object": "model", "created": int(time.time()), "owned_by": "kgqa"}
    return ModelList.model_validate({"object": "list", "data": [card]})
