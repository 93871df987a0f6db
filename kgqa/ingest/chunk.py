"""Documents -> citable chunks. Structure first (headings, Q&A units, question lists), then a length cap.

Every chunk's ``text`` is exactly ``document.text[start:end]``. Sections come from the document's
heading blocks. A section becomes one chunk unless it exceeds ``max_chars``; then its blocks are
packed in order: a paragraph, list item or quote that is too long is cut at sentence ends (the
shared splitter of ``kgqa.text``; a single over-long sentence falls back to langchain's recursive
splitter), a table at row ends, and a code block at line ends, never inside a line. Every piece
keeps the section's heading trail, so a split answer still carries its question.

>>> from kgqa.types import Document
>>> doc = Document("d", "d.md", "D", "zh", "## 问题\\n回答第一句。回答第二句。\\n", "x")
>>> [c.text for c in chunk_document(doc).chunks]
['## 问题\\n回答第一句。回答第二句。']
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_text_splitters import RecursiveCharacterTextSplitter

from kgqa.ingest.clean import promotional_sections
from kgqa.ingest.convert import CONVERTER_VERSION
from kgqa.ingest.convert import markdown as md_blocks
from kgqa.ingest.convert import plain as plain_blocks
from kgqa.ingest.qa_list import align_answers, question_list
from kgqa.ingest.sentences import with_spans
from kgqa.ingest.structure import Line, Section, sections_from_blocks
from kgqa.text import SPLITTER_VERSION, sentence_spans
from kgqa.types import Block, Chunk, Document, Span

# 3: sections and pieces from the document model's blocks; 4: chunks know their code blocks.
CHUNKER_VERSION = f"5.c{CONVERTER_VERSION}.s{SPLITTER_VERSION}"
ZH_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "!", "?", ";", "，", ",", " ", ""]
_HEADING_NUMBER = re.compile(
    r"^\s*#*\s*(?:\d{1,3}(?:\.\d{1,3})*\.?|[一二三四五六七八九十]{1,3}[、.．]|问题\s*\d+\s*[:：])\s*"
)
_TRAILING_JUNK = " \t\r\n-—"


@dataclass
class DocChunks:
    """What one document contributes: its chunks plus counts for the ingest summary."""

    doc_id: str
    chunks: list[Chunk] = field(default_factory=list)
    boilerplate_sections: int = 0
    boilerplate_chars: int = 0
    listed_questions: int = 0
    attached_questions: int = 0


def content_key(text: str) -> str:
    """The text with heading numbers and whitespace normalised, so repeated sections hash alike."""
    first, _, rest = text.partition("\n")
    body = _HEADING_NUMBER.sub("", first) + "\n" + rest
    return re.sub(r"\s+", " ", body).strip()


def chunk_id_for(text: str) -> str:
    return hashlib.sha256(content_key(text).encode("utf-8")).hexdigest()[:16]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past surrounding whitespace and separator dashes."""
    while start < end and text[start] in _TRAILING_JUNK:
        start += 1
    while end > start and text[end - 1] in _TRAILING_JUNK:
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at clause ends; offsets are found by search, so they are exact."""
    splitter = RecursiveCharacterTextSplitter(
        separators=ZH_SEPARATORS, chunk_size=max_chars, chunk_overlap=0, keep_separator="end"
    )
    spans: list[tuple[int, int]] = []
    cursor = start
    for piece in splitter.split_text(text[start:end]):
        at = text.find(piece, cursor, end)
        if at < 0:  # the splitter strips whitespace; fall back to sequential placement
            at = cursor
        spans.append((at, min(at + len(piece), end)))
        cursor = at + len(piece)
    return spans


def _block_units(text: str, block: Block, max_chars: int) -> list[tuple[int, int]]:
    """The pieces a block may be cut into when it does not fit: sentences, rows or lines."""
    if block.end - block.start <= max_chars:
        return [(block.start, block.end)]
    if block.kind in ("code", "table"):
        units, pos = [], block.start
        for line in text[block.start : block.end].split("\n"):
            if line.strip():
                units.append((pos, pos + len(line)))
            pos += len(line) + 1
        return units
    units = []
    for s, e in sentence_spans(text, block.start, block.end):
        units += [(s, e)] if e - s <= max_chars else _split_long(text, s, e, max_chars)
    return units


def _pieces(text: str, section: Section, max_chars: int) -> list[tuple[int, int]]:
    """Pack the section's blocks into spans of at most ``max_chars``, cutting only between units."""
    units: list[tuple[int, int]] = []
    if section.heading_line is not None:
        units.append((section.heading_line.start, section.heading_line.end))
    for block in section.blocks:
        units += _block_units(text, block, max_chars)
    spans: list[tuple[int, int]] = []
    for start, end in units:
        if spans and end - spans[-1][0] <= max_chars:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _section_chunks(
    doc: Document, section: Section, max_chars: int, kind: str, question: tuple[str, Span] | None
) -> list[Chunk]:
    start, end = _trim(doc.text, section.start, section.end)
    if end <= start or (section.heading_line and not section.body_lines()):
        return []  # a heading with nothing under it lives on in its children's trails
    spans = [(start, end)] if end - start <= max_chars else _pieces(doc.text, section, max_chars)
    out: list[Chunk] = []
    for s, e in spans:
        s, e = _trim(doc.text, s, e)
        if e <= s:
            continue
        text = doc.text[s:e]
        out.append(
            Chunk(
                chunk_id=chunk_id_for(text),
                doc_id=doc.doc_id,
                start=s,
                end=e,
                text=text,
                heading=section.trail,
                kind=kind,
                question=question[0] if question else "",
                question_span=question[1] if question else None,
                occurrences=(Span(doc.doc_id, s, e),),
            )
        )
    return out


