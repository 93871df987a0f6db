"""Optional LLM layer: a langchain chat model writes the answer from the retrieved passages.

The model sees numbered passages and may cite only those numbers. After generation every
cited statement is checked against the passage it cites (keyword support); a citation
that the passage does not support, or a number it was never given, is dropped. The kept
citations point at the best-supporting sentence of the passage, so they stay sentence-level.
Off unless KGQA_LLM_MODEL is set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from kgqa.answer.compose import lexical_overlap
from kgqa.config import Settings
from kgqa.errors import ConfigError
from kgqa.ingest.sentences import Sentence
from kgqa.tuning import COMPOSE
from kgqa.types import Citation, Hit

_CITE = re.compile(r"\[(\d{1,2})\]")
_SENT = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|$)")

SYSTEM = (
    "You answer questions using only the numbered passages given. Cite every statement with the "
    "passage number in square brackets, e.g. [2]. Use only the numbers given. If the passages do not "
    "answer the question, say so. {language}"
)
LANGUAGE_LINE = {"zh": "Answer in Chinese (请用中文回答).", "en": "Answer in English."}
ROLES = {"system": "system", "developer": "system", "user": "human", "assistant": "ai"}


@dataclass
class Checked:
    text: str
    citations: list[Citation]
    dropped: list[int] = field(default_factory=list)


def make_chat_model(settings: Settings) -> Any | None:
    """A langchain chat model for an OpenAI-compatible endpoint, or None when no model is configured."""
    if not settings.llm_model:
        return None
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ConfigError("KGQA_LLM_MODEL is set but langchain-openai is missing: pip install 'kgqa[llm]'") from exc
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=SecretStr(settings.llm_api_key or "not-needed"),  # local servers (Ollama, vLLM) accept any key
        temperature=0,
    )


def prompt(question: str, hits: Sequence[Hit], language: str | None = None) -> list[tuple[str, str]]:
    """The messages for the model; ``language`` (zh, en) is the answer's, else the question's own."""
    passages = "\n\n".join(f"[{i}] {h.chunk.section}\n{h.chunk.text}" for i, h in enumerate(hits, 1))
    system = SYSTEM.format(language=LANGUAGE_LINE.get(language or "", "Answer in the language of the question."))
    return [("system", system), ("human", f"Passages:\n{passages}\n\nQuestion: {question}")]


def forward(model: Any, messages: Sequence[tuple[str, str]]) -> str:
    """Send a conversation to the model as it is (a chat front end's own title or tags prompt, which the
    model answers better than any rule) and return its text. Tool messages are left out."""
    turns = [(ROLES[role], text) for role, text in messages if role in ROLES and text]
    reply = model.invoke(turns)
    return reply.content if isinstance(reply.content, str) else str(reply.content)


def check_citations(
    answer: str,
    hits: Sequence[Hit],
    sentences: Mapping[str, list[Sentence]],
    titles: Mapping[str, str],
    tokenize: Callable[[str], list[str]],
) -> Checked:
    """Keep a [n] only when passage n supports the statement it ends; renumber the kept ones."""
    citations: list[Citation] = []
    number: dict[tuple[str, int], int] = {}
    dropped: list[int] = []
    out_parts: list[str] = []
    for m in _SENT.finditer(answer):
        stmt = m.group(0)
        claim = _CITE.sub("", stmt).strip()
        claim_tokens = set(tokenize(claim))

        def keep(match: re.Match[str], claim_tokens: set[str] = claim_tokens) -> str:
            n = int(match.group(1))
            if not 1 <= n <= len(hits):
                dropped.append(n)
                return ""
            best = max(
                sentences.get(hits[n - 1].chunk.chunk_id, []),
                key=lambda s: lexical_overlap(claim_tokens, tokenize(s.plain)),
                default=None,
            )
            support = lexical_overlap(claim_tokens, tokenize(best.plain)) if best else 0.0
            if best is None or support < COMPOSE.llm_support_min:
                dropped.append(n)
                return ""
            key = (best.doc_id, best.start)
            if key not in number:
                number[key] = len(citations) + 1
                c = hits[n - 1].chunk
                citations.append(Citation(number[key], c.chunk_id, best.doc_id, titles.get(best.doc_id, best.doc_id),
                                          c.section, best.text, best.start, best.end, round(support, 4)))
            return f"[{number[key]}]"

        out_parts.append(_CITE.sub(keep, stmt))
    return Checked("".join(out_parts).strip(), citations, dropped)


def llm_answer(
    model: Any,
    question: str,
    hits: Sequence[Hit],
    sentences: Mapping[str, list[Sentence]],
    titles: Mapping[str, str],
    tokenize: Callable[[str], list[str]],
    language: str | None = None,
) -> Checked:
    reply = model.invoke(prompt(question, hits, language))
    text = reply.content if isinstance(reply.content, str) else str(reply.content)
    return check_citations(text, hits, sentences, titles, tokenize)
