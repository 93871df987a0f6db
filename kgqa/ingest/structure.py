"""Read the layout of a document: lines with offsets, headings with levels, sections.

Pure functions on strings. Recognised headings:

- markdown ``#`` .. ``######`` (level = number of ``#``),
- Chinese numbered ``一、标题`` (level 1), ``1. 引言`` (1), ``2.1 问题：…`` (2), ``1.1.1 …`` (3),
- question headings ``问题1：…`` (level 3, under the current numbered section),
- a document title: the first line of a plain-text file when it is short,
- a short title line directly followed by a long paragraph (answer titles in flat notes).

>>> [ (s.heading, s.level) for s in parse_sections("# A\\n正文。\\n## B\\n更多。\\n") ]
[('A', 1), ('B', 2)]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kgqa.text import is_code_line
from kgqa.types import Block

__all__ = ["Line", "Section", "is_code_line", "parse_sections", "sections_from_blocks", "split_lines"]

MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
ZH_NUM_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]\s*\S.{0,60}$")
NUM_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.{0,80})$")
QUESTION_HEADING = re.compile(r"^问题\s*\d{1,3}\s*[:：]\s*\S.{0,80}$")
SEPARATOR = re.compile(r"^\s*[-—_*=]{1,3}\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]\s+|\d{1,2}[.)、]\s*\*\*)")
SENTENCE_END = "。！？；!;"


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


@dataclass
class Section:
    """A heading (may be empty for text before the first heading) and the lines under it."""

    heading: str
    level: int
    trail: tuple[str, ...]
    lines: list[Line] = field(default_factory=list)
    heading_line: Line | None = None
    blocks: list[Block] = field(default_factory=list)  # the structure under the heading, in order

    @property
    def start(self) -> int:
        first = self.heading_line or (self.lines[0] if self.lines else None)
        return first.start if first else 0

    @property
    def end(self) -> int:
        last = self.lines[-1] if self.lines else self.heading_line
        return last.end if last else 0

    def body_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.stripped and not SEPARATOR.match(ln.text)]


def split_lines(text: str) -> list[Line]:
    """Lines with their exact offsets in ``text`` (newline excluded)."""
    lines: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lines.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return lines


def heading_level(line: str) -> tuple[int, str] | None:
    """Level and title of a heading line, or None. Long or sentence-like lines are never headings."""
    s = line.strip()
    if not s or len(s) > 90:
        return None
    m = MD_HEADING.match(s)
    if m:
        return len(m.group(1)), m.group(2).strip()
    if s[-1] in SENTENCE_END or s.startswith(("-", "*", "•")):
        return None
    if ZH_NUM_HEADING.match(s):
        return 1, s
    if QUESTION_HEADING.match(s):
        return 3, s
    m = NUM_HEADING.match(s)
    if m and not s.endswith(("：", ":")) and "**" not in s:
        return min(m.group(1).count(".") + 1, 3), s
    return None


def _is_title_line(lines: list[Line], i: int) -> bool:
    """A short line followed by a long paragraph: the title of an unnumbered answer."""
    s = lines[i].stripped
    if not (2 <= len(s) <= 40) or s[-1] in SENTENCE_END + "：:," or LIST_ITEM.match(s):
        return False
    nxt = next((ln.stripped for ln in lines[i + 1 :] if ln.stripped), "")
    return len(nxt) >= max(80, 3 * len(s)) and not is_code_line(nxt) and heading_level(nxt) is None


def _first_content(lines: list[Line]) -> int:
    return next((i for i, ln in enumerate(lines) if ln.stripped), len(lines))


def iter_headings(lines: list[Line], plain_text: bool) -> Iterator[tuple[int, int, str]]:
    """(line index, level, title) for every heading line."""
    first = _first_content(lines)
    for i, ln in enumerate(lines):
        found = heading_level(ln.text)
        if found:
            yield i, found[0], found[1]
        elif plain_text and i == first and len(ln.stripped) <= 60:
            yield i, 0, ln.stripped.strip("《》")
        elif plain_text and _is_title_line(lines, i):
            yield i, 2, ln.stripped


def parse_sections(text: str, plain_text: bool | None = None) -> list[Section]:
    """Cut ``text`` into sections at every heading; each knows the trail of headings above it.

    ``plain_text`` enables the title heuristics for files without markdown headings
    (auto-detected when None).
    """
    lines = split_lines(text)
    if plain_text is None:
        plain_text = not any(MD_HEADING.match(ln.stripped) for ln in lines)
    heads = {i: (lvl, title) for i, lvl, title in iter_headings(lines, plain_text)}
    sections: list[Section] = [Section(heading="", level=0, trail=())]
    stack: list[tuple[int, str]] = []
    for i, ln in enumerate(lines):
        if i in heads:
            lvl, title = heads[i]
            while stack and stack[-1][0] >= lvl:
                stack.pop()
            stack.append((lvl, title))
            # the document title (level 0) is the document's, not a section's: it stays out of the trail
            # below it, so a citation reads "title > 2. 基础问题 > 2.1 …" rather than repeating the title
            trail = tuple(t for lv, t in stack if lv > 0 or len(stack) == 1)
            sections.append(Section(heading=title, level=lvl, trail=trail, heading_line=ln))
        else:
            sections[-1].lines.append(ln)
    return [s for s in sections if s.heading_line is not None or s.body_lines()]


def _heading_title(text: str) -> str:
    s = text.strip()
    m = MD_HEADING.match(s.split("\n", 1)[0].strip())
    title = m.group(2).strip() if m else s.split("\n", 1)[0].strip()
    return title.strip("《》") if title.startswith("《") else title


def sections_from_blocks(text: str, blocks: Sequence[Block]) -> list[Section]:
    """Cut ``text`` into sections at its heading blocks; each knows the trail of headings above it.

    A level-0 heading is the document's title (plain text): it heads its own section but stays out
    of the trails below it, so a citation reads "title > 2. 基础问题 > 2.1 …" without repeating it.

    >>> from kgqa.types import Block

