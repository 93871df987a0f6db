"""Split chunk text into sentences with exact document offsets and a role.

Sentences come from the shared splitter (``kgqa.text.sentence_spans``: Chinese punctuation,
pysbd for English lines, every line end). Each sentence gets a role:
``heading`` (the section's own heading line), ``code`` (a line of a code block), ``question`` (a restated
question after a 题目/问题 label), ``item`` (a list item), ``lead`` (a line ending in a colon that opens a
list) or ``text``. Leading labels (**答案：**) and list markers are left out of the span,
so a quote is the statement itself; markdown emphasis stays in the quote (quotes are exact)
but ``plain`` drops it.

>>> from kgqa.types import Chunk
>>> c = Chunk("c", "d", 10, 32, "标题\\n方法如下：\\n- 第一。\\n- 第二！", heading=("标题",))
>>> [(s.text, s.start, s.role) for s in split_sentences(c)]
[('标题', 10, 'heading'), ('方法如下：', 13, 'lead'), ('第一。', 21, 'item'), ('第二！', 27, 'item')]
>>> s = Sentence("c", "d", 0, 30, "**Note:** use `x = f(y)` here.", 0)
>>> s.plain, s.latin, s.code_line
('Note: use `x = f(y)` here.', True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from kgqa.text import is_code_line, is_latin_text, sentence_spans
from kgqa.types import Chunk

_LABEL = re.compile(r"^(?:\*\*\s*(题目|答案|问题|回答|解析)\s*[:：]\s*\*\*\s*|(题目|答案|回答|解析)\s*[:：]\s*)")
_MARKER = re.compile(r"^(?:[-*•]\s+|\d{1,2}[.)]\s+)")
_MARKUP = re.compile(r"\*\*|^#+\s*|^\s*[-*•]\s+|^\s*\d+\.\s+")


@dataclass(frozen=True)
class Sentence:
    chunk_id: str
    doc_id: str
    start: int  # offsets in the document
    end: int
    text: str  # exact document text
    index: int  # position within the chunk
    role: str = "text"  # heading | code | question | lead | item | text

    @property
    def is_heading(self) -> bool:
        return self.role == "heading"

    # what answering reads of a sentence for every question that retrieves its chunk, worked out once: the
    # sentences of recently read chunks are kept (``index/reader.py``)
    @cached_property
    def plain(self) -> str:
        """Text without markdown markers, for scoring and display."""
        return _MARKUP.sub("", self.text).replace("**", "").strip()

    @cached_property
    def latin(self) -> bool:
        """Whether ``plain`` is written mostly in Latin letters (``kgqa.text.is_latin_text``)."""
        return is_latin_text(self.plain)

    @cached_property
    def code_line(self) -> bool:
        """Whether ``text`` looks like a line of source code (``kgqa.text.is_code_line``)."""
        return is_code_line(self.text)


def _heading_len(chunk: Chunk) -> int:
    """Length of the chunk's first line when it is the section heading (kept as one unit)."""
    first = chunk.text.split("\n", 1)[0]
    if chunk.heading and chunk.heading[-1].strip("# ") and chunk.heading[-1].strip("# ") in first:
        return len(first)
    return 0


def _strip_lead(body: str, line_start: bool) -> tuple[str, str]:
    """(text without label or list marker, role implied by what was stripped)."""
    role = "text"
    label = _LABEL.match(body)
    if label and len(body) > label.end():
        role = "question" if (label.group(1) or label.group(2)) in ("题目", "问题") else "text"
        body = body[label.end() :]
    marker = _MARKER.match(body) if line_start else None
    if marker and len(body) > marker.end():
        role, body = "item", body[marker.end() :]
    return body, role


def spans_of(chunk: Chunk) -> tuple[tuple[int, int], ...]:
    """The splitter's sentence spans of the chunk's text: those it was made with, else split now."""
    return chunk.sentences or tuple(sentence_spans(chunk.text, _heading_len(chunk)))


def with_spans(chunk: Chunk) -> Chunk:
    """The chunk with its sentence spans recorded (``Chunk.sentences``)."""
    return replace(chunk, sentences=spans_of(chunk))


def split_sentences(chunk: Chunk) -> list[Sentence]:
    out: list[Sentence] = []
    head = _heading_len(chunk)

    def add(s: int, body: str, role: str) -> None:
        start = chunk.start + s
        out.append(Sentence(chunk.chunk_id, chunk.doc_id, start, start + len(body), body, len(out), role))

    if head:
        add(0, chunk.text[:head].strip(), "heading")
    text = chunk.text
    code = [(a - chunk.start, b - chunk.start) for a, b in chunk.code]
    for s, e in spans_of(chunk):
        if any(a <= s < b for a, b in code):
            add(s, text[s:e], "code")
            continue
        raw = text[s:e]
        line_start = text.rfind("\n", 0, s) + 1
        at_line_start = not text[line_start:s].strip()
        body, role = _strip_lead(raw, at_line_start)
        if not body.strip():
            continue
        if role == "text" and body.rstrip().endswith(("：", ":")):
            role = "lead"
        add(s + raw.index(body), body, role)
    return out
