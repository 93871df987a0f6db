"""Slack message text and threads -> questions and conversation history. Pure functions on plain data.

>>> question_text("<@U012BOT> 什么是 RoPE &amp; ALiBi?")
'什么是 RoPE & ALiBi?'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

ANSWER_EVENT = "kgqa_answer"  # message metadata event_type on every answer the bot posts
HISTORY_TURNS = 12

_MENTION = re.compile(r"<[@!#][^>]*>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
# user messages with a subtype that still carry a question; every other subtype is a system event
_USER_SUBTYPES = {None, "thread_broadcast", "file_share"}


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` (the inverse of :func:`.blocks.escape`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def question_text(text: str) -> str:
    """A message's text without mentions, with links shown as their label and Slack's escaping undone."""
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return " ".join(unescape(text).split())


def answer_metadata(answer_id: str, question: str, source: str) -> dict[str, Any]:
    """Posted with each answer so a later follow-up can read the question back, even one asked by a button."""
    return {
        "event_type": ANSWER_EVENT,
        "event_payload": {"answer_id": answer_id, "question": question[:1000], "source": source},
    }


def is_from_bot(message: Mapping[str, Any]) -> bool:
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def thread_history(
    messages: Sequence[Mapping[str, Any]],
    *,
    bot_user_id: str | None,
    bot_id: str | None,
    before_ts: str | None = None,
    limit: int = HISTORY_TURNS,
) -> list[dict[str, str]]:
    """``conversations.replies`` messages -> ``[{"role": "user"|"assistant", "content": ...}]``, oldest first.

    Only messages older than ``before_ts`` count (the one being answered is not history). The bot's own
    answers are assistant turns; a question asked with a button (no user message of its own) is put back in
    front of its answer from the message metadata. Other bots and system messages are left out.
    """
    turns: list[dict[str, str]] = []
    for m in messages:
        ts = m.get("ts")
        if before_ts is not None and ts is not None and float(ts) >= float(before_ts):
            continue
        own = (bot_user_id and m.get("user") == bot_user_id) or (bot_id and m.get("bot_id") == bot_id)
        if own:
            meta = m.get("metadata") or {}
            payload = (meta.get("event_payload") or {}) if meta.get("event_type") == ANSWER_EVENT else {}
            if payload.get("source") == "button" and payload.get("question"):
                turns.append({"role": "user", "content": str(payload["question"])})
            turns.append({"role": "assistant", "content": unescape(str(m.get("text") or ""))})
        elif not is_from_bot(m) and m.get("subtype") in _USER_SUBTYPES:
            turns.append({"role": "user", "content": question_text(str(m.get("text") or ""))})
    return [t for t in turns if t["content"]][-limit:]