__all__ = ["Line", "Section", "is_code_line", "parse_sections", "sections_from_blocks", "split_lines"]
    >>> t = "# A\\n正文。\\n## B\\n更多。\\n"
    >>> bs = [Block("heading", 0, 3, level=1), Block("paragraph", 4, 7), Block("heading", 8, 12, level=2)]
    >>> [(s.heading, s.trail) for s in sections_from_blocks(t, bs)]
    [('A', ('A',)), ('B', ('A', 'B'))]
    """
    lines = split_lines(text)
    starts = [ln.start for ln in lines]

    def line_of(offset: int) -> int:
        return max(0, bisect.bisect_right(starts, offset) - 1)

    heads: dict[int, Block] = {}
    covered: set[int] = set()
    for b in blocks:
        if b.kind == "heading":
            first, last = line_of(b.start), line_of(max(b.start, b.end - 1))
            heads[first] = b
            covered.update(range(first + 1, last + 1))
    sections: list[Section] = [Section(heading="", level=0, trail=())]
    stack: list[tuple[int, str]] = []
    bi = 0
    ordered = sorted(blocks, key=lambda b: b.start)
    for i, ln in enumerate(lines):
        if i in heads:
            b = heads[i]
            title = _heading_title(text[b.start : b.end])
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            stack.append((b.level, title))
            trail = tuple(t for lv, t in stack if lv > 0 or len(stack) == 1)
            sections.append(Section(heading=title, level=b.level, trail=trail, heading_line=ln))
        elif i not in covered:
            sections[-1].lines.append(ln)
        # blocks that start on this line belong to the section it is in
        while bi < len(ordered) and ordered[bi].start < ln.end + 1:
            if ordered[bi].kind != "heading":
                sections[-1].blocks.append(ordered[bi])
            bi += 1
    return [s for s in sections if s.heading_line is not None or s.body_lines()]
