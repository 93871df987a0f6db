"""Every dependency of the routes, named with ``Annotated``. Tests swap them via dependency_overrides.

The app keeps its settings and its :class:`KBHolder` on ``app.state`` (set by ``create_app``); nothing here
reads the environment. Dependencies that cannot block are ``async``: FastAPI runs a plain one in its thread
pool, a thread hop per dependency and request that, under load, waits for the GIL each time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kgqa.apps.api.chat import (
    MODEL_ID,
    Shaping,
    plain_messages,
    prompt_text,
    question_and_history,
    requested_language,
)
from kgqa.apps.api.errors import ApiError, OpenAIError, too_large
from kgqa.apps.api.holder import KBHolder
from kgqa.apps.api.metrics import Metrics
from kgqa.apps.api.schemas import AskRequest, ChatRequest, Message, RetrieveRequest
from kgqa.apps.api.tasks import TaskPrompt, recognise
from kgqa.config import Settings
from kgqa.index.token_count import TokenCounter
from kgqa.pipeline import KnowledgeBase


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_holder(request: Request) -> KBHolder:
    holder: KBHolder = request.app.state.kb_holder
    return holder


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_token_counter(request: Request) -> TokenCounter:
    counter: TokenCounter = request.app.state.token_counter
    return counter


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[KBHolder, Depends(get_holder)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
TokensDep = Annotated[TokenCounter, Depends(get_token_counter)]


async def get_kb(holder: HolderDep) -> KnowledgeBase:
    """The knowledge base for this request; it stays the same object even if a re-index swaps in a new one.
    Taken on the event loop when that cannot block, else in a worker thread (the first load, a look for
    another process's generation)."""
    kb = holder.served()
    return kb if kb is not None else await run_in_threadpool(holder.get)


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]


def _check_length(text: str, what: str, settings: Settings) -> None:
    if len(text) > settings.max_question_chars:
        raise too_large(what, len(text), settings.max_question_chars, "characters", "KGQA_MAX_QUESTION_CHARS")


def check_ask(body: AskRequest, settings: Settings) -> AskRequest:
    """The question and every turn of its history within ``max_question_chars`` (the MCP tools check with it
    too)."""
    _check_length(body.question, "question", settings)
    for i, turn in enumerate(body.history):
        _check_length(turn.content, f"history[{i}].content", settings)
    return body


def check_retrieve(body: RetrieveRequest, settings: Settings) -> RetrieveRequest:
    _check_length(body.query, "query", settings)
    return body


async def checked_ask(body: AskRequest, settings: SettingsDep) -> AskRequest:
    return check_ask(body, settings)


async def checked_retrieve(body: RetrieveRequest, settings: SettingsDep) -> RetrieveRequest:
    return check_retrieve(body, settings)


@dataclass(frozen=True)
class ChatQuestion:
    """A checked chat request: the question and history, or the front-end task it carries, and how to
    shape the reply."""

    question: str
    history: list[Message]
    stream: bool
    task: TaskPrompt | None = None
    messages: tuple[tuple[str, str], ...] = ()
    language: str | None = None
    shaping: Shaping = Shaping()
    json_output: bool = False
    include_usage: bool = False
    prompt: str = ""


def check_model(model: str) -> None:
    if model != MODEL_ID:
        raise OpenAIError(
            404, f"the model {model!r} does not exist: this server serves {MODEL_ID!r} (see GET /v1/models); "
            f"set the model to {MODEL_ID!r}.", param="model", code="model_not_found",
        )


def _shaping(body: ChatRequest) -> Shaping:
    if body.n is not None and body.n > 1:
        raise OpenAIError(
            400, f"n={body.n} is not supported: kgqa's answer is deterministic, so every choice would be the same; "
            "send n=1 or leave it out.", param="n", code="unsupported_value",
        )
    if body.response_format is not None and body.response_format.type == "json_schema":
        raise OpenAIError(
            400, "response_format json_schema is not supported: kgqa cannot make its answer follow a schema; "
            "send {'type': 'json_object'} for the structured answer as JSON, or 'text'.",
            param="response_format", code="unsupported_value",
        )
    if body.logprobs:
        raise OpenAIError(400, "logprobs is not supported: kgqa quotes its answer, it does not sample tokens; "
                          "leave logprobs out.", param="logprobs", code="unsupported_value")
    if body.tools and body.tool_choice not in (None, "none", "auto"):
        raise OpenAIError(400, f"tool_choice={body.tool_choice!r} cannot be honoured: kgqa never calls a tool; "
                          "send tool_choice 'auto' or 'none', or leave tools out.", param="tool_choice",
                          code="unsupported_value")
    stop = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stop) > 4:
        raise OpenAIError(400, f"stop has {len(stop)} sequences; send at most 4.", param="stop",
                          code="invalid_value")
    return Shaping(tuple(stop), body.max_completion_tokens or body.max_tokens)


def checked_chat(body: ChatRequest, settings: SettingsDep) -> ChatQuestion:
    check_model(body.model)
    shaping = _shaping(body)
    messages = tuple(plain_messages(body.messages))
    # a front end's title/tags/follow-ups/queries request quotes the whole conversation, so it may be longer
    # than a question: it is not held to the question limit (what is analysed of it is cut to that limit)
    task = recognise(messages)
    language, history = None, list[Message]()
    if task is not None:
        question = task.question
    else:
        question, history = question_and_history(body.messages)
        _check_length(question, "the last user message", settings)
        for i, turn in enumerate(history):
            _check_length(turn.content, f"messages[{i}].content", settings)
        language = requested_language(body.messages)
    json_output = body.response_format is not None and body.response_format.type == "json_object"
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    return ChatQuestion(question, history, body.stream, task, messages, language, shaping, json_output,
                        include_usage, prompt_text(body.messages))


AskBody = Annotated[AskRequest, Depends(checked_ask)]
ChatBody = Annotated[ChatQuestion, Depends(checked_chat)]
RetrieveBody = Annotated[RetrieveRequest, Depends(checked_retrieve)]

_bearer = HTTPBearer(
    auto_error=False, description="KGQA_ADMIN_TOKEN; document changes are off when it is unset."
)


def require_admin(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    if not settings.admin_token:
        raise ApiError(
            403,
            "admin_disabled",
            "document upload and delete are turned off on this server: "
            "no admin token is configured. Set KGQA_ADMIN_TOKEN and restart.",
        )
    if credentials is None:
        raise ApiError(
            401,
            "unauthorized",
            "admin endpoint: send the header `Authorization: Bearer <KGQA_ADMIN_TOKEN>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not secrets.compare_digest(credentials.credentials.encode(), settings.admin_token.encode()):
        raise ApiError(
            403, "forbidden", "the bearer token is not the server's admin token (KGQA_ADMIN_TOKEN)."
        )


Admin = Annotated[None, Depends(require_admin)]
