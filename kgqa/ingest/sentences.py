"""Split chunk text into sentences with exact document offsets.

A sentence ends at 。！？；!?; or at a line end; list items and headings are their own
units; leading labels (**答案：**) and list markers are left out of the span. Markdown emphasis stays in the quote (quotes are exact) but is ignored when scoring.

>>> from kgqa.types import Chunk
>>> c = Chunk("c", "d", 10, 21, "标题\\n第一句。第二句！", heading=("标题",))
>>> [(s.text, s.start, s.end) for s in split_sentences(c)]
[('标题', 10, 12), ('第一句。', 13, 17), ('第二句！', 17, 21)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgqa.types import Chunk

_END = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』)]*|\n|$)")
_LEAD = re.compile(r"^(?:\*\*\s*(?:题目|答案|问题|回答|解析)\s*[:：]\s*\*\*\s*|(?:题目|答案|回答|解析)\s*[:：]\s*|[-*•]\s+|\d{1,2}[.)]\s+)")
_MARKUP = re.compile(r"\*\*|^#+\s*|^\s*[-*•]\s+|^\s*\d+\.\s+")


@dataclass(frozen=True)
class Sentence:
    chunk_id: str
    doc_id: str
    start: int  # offsets in the document
    end: int
    text: str  # exact document text
    index: int  # position within the chunk
    is_heading: bool = False

    @property
    def plain(self) -> str:
        """Text without markdown markers, for scoring and display."""
        return _MARKUP.sub("", self.text).replace("**", "").strip()


def _heading_len(chunk: Chunk) -> int:
    """Length of the chunk's first line when it is the section heading (kept as one unit)."""
    first = chunk.text.split("\n", 1)[0]
    if chunk.heading and chunk.heading[-1].strip("# ") and chunk.heading[-1].strip("# ") in first:
        return len(first)
    return 0


def split_sentences(chunk: Chunk) -> list[Sentence]:
    out: list[Sentence] = []
    head = _heading_len(chunk)

    def add(s: int, body: str, heading: bool) -> None:
        start = chunk.start + s
        out.append(Sentence(chunk.chunk_id, chunk.doc_id, start, start + len(body), body, len(out), heading))

    if head:
        add(0, chunk.text[:head].strip(), True)
    for m in _END.finditer(chunk.text, head):
        raw = m.group(0)
        body = raw.strip()
        lead = _LEAD.match(body)
        if lead and len(body) > lead.end():  # a label or list marker is not part of the quote
            body = body[lead.end() :]
        if not body.strip():
            continue
        add(m.start() + raw.index(body), body, False)
    return out
