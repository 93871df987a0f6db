"""Word (.docx, python-docx) and PowerPoint (.pptx, python-pptx) -> canonical text and blocks.

DOCX: paragraph styles give headings (``Heading N``; ``Title`` is the document's title), list items
(``List ...`` styles or numbering, with their level), code (``Source Code``, ``HTML Preformatted``,
monospaced runs) and quotes; tables keep their rows; body order is kept.

PPTX: one section per slide, headed by the slide's title (or "Slide N"); text frames become paragraphs or
list items by indent level, tables keep their rows, and speaker notes follow the slide. ``Block.page`` is
the slide number.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from kgqa.errors import UnreadableFileError
from kgqa.ingest.convert.builder import TextBuilder
from kgqa.ingest.convert.model import Converted

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_CODE_STYLE = re.compile(r"source code|preformatted|code|verbatim", re.I)
_MONO = re.compile(r"mono|courier|consol", re.I)


def _open(kind: str, data: bytes, factory: Any) -> Any:
    try:
        return factory(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFileError(f"cannot read the {kind} file: {exc}. Check that it is a complete {kind}.") from exc


def _docx_paragraph(out: TextBuilder, par: Any, code: list[str]) -> None:
    style = (par.style.name if par.style is not None else "") or ""
    text = par.text
    runs = [r for r in par.runs if r.text.strip()]
    mono = bool(runs) and all(_MONO.search(r.font.name or "") for r in runs)
    if _CODE_STYLE.search(style) or mono:
        code.append(text)
        return
    if code:
        out.code("\n".join(code))
        code.clear()
    m = _HEADING_STYLE.match(style.strip())
    num = par._p.pPr.numPr if par._p.pPr is not None else None
    if style == "Title":
        out.heading(text, 0)  # the document's title, not a section of it
    elif m:
        out.heading(text, int(m.group(1)))
    elif style.lower().startswith("list") or num is not None:
        level = num.ilvl.val if num is not None and num.ilvl is not None else 0
        out.item(text, int(level))
    elif "quote" in style.lower():
        out.paragraph(text, "quote")
    else:
        out.paragraph(text)


def convert_docx(data: bytes) -> Converted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = _open("DOCX", data, docx.Document)
    out = TextBuilder()
    code: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _docx_paragraph(out, Paragraph(element, document), code)
        elif tag == "tbl":
            if code:
                out.code("\n".join(code))
                code.clear()
            table = Table(element, document)
            out.table([[cell.text for cell in row.cells] for row in table.rows])
    if code:
        out.code("\n".join(code))
    title = (document.core_properties.title or "").strip()
    if not title:
        title = next((out.text[b.start : b.end] for b in out.blocks if b.kind == "heading" and b.level == 0), "")
    return Converted(out.text, tuple(out.blocks), title, "docx")


def _slide_title(slide: Any) -> tuple[str, Any]:
    shape = slide.shapes.title
    return ((shape.text_frame.text or "").strip(), shape) if shape is not None and shape.has_text_frame else ("", None)


def convert_pptx(data: bytes) -> Converted:
    import pptx

    deck = _open("PPTX", data, pptx.Presentation)
    out = TextBuilder()
    for number, slide in enumerate(deck.slides, start=1):
        out.page = number
        title, title_shape = _slide_title(slide)
        out.heading(title or f"Slide {number}", 1)
        for shape in slide.shapes:
            if shape is title_shape:
                continue
            if shape.has_text_frame:
                for par in shape.text_frame.paragraphs:
                    text = "".join(r.text for r in par.runs) or ""
                    if par.level > 0:
                        out.item(text, par.level - 1)
                    else:
                        out.paragraph(text)
            elif getattr(shape, "has_table", False) and shape.has_table:
                out.table([[cell.text for cell in row.cells] for row in shape.table.rows])
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            out.paragraph(slide.notes_slide.notes_text_frame.text)
    title = (deck.core_properties.title or "").strip()
    return Converted(out.text, tuple(out.blocks), title, "pptx")
