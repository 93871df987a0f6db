"""Every dependency of the routes, named with ``Annotated``. Tests swap them via dependency_overrides.

The app keeps its settings and its :class:`KBHolder` on ``app.state`` (set by ``create_app``); nothing here
reads the environment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kgqa.apps.api.chat import question_and_history
from kgqa.apps.api.errors import ApiError, too_large
from kgqa.apps.api.holder import KBHolder
from kgqa.apps.api.metrics import Metrics
from kgqa.apps.api.schemas import AskRequest, ChatRequest, Message, RetrieveRequest
from kgqa.config import Settings
from kgqa.pipeline import KnowledgeBase


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_holder(request: Request) -> KBHolder:
    holder: KBHolder = request.app.state.kb_holder
    return holder


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[KBHolder, Depends(get_holder)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]


def get_kb(holder: HolderDep) -> KnowledgeBase:
    """The knowledge base for this request; it stays the same object even if a re-index swaps in a new one."""
    return holder.get()


KBDep = Annotated[KnowledgeBase, Depends(get_kb)]


def _check_length(text: str, what: str, settings: Settings) -> None:
    if len(text) > settings.max_question_chars:
        raise too_large(what, len(text), settings.max_question_chars, "characters", "KGQA_MAX_QUESTION_CHARS")


def checked_ask(body: AskRequest, settings: SettingsDep) -> AskRequest:
    _check_length(body.question, "question", settings)
    for i, turn in enumerate(body.history):
        _check_length(turn.content, f"history[{i}].content", settings)
    return body


def checked_retrieve(body: RetrieveRequest, settings: SettingsDep) -> RetrieveRequest:
    _check_length(body.query, "query", settings)
    return body


@dataclass(frozen=True)
class ChatQuestion:
    question: str
    history: list[Message]
    stream: bool


def checked_chat(body: ChatRequest, settings: SettingsDep) -> ChatQuestion:
    question, history = question_and_history(body.messages)
    _check_length(question, "the last user message", settings)
    for i, turn in enumerate(history):
        _check_length(turn.content, f"messages[{i}].content", settings)
    return ChatQuestion(question, history, body.stream)


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
