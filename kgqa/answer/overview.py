"""What the knowledge base covers, in a few words: its documents' titles and questions it can answer.

Used to reply to chit-chat and by the page for its title and example questions, so both come from the
knowledge base itself, never from one bundled corpus.

>>> from kgqa.types import Chunk, Concept
>>> chunks = [Chunk("a", "d1", 0, 9, "…", heading=("什么是RoPE？",)), Chunk("b", "d2", 0, 9, "…", heading=("Intro",))]
>>> o = build_overview({"d1": "笔记", "d2": "Guide"}, chunks, [Concept("layer", "layer", "图层", chunk_ids=["b"])])
>>> o.topics, o.questions("zh"), o.questions("en")
(('笔记', 'Guide'), ('什么是RoPE？', '什么是图层？'), ('What is layer?',))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kgqa.answer import chitchat
from kgqa.text import guess_language
from kgqa.types import Answer, Chunk, Concept

MAX_TOPICS = 3
MAX_QUESTIONS = 3
_QUESTION = re.compile(r"[?？]$")
_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十]+[、.]|问题\s*\d*\s*[:：])\s*")


@dataclass(frozen=True)
class Overview:
    topics: tuple[str, ...]
    by_language: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def questions(self, language: str) -> tuple[str, ...]:
        return tuple(self.by_language.get(language, ()))

    def reply(self, kind: str, language: str) -> Answer:
        text = chitchat.reply(kind, language, self.topics, self.questions(language))
        return Answer(text, outcome="chitchat")


def build_overview(titles: Mapping[str, str], chunks: Sequence[Chunk], concepts: Sequence[Concept]) -> Overview:
    """Topics are document titles; questions are the corpus's own question headings (one per document
    first), then "what is X" for the concepts that occur in most passages, in each language."""
    questions: dict[str, list[str]] = {"zh": [], "en": []}
    seen_docs: set[str] = set()
    for chunk in chunks:
        head = _NUMBER.sub("", chunk.heading[-1]).strip() if chunk.heading else ""
        if not _QUESTION.search(head) or chunk.doc_id in seen_docs or len(head) > 40:
            continue
        seen_docs.add(chunk.doc_id)
        questions[guess_language(head)].append(head)
    for c in sorted(concepts, key=lambda c: (-len(c.chunk_ids), c.id)):
        if c.label_zh:
            questions["zh"].append(f"什么是{c.label_zh}？")
        if c.label and c.label.isascii():
            questions["en"].append(f"What is {c.label}?")
        if all(len(q) >= MAX_QUESTIONS for q in questions.values()):
            break
    topics = tuple(dict.fromkeys(t for t in titles.values() if t))[:MAX_TOPICS]
    return Overview(topics, {k: tuple(dict.fromkeys(v))[:MAX_QUESTIONS] for k, v in questions.items()})
