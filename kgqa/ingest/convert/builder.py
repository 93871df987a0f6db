"""Build a canonical text and its blocks together, so every block's span is exact by construction.

>>> b = TextBuilder()
>>> b.heading("Intro", 1); b.paragraph("Some  text\\n here."); b.item("first", 0); b.item("second", 1)
>>> print(b.text, end="")
Intro
<BLANKLINE>
Some text here.
<BLANKLINE>
- first
  - second
>>> [(k.kind, b.text[k.start:k.end]) for k in b.blocks][-1]
('list_item', '- second')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from kgqa.types import Block

_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BREAK = re.compile(r"\s*\n\s*")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("F", "W", "H") and not "\uac00" <= ch <= "\ud7a3"


def inline(text: str) -> str:
    """Inline text as a reader sees it: whitespace runs become one space, and a line break between two
    wide East Asian characters disappears (CSS Text 3's segment-break rule: HTML and PDF wrap Chinese
    lines without a space)."""
    text = text.replace("\u00ad", "")
    out: list[str] = []
    parts = _BREAK.split(text)
    for i, part in enumerate(parts):
        if i and out and part:
            prev = out[-1][-1:] if out[-1] else ""
            if not (prev and _wide(prev) and _wide(part[0])):
                out.append(" ")
        out.append(part)
    return _SPACE.sub(" ", "".join(out)).strip()


Marks = Sequence[tuple[str, str]]  # (kind, text as the source writes it), in reading order


def place_marks(body: str, marks: Marks) -> list[tuple[int, int, str]]:
    """Where each marked text lies in ``body`` (offsets into it), searched in reading order so a text marked
    twice is found twice; a mark whose text the body does not hold is dropped.

    >>> place_marks("Use pip and pip freeze", [("code", "pip"), ("code", " pip  freeze")])
    [(4, 7, 'code'), (12, 22, 'code')]
    """
    out: list[tuple[int, int, str]] = []
    at = 0
    for kind, raw in marks:
        text = inline(raw)
        if not text:
            continue
        i = body.find(text, at)
        if i < 0:
            i = body.find(text)
            if i < 0:
                continue
        else:
            at = i + len(text)
        out.append((i, i + len(text), kind))
    return sorted(set(out))


class TextBuilder:
    """Appends blocks to a canonical text: a blank line between blocks, one line per list item or table row."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.blocks: list[Block] = []
        self.page = 0

    @property
    def text(self) -> str:
        return "".join(self._parts) + ("\n" if self._parts else "")

    def _append(
        self, body: str, kind: str, tight: bool = False, indent: str = "", marks: Marks = (), **attrs: object
    ) -> None:
        if not body.strip():
            return
        if self._parts:
            sep = "\n" if tight and self.blocks and self.blocks[-1].kind == kind else "\n\n"
            self._parts.append(sep + indent)
            self._len += len(sep + indent)
        elif indent:
            self._parts.append(indent)
            self._len += len(indent)
        start = self._len
        self._parts.append(body)
        self._len += len(body)
        found = tuple((start + a, start + b, k) for a, b, k in place_marks(body, marks))
        self.blocks.append(Block(kind, start, self._len, page=self.page, marks=found, **attrs))  # type: ignore[arg-type]

    def heading(self, text: str, level: int, marks: Marks = ()) -> None:
        """Level 1-6; level 0 is the document's title: it heads the text but stays out of section trails."""
        self._append(inline(text), "heading", marks=marks, level=max(0, min(level, 6)))

    def paragraph(self, text: str, kind: str = "paragraph", marks: Marks = ()) -> None:
        self._append(inline(text), kind, marks=marks)

    def item(self, text: str, depth: int, marks: Marks = ()) -> None:
        body = inline(text)
        if body:
            self._append("- " + body, "list_item", tight=True, indent="  " * depth, marks=marks, depth=depth)

    def code(self, text: str) -> None:
        lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\t", "    ").split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        self._append("\n".join(lines), "code")

    def table(self, rows: list[list[str]]) -> None:
        cells = [tuple(inline(c) for c in row) for row in rows]
        cells = [r for r in cells if any(r)]
        if cells:
            self._append("\n".join(" | ".join(r) for r in cells), "table", rows=tuple(cells))
