"""PDF -> canonical text and blocks (pdfminer.six layout analysis).

pdfminer.six was chosen over pypdf (no layout or font information: headings cannot be told) and
PyMuPDF (AGPL): it gives text lines in reading order with their fonts and positions, which is what
headings (font size), code (monospaced fonts) and page furniture (repeated lines in the margins) need.

- reading order: pdfminer's text boxes, top to bottom per column;
- de-hyphenation: ``exam-`` + ``ple`` -> ``example`` when the next line starts in lower case;
- page headers and footers: lines in the top or bottom margin that repeat (digits ignored) on at
  least half of the pages, and bare page numbers;
- headings: short lines set clearly larger than the body text, levels by size rank;
- list items: lines that open with a bullet or a number, continued by the lines after them.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass

from kgqa.errors import UnreadableFileError
from kgqa.ingest.convert.builder import TextBuilder, inline
from kgqa.ingest.convert.model import Converted
from kgqa.text import SENTENCE_END, is_cjk

MARGIN = 0.08  # share of the page height at top and bottom where headers and footers live
HEADING_RATIO = 1.15  # a heading's font is at least this much larger than the body font
_BULLET = re.compile(r"^\s*(?:[•◦▪‣·●○■□–—-]|\d{1,2}[.)、]|[a-z][.)])\s+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}\s*(?:/\s*\d{1,4})?\s*$|^\s*第\s*\d+\s*页", re.I)
_MONO = re.compile(r"mono|courier|consol|code|menlo", re.I)


@dataclass
class _Line:
    text: str
    size: float
    mono: bool
    top: float  # share of page height from the top
    y0: float  # bottom and top in points
    y1: float
    page: int
    box: int


# CJK Radicals Supplement look-alikes that NFKC leaves alone, with their equivalent ideographs (Unicode's
# EquivalentUnifiedIdeograph.txt), for the simplified forms Chinese fonts use
_SUPPLEMENT = str.maketrans(
    "⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻥⻦⻨⻩⻬⻮⻰⻳⻄⺠⺟⺢⻊",
    "见角贝车长门青韦页风飞食马鱼鸟麦黄齐齿龙龟西民母水足",
)


def _radicals(text: str) -> str:
    """Fonts often map CJK ideographs to look-alike radicals (⼀ U+2F00 for 一, ⻚ U+2EDA for 页): fold them
    back, leaving every other character (full-width punctuation included) as it is."""
    text = text.translate(_SUPPLEMENT)
    return "".join(unicodedata.normalize("NFKC", c) if "\u2f00" <= c <= "\u2fdf" else c for c in text)


def _lines(data: bytes) -> tuple[list[_Line], int, str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine
    from pdfminer.pdfparser import PDFSyntaxError

    # pdfminer warns once per glyph about incomplete font descriptors; the text is still right
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    out: list[_Line] = []
    pages = 0
    box_no = 0
    try:
        for pageno, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams()), start=1):
            pages = pageno
            height = page.height or 1.0
            for box in page:
                if not isinstance(box, LTTextBox):
                    continue
                box_no += 1
                for line in box:
                    if not isinstance(line, LTTextLine):
                        continue
                    text = _radicals(line.get_text().rstrip("\n")).replace("\u00b6", "")
                    chars = [c for c in line if isinstance(c, LTChar)]
                    if not text.strip() or not chars:
                        continue
                    size = statistics.median(c.size for c in chars)
                    mono = sum(1 for c in chars if _MONO.search(c.fontname)) > len(chars) / 2
                    out.append(_Line(text, round(size, 1), mono, 1 - line.y1 / height, line.y0, line.y1, pageno,
                                     box_no))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableFileError(f"cannot read the PDF: {exc}. Check that the file is a complete PDF.") from exc
    return out, pages, ""


def _furniture(lines: list[_Line], pages: int) -> set[int]:
    """Indexes of running headers, footers and page numbers."""
    def key(ln: _Line) -> str:
        return re.sub(r"\d+", "#", ln.text.strip().lower())

    in_margin = [i for i, ln in enumerate(lines) if ln.top < MARGIN or ln.top > 1 - MARGIN]
    counts = Counter(key(lines[i]) for i in in_margin)
    drop = set()
    for i in in_margin:
        if _PAGE_NUMBER.match(lines[i].text) or (pages >= 3 and counts[key(lines[i])] >= max(2, pages / 2)):
            drop.add(i)
    return drop


def _join(a: str, b: str) -> str:
    """Two wrapped lines of one paragraph: de-hyphenate, no space between CJK characters."""
    a, b = a.rstrip(), b.lstrip()
    if re.search(r"[A-Za-z]-$", a) and b[:1].islower():
        return a[:-1] + b
    if a and b and is_cjk(a[-1]) and is_cjk(b[0]):
        return a + b
    return a + " " + b


def _heading_levels(body: list[_Line]) -> dict[float, int]:
    """Font size -> heading level: sizes clearly above the body text's (the size most characters are set in)."""
    weights: Counter[float] = Counter()
    for ln in body:
        weights[ln.size] += len(ln.text)
    body_size = weights.most_common(1)[0][0]
    sizes = sorted({ln.size for ln in body if ln.size >= body_size * HEADING_RATIO}, reverse=True)
    return {size: min(i + 1, 6) for i, size in enumerate(sizes)}


