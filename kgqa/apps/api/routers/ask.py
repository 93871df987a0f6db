"""Questions in, cited answers out: ``POST /v1/ask`` (JSON, or SSE with ``Accept: text/event-stream``) and
the OpenAI-compatible ``POST /v1/chat/completions`` (+ ``GET /v1/models``, ``GET /v1/models/{id}``) for
existing chat front ends, whose background requests (a chat's title, tags, follow-ups, search queries) are
answered in the format they ask for (see ``tasks.py``), by the configured LLM when there is one.

SSE of ``/v1/ask``: ``event: delta`` with ``{"text": ...}`` pieces of the answer in order, then one
``event: done`` whose data is the full answer object (citations, related concepts, concepts, abstained).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from kgqa.answer.llm import forward
from kgqa.answer.related import related_concepts
from kgqa.apps.api import chat, tasks
from kgqa.apps.api.deps import AskBody, ChatBody, ChatQuestion, KBDep, MetricsDep, SettingsDep, TokensDep, check_model
from kgqa.apps.api.metrics import Metrics
from kgqa.apps.api.schemas import AskResponse, ChatCompletion, ErrorResponse, Message, ModelCard, ModelList
from kgqa.config import Settings
from kgqa.deadline import Deadline
from kgqa.pipeline import KnowledgeBase
from kgqa.retrieve.analyse import detect_language, linked_ids
from kgqa.types import Answer

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["ask"])

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (413, 422, 504)}
CHAT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 400: {"model": ErrorResponse}, 401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}
}
SSE_DOC = {"text/event-stream": {"schema": {"type": "string", "description": "event: delta ... event: done"}}}


def _wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


async def _ask(
    kb: KnowledgeBase, settings: Settings, question: str, history: list[Message], k: int | None, metrics: Metrics,
    language: str | None = None,
) -> Answer:
    turns = [m.model_dump() for m in history]
    # the budget starts before the wait for a worker thread: a client waits for both
    budget = Deadline(settings.ask_timeout_s, "KGQA_ASK_TIMEOUT_S",
                      fix="ask again later, or raise KGQA_ASK_TIMEOUT_S on the server")
    answer: Answer = await run_in_threadpool(kb.ask, question, turns or None, k, language, budget,
                                             metrics.observe_stage)
    metrics.count_outcome(answer.outcome)
    return answer


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


@router.post("/ask", response_model=AskResponse, responses={**ERRORS, 200: {"content": SSE_DOC}})
async def ask(body: AskBody, kb: KBDep, settings: SettingsDep, metrics: MetricsDep, request: Request) -> Any:
    answer = await _ask(kb, settings, body.question, body.history, body.k, metrics)
    if not _wants_stream(request):
        return answer.to_dict()

    async def events() -> AsyncIterator[dict[str, str]]:
        for piece in chat.split_deltas(answer.answer):
            yield {"event": "delta", "data": _json({"text": piece})}
        yield {"event": "done", "data": _json(answer.to_dict())}

    return EventSourceResponse(events())


def task_facts(kb: KnowledgeBase, task: tasks.TaskPrompt) -> tasks.Facts:
    """What the knowledge base knows of the conversation a task quotes: the concepts linked to its user
    turns, their related concepts' questions, and the analysed parts of its last question."""
    limit = kb.settings.max_question_chars
    question = task.question[:limit].strip()
    language = detect_language(question or " ".join(task.user_texts))
    ids = [cid for text in task.user_texts for cid in linked_ids(kb.graph, text[:limit])]
    parts: list[str] = []
    if question:
        plan = kb.engine.plan(question, task.history, kb.settings.top_k)
        parts, ids = [p.resolved for p in plan.parts], [*plan.concepts, *ids]
    ids = list(dict.fromkeys(ids))

    def label(zh: str, en: str) -> str:
        return (zh or en) if language == "zh" else (en or zh)

    labels = [label(c.label_zh, c.label) for c in map(kb.graph.concept, ids)]
    related = [(label(r.label_zh, r.label), r.question) for r in related_concepts(kb.graph, ids)]
    return tasks.Facts(question, language, labels, related, parts)


def _task_reply(kb: KnowledgeBase, body: ChatQuestion) -> str:
    """A front end's task: the LLM answers the prompt itself when one is configured, else the knowledge base."""
    task = body.task
    assert task is not None
    if kb.chat_model is not None:
        try:
            return forward(kb.chat_model, body.messages)
        except Exception as exc:  # a chat's title must not fail because the model server is down
            log.warning("the LLM failed on a %s request (%s: %s); answering from the knowledge base",
                        task.kind, type(exc).__name__, exc)
    if body.json_output and not task.json:  # a bare-title request that asks for JSON gets {"title": ...}
        task = tasks.TaskPrompt(task.kind, True, task.turns)
    return tasks.reply(task, task_facts(kb, task))


async def _chat_reply(kb: KnowledgeBase, settings: Settings, body: ChatQuestion, count: TokensDep,
                      metrics: Metrics) -> chat.Reply:
    if body.task is not None:
        text, structured = await run_in_threadpool(_task_reply, kb, body), None
    else:
        answer = await _ask(kb, settings, body.question, body.history, None, metrics, body.language)
        structured = answer.to_dict()
        text = _json(structured) if body.json_output else chat.with_sources(answer)
    # counting loads the tokenizer on first use (about a second): off the event loop
    return await run_in_threadpool(chat.make_reply, text, body.prompt, body.shaping, count, structured)


@router.post("/chat/completions", response_model=ChatCompletion, response_model_exclude_none=True,
             responses={**CHAT_ERRORS, 200: {"content": SSE_DOC}})
async def chat_completions(body: ChatBody, kb: KBDep, settings: SettingsDep, count: TokensDep,
                           metrics: MetricsDep) -> Any:
    reply = await _chat_reply(kb, settings, body, count, metrics)
    if not body.stream:
        return chat.completion(reply)

    async def events() -> AsyncIterator[str]:
        for chunk in chat.completion_chunks(reply, body.include_usage):
            yield _json(chunk)
        yield "[DONE]"

    return EventSourceResponse(events())


def _card() -> ModelCard:
    return ModelCard(id=chat.MODEL_ID, object="model", created=int(time.time()), owned_by="kgqa")


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    return ModelList(object="list", data=[_card()])


@router.get("/models/{model_id}", response_model=ModelCard, responses={404: {"model": ErrorResponse}})
def model(model_id: str) -> ModelCard:
    check_model(model_id)
    return _card()
