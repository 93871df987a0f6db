"""Pure helpers that turn an :class:`~kgqa.types.Answer` into what goes on the wire: SSE deltas and
OpenAI-compatible chat completions (``stop`` and ``max_tokens`` applied, usage counted). No I/O here.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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


def plain_messages(messages: Sequence[ChatMessage]) -> list[tuple[str, str]]:
    """(role, text) of every message, for the task recogniser."""
    return [(m.role, _text(m.content)) for m in messages]


_WANTS_EN = re.compile(
    r"\b(?:in|use|using|speak|only)\s+english\b|\benglish\s+only\b|"
    r"用英文|用英语|英文回答|英语回答|使用英文|使用英语",
    re.I,
)
_WANTS_ZH = re.compile(
    r"\b(?:in|use|using|speak|only)\s+(?:simplified\s+)?(?:chinese|mandarin)\b|\bchinese\s+only\b|"
    r"用中文|用汉语|用简体中文|中文回答|使用中文|说中文|以中文",
    re.I,
)


def requested_language(messages: Sequence[ChatMessage]) -> str | None:
    """The answer language a system (or developer) message asks for, else None (the question's own).

    >>> requested_language([ChatMessage(role="system", content="Answer in English only.")])
    'en'
    >>> requested_language([ChatMessage(role="system", content="「请用中文回答」")])
    'zh'
    >>> requested_language([ChatMessage(role="system", content="Be brief.")]) is None
    True
    """
    asks = [
        (i, hit.start(), lang)
        for i, m in enumerate(messages) if m.role in ("system", "developer")
        for lang, pattern in (("en", _WANTS_EN), ("zh", _WANTS_ZH))
        for hit in pattern.finditer(_text(m.content))
    ]
    # the last request wins: a later system message overrides an earlier one
    return max(asks)[2] if asks else None


FinishReason = Literal["stop", "length"]


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """The text before the first stop sequence (which is not included), and whether one was found.

    >>> cut_at_stop("A. B. C.", ["B"])
    ('A. ', True)
    """
    cuts = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)


def truncate(text: str, max_tokens: int, count: Callable[[str], int]) -> tuple[str, bool]:
    """At most ``max_tokens`` tokens of ``text``, cut after the last whole sentence that fits (after the
    last whole word when not even the first sentence fits), and whether anything was cut.

    >>> words = lambda t: len(t.split())
    >>> truncate("One two. Three four five. Six.", 4, words)
    ('One two.', True)
    >>> truncate("One two three", 2, words)
    ('One two', True)
    >>> truncate("Short.", 5, words)
    ('Short.', False)
    """
    if count(text) <= max_tokens:
        return text, False
    best = ""
    for cut in [m.start() for m in _SENTENCE_END.finditer(text)]:
        piece = text[:cut].rstrip()
        if not piece or piece == best:
            continue
        if count(piece) > max_tokens:
            break
        best = piece
    if best:
        return best, True
    for cut in [m.start() for m in re.finditer(r"\s", text)] + [len(text)]:
        piece = text[:cut].rstrip()
        if piece and count(piece) > max_tokens:
            break
        best = piece or best
    if not best:  # one unbroken run (Chinese without punctuation): the longest prefix that fits, by bisection
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if count(text[:mid]) <= max_tokens else (lo, mid - 1)
        best = text[:lo]
    return best, True


@dataclass(frozen=True)
class Shaping:
    """The reply limits a chat request sets: ``stop`` sequences and ``max_tokens``."""

    stop: tuple[str, ...] = ()
    max_tokens: int | None = None


def shape(text: str, shaping: Shaping, count: Callable[[str], int]) -> tuple[str, FinishReason]:
    """Apply ``stop`` then ``max_tokens``; the finish reason says which one ended the text."""
    text, _stopped = cut_at_stop(text, shaping.stop)
    if shaping.max_tokens is not None:
        text, cut = truncate(text, shaping.max_tokens, count)
        if cut:
            return text, "length"
    return text, "stop"


@dataclass(frozen=True)
class Reply:
    """One chat reply, ready to serialise: its text, why it ended, token counts, the structured answer."""

    content: str
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    kgqa: dict[str, Any] | None = None

    @property
    def usage(self) -> dict[str, int]:
        total = self.prompt_tokens + self.completion_tokens
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": total}


def make_reply(text: str, prompt: str, shaping: Shaping, count: Callable[[str], int],
               kgqa: dict[str, Any] | None = None) -> Reply:
    """``text`` shaped by the request's limits, with usage counted by ``count`` (a tokenizer)."""
    content, finish = shape(text, shaping, count)
    return Reply(content, finish, count(prompt), count(content), kgqa)


def prompt_text(messages: Sequence[ChatMessage]) -> str:
    """Everything the client sent as text: what ``usage.prompt_tokens`` counts."""
    return "\n".join(_text(m.content) for m in messages)


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(reply: Reply) -> dict[str, Any]:
    """A ``chat.completion`` object; the structured answer rides along under ``kgqa`` for clients."""
    out: dict[str, Any] = {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": reply.content},
             "finish_reason": reply.finish_reason}
        ],
        "usage": reply.usage,
    }
    if reply.kgqa is not None:
        out["kgqa"] = reply.kgqa
    return out


def completion_chunks(reply: Reply, include_usage: bool = False) -> list[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a streamed reply: role, content pieces, the finish, and
    (with ``stream_options.include_usage``) a last chunk with no choices and the usage."""
    cid, created = completion_id(), int(time.time())

    def chunk(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": choices, **extra}

    def delta(d: dict[str, str], finish: str | None = None) -> dict[str, Any]:
        return chunk([{"index": 0, "delta": d, "finish_reason": finish}])

    chunks = [
        delta({"role": "assistant", "content": ""}),
        *(delta({"content": p}) for p in split_deltas(reply.content)),
        delta({}, reply.finish_reason),
    ]
    if include_usage:
        chunks.append(chunk([], usage=reply.usage))
    return chunks