class _Assembler:
    """Lines in reading order -> blocks: wrapped lines joined into paragraphs, headings, list items, code."""

    def __init__(self, level_of: dict[float, int]) -> None:
        self.out = TextBuilder()
        self.level_of = level_of
        self.para: list[str] = []
        self.kind, self.level = "paragraph", 0
        self.code: list[str] = []
        self.prev: _Line | None = None

    def flush(self) -> None:
        if self.code:
            self.out.code("\n".join(self.code))
            self.code = []
        if self.para:
            text = self.para[0]
            for nxt in self.para[1:]:
                text = _join(text, nxt)
            if self.kind == "heading":
                self.out.heading(text, self.level)
            elif self.kind == "list_item":
                self.out.item(_BULLET.sub("", text, count=1), 0)
            else:
                self.out.paragraph(text)
            self.para, self.kind = [], "paragraph"

    def add(self, ln: _Line) -> None:
        text, prev = ln.text.strip(), self.prev
        new_box = prev is None or prev.box != ln.box or prev.page != ln.page
        head_level = self.level_of.get(ln.size)
        if head_level and len(text) <= 120 and text[-1] not in SENTENCE_END + ".":
            # a heading wrapped over two lines of one box stays one heading
            if not (self.kind == "heading" and not new_box and prev is not None and prev.size == ln.size):
                self.flush()
                self.out.page = ln.page
                self.kind, self.level = "heading", head_level
            self.para.append(text)
        elif ln.mono:
            if self.para:
                self.flush()
            self.out.page = ln.page
            self.code.append(ln.text.rstrip())
        else:
            bullet = bool(_BULLET.match(text))
            if self.code or bullet or (new_box and not self._carried(ln)) or self.kind == "heading":
                self.flush()
                self.out.page = ln.page
                self.kind = "list_item" if bullet else "paragraph"
            self.para.append(text)
        self.prev = ln

    def _carried(self, ln: _Line) -> bool:
        """A paragraph that runs over a page break goes on in the first box of the next page, and a line set
        just below an unfinished one goes on with it, even in a new box."""
        prev = self.prev
        unfinished = bool(self.para) and self.para[-1].rstrip()[-1:] not in SENTENCE_END + ".:：。" \
            and self.kind != "heading"
        return prev is not None and unfinished and (
            (prev.page != ln.page and self.kind == "paragraph")
            or (prev.page == ln.page and 0 <= prev.y0 - ln.y1 < 0.8 * ln.size and prev.size == ln.size))


def convert_pdf(data: bytes) -> Converted:
    lines, pages, _ = _lines(data)
    drop = _furniture(lines, pages)
    body = [ln for i, ln in enumerate(lines) if i not in drop]
    if not body:
        return Converted("", (), "", "pdf")
    assembler = _Assembler(_heading_levels(body))
    for ln in body:
        assembler.add(ln)
    assembler.flush()
    out = assembler.out
    first = next((out.text[b.start : b.end] for b in out.blocks if b.kind == "heading"), "")
    return Converted(out.text, tuple(out.blocks), inline(first), "pdf")