def _kind(section: Section) -> str:
    body = " ".join(ln.stripped for ln in section.lines[:3])
    if re.search(r"题目|答案|问题|回答|解析", section.heading + body) or section.heading.endswith(("?", "？")):
        return "qa"
    return "section"


def document_blocks(doc: Document) -> tuple[Block, ...]:
    """The document's blocks; a Document built by hand without them gets its format's blocks."""
    if doc.blocks:
        return doc.blocks
    if doc.path.endswith((".md", ".markdown")):
        return md_blocks.blocks_of(doc.text)
    return plain_blocks.blocks_of(doc.text)


def _drop_lines(section: Section, removed: list[Line]) -> None:
    """Take ``removed`` lines, and the blocks that start on them, out of the section."""
    gone = {(ln.start, ln.end) for ln in removed}
    section.lines = [ln for ln in section.lines if (ln.start, ln.end) not in gone]
    section.blocks = [b for b in section.blocks if not any(s <= b.start <= e for s, e in gone)]


def chunk_document(doc: Document, max_chars: int = 600) -> DocChunks:
    """Chunks of one document in reading order, with boilerplate and bare question lists left out."""
    sections = sections_from_blocks(doc.text, document_blocks(doc))
    result = DocChunks(doc.doc_id)
    promo = promotional_sections(sections)
    result.boilerplate_sections = len(promo)
    result.boilerplate_chars = sum(s.end - s.start for s in promo)
    kept = [s for s in sections if s not in promo]

    attached: dict[int, tuple[str, Span]] = {}
    for qi, sec in enumerate(kept):
        qlines = question_list(sec)
        if not qlines:
            continue
        result.listed_questions += len(qlines)
        answers = [s for s in kept[qi + 1 :] if s.heading_line is not None]
        pairs = align_answers([q.stripped for q in qlines], [a.heading for a in answers])
        for ai, qj in pairs.items():
            q = qlines[qj]
            attached[id(answers[ai])] = (q.stripped, Span(doc.doc_id, q.start, q.end))
        result.attached_questions += len(pairs)
        _drop_lines(sec, [ln for ln in sec.lines if ln in qlines or re.match(r"^以下是答案", ln.stripped)])

    for sec in kept:
        question = attached.get(id(sec))
        kind = "qa" if question else _kind(sec)
        result.chunks += _section_chunks(doc, sec, max_chars, kind, question)
    if any(b.page for b in doc.blocks):
        result.chunks = [_with_pages(c, doc.blocks) for c in result.chunks]
    code = [(b.start, b.end) for b in doc.blocks if b.kind == "code"]
    if code:
        result.chunks = [_with_code(c, code) for c in result.chunks]
    result.chunks = [with_spans(c) for c in result.chunks]
    return result


def _with_code(chunk: Chunk, code: list[tuple[int, int]]) -> Chunk:
    """Record the code blocks inside the chunk: their lines are code, never prose to quote."""
    inside = tuple((max(s, chunk.start), min(e, chunk.end)) for s, e in code if s < chunk.end and e > chunk.start)
    return Chunk(**{**chunk.__dict__, "code": inside}) if inside else chunk


def _with_pages(chunk: Chunk, blocks: tuple[Block, ...]) -> Chunk:
    """Record where pages begin inside the chunk, so a citation can name the page of its sentence."""
    marks: list[tuple[int, int]] = []
    for b in blocks:
        if b.end <= chunk.start:
            marks = [(chunk.start, b.page)]
        elif b.start < chunk.end and (not marks or marks[-1][1] != b.page):
            marks.append((max(b.start, chunk.start), b.page))
    return Chunk(**{**chunk.__dict__, "pages": tuple(marks)})


def merge_duplicates(chunks: list[Chunk]) -> tuple[list[Chunk], int]:
    """Index each distinct text once; the kept chunk lists every place it occurs. Returns (chunks, merged)."""
    by_id: dict[str, Chunk] = {}
    order: list[str] = []
    merged = 0
    for c in chunks:
        if c.chunk_id in by_id:
            first = by_id[c.chunk_id]
            by_id[c.chunk_id] = Chunk(**{**first.__dict__, "occurrences": first.occurrences + c.occurrences})
            merged += 1
        else:
            by_id[c.chunk_id] = c
            order.append(c.chunk_id)
    return [by_id[i] for i in order], merged
