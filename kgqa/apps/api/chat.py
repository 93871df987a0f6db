"""Pure helpers that turn an :class:`~kgqa.types.Answer` into what goes on the wire: SSE deltas and
OpenAI-compatible chat completions. No I/O here.

>>> "".join(split_deltas("自注意力是什么？它计算 Q、K、V。")) == "自注意力是什么？它计算 Q、K、V。"
True
>>> split_deltas("A. B.")
['A. ', 'B.']
>>> split_deltas("one two three", max_len=8)
['one two ', 'three']
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from kgqa.apps.api.schemas import ChatMessage, Message
from kgqa.errors import InputError
from kgqa.types import Answer

MODEL_ID = "kgqa"
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])|(?<=[.:])(?=\s)")
MAX_DELTA = 32


def split_deltas(text: str, max_len: int = MAX_DELTA) -> list[str]:
    """Cut text into stream pieces at sentence ends (then every ``max_len`` chars); they join to ``text``."""
    pieces: list[str] = []
    start = 0
    cuts = [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    for cut in cuts:
        # a space after "." belongs to the sentence it closes
        while cut < len(text) and text[cut] == " ":
            cut += 1
        while cut - start > max_len:
            # a long sentence is cut after its last space in the window, so English words stay whole
            space = text.rfind(" ", start + 1, start + max_len)
            end = space + 1 if space > 0 else start + max_len
            pieces.append(text[start:end])
            start = end
        if cut > start:
            pieces.append(text[start:cut])
            start = cut
    return pieces


def with_sources(answer: Answer) -> str:
    """The answer text with its citations appended as numbered sources, for plain chat front ends."""
    if not answer.citations:
        return answer.answer
    lines = [answer.answer.rstrip(), "", "Sources:"]
    for c in answer.citations:
        where = f"{c.title} › {c.section}" if c.section else c.title
        lines.append(f"[{c.n}] {where} ({c.doc_id}, chars {c.start}–{c.end})")
    return "\n".join(lines)


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(str(part.get("text", "")) for part in content if part.get("type") == "text")


def question_and_history(messages: Sequence[ChatMessage]) -> tuple[str, list[Message]]:
    """The last user message is the question; earlier user/assistant turns are the history (no system)."""
    if messages[-1].role != "user":
        raise InputError(
            f"the last message must come from the user, got role {messages[-1].role!r}; "
            "append the question as {'role': 'user', 'content': ...}."
        )
    question = _text(messages[-1].content).strip()
    if not question:
        raise InputError("the last user message is empty; put the question in its content.")
    history = [
        Message(role=m.role, content=_text(m.content))
        for m in messages[:-1]
        if m.role in ("user", "assistant")
    ]
    return question, history


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(answer: Answer, question: str) -> dict[str, Any]:
    """A ``chat.completion`` object; the structured answer rides along under ``kgqa`` for clients."""
    content = with_sources(answer)
    prompt, done = len(question), len(content)
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        # characters, not tokens: there is no tokenizer on the answer side; clients only display these
        "usage": {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done},
        "kgqa": answer.to_dict(),
    }


def completion_chunks(answer: Answer) -> list[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a streamed reply: role, content pieces, then the stop."""
    cid, created = completion_id(), int(time.time())

    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    pieces = split_deltas(with_sources(answer))
    return [
        chunk({"role": "assistant", "content": ""}),
        *(chunk({"content": p}) for p in pieces),
        chunk({}, "stop"),
    ]
