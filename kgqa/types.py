"""Plain data passed between the stages. No I/O, no behaviour beyond small helpers.

Offsets are Python string indices (code points) into the original file text,
so ``document.text[chunk.start:chunk.end] == chunk.text`` always holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Language = Literal["zh", "en", "mixed"]


BlockKind = Literal["heading", "paragraph", "list_item", "table", "code", "quote"]


@dataclass(frozen=True)
class Block:
    """One structural unit of a converted document: ``document.text[start:end]`` is its text.

    ``level`` is a heading's level (1 = outermost), ``depth`` a list item's nesting (0 = top),
    ``page`` the 1-based page (PDF) or slide (PPTX) it sits on (0 when the format has no pages),
    ``rows`` a table's cells, row by row. ``marks`` are the inline elements the source marks, as
    ``(start, end, kind)`` in document offsets: ``code`` (inline code, file and command names), ``gui`` (labels
    of menus, buttons and dialogs), ``term`` (a defined term: a definition list's term, ``dfn``), ``strong`` and
    ``emphasis``. They add to the text without changing it.
    """

    kind: str
    start: int
    end: int
    level: int = 0
    depth: int = 0
    page: int = 0
    rows: tuple[tuple[str, ...], ...] = ()
    marks: tuple[tuple[int, int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "start": self.start, "end": self.end}
        for name in ("level", "depth", "page"):
            if getattr(self, name):
                d[name] = getattr(self, name)
        if self.rows:
            d["rows"] = [list(r) for r in self.rows]
        if self.marks:
            d["marks"] = [list(m) for m in self.marks]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        rows = tuple(tuple(r) for r in d.get("rows") or ())
        marks = tuple((int(m[0]), int(m[1]), str(m[2])) for m in d.get("marks") or ())
        return cls(
            d["kind"], d["start"], d["end"], d.get("level", 0), d.get("depth", 0), d.get("page", 0), rows, marks
        )


@dataclass(frozen=True)
class Document:
    """One source file, converted. ``doc_id`` is the file stem (stable, readable).

    ``text`` is the canonical text: what citation offsets point into and what the viewer shows.
    For Markdown and plain text it is the file itself; other formats are rendered into it
    (headings and paragraphs as lines, list items as ``- item``, table rows as ``a | b``).
    ``blocks`` describe its structure; ``format`` is the converter that made it (md, html, pdf, ...).
    """

    doc_id: str
    path: str
    title: str
    language: str
    text: str
    sha256: str
    source: str = ""
    blocks: tuple[Block, ...] = ()
    format: str = ""

    def page_at(self, offset: int) -> int:
        """The page (PDF) or slide (PPTX) holding ``offset``; 0 when the format has none."""
        for b in self.blocks:
            if b.start <= offset < b.end or offset < b.start:
                return b.page
        return self.blocks[-1].page if self.blocks else 0


@dataclass(frozen=True)
class Span:
    """A character range of one document: ``documents[doc_id].text[start:end]``."""

    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A citable unit of text.

    ``text`` is exactly the original file text at ``[start, end)`` of ``doc_id``.
    ``heading`` is the trail of headings above it, outermost first. ``question`` is
    the question a Q&A unit answers when it is stated outside the span (the separate
    question list of a document); it is indexed with the chunk but never cited as its text.
    ``occurrences`` lists every place the same text appears (duplicates are indexed once).
    """

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    heading: tuple[str, ...] = ()
    kind: str = "section"
    question: str = ""
    question_span: Span | None = None
    occurrences: tuple[Span, ...] = ()
    pages: tuple[tuple[int, int], ...] = ()  # (document offset, page) where a page (or slide) begins
    code: tuple[tuple[int, int], ...] = ()  # document spans of the code blocks inside the chunk
    # the sentence splitter's spans of ``text`` (offsets into it), split once when the chunk is made: the
    # sentence vectors follow them, and answering reads them without splitting again
    sentences: tuple[tuple[int, int], ...] = ()

    @property
    def section(self) -> str:
        return " > ".join(self.heading)

    def page_at(self, offset: int) -> int:
        """The page (PDF) or slide (PPTX) of a document offset inside this chunk; 0 when there are none."""
        page = 0
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page

    def index_text(self) -> str:
        """What is embedded and keyword-indexed: headings, the attached question, the text."""
        parts = [*self.heading]
        if self.question:
            parts.append(self.question)
        parts.append(self.text)
        return "\n".join(p for p in parts if p)

    def unit_text(self) -> str:
        """What the chunk answers: its own heading and attached question (else its opening words).
        Questions are matched against this as well as against the full text."""
        unit = " ".join(p for p in (*self.heading[-1:], self.question) if p)
        return unit or self.text[:80]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        qs = d.get("question_span")
        return cls(
            chunk_id=d["chunk_id"],
            doc_id=d["doc_id"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            heading=tuple(d.get("heading") or ()),
            kind=d.get("kind", "section"),
            question=d.get("question", ""),
            question_span=Span(**qs) if qs else None,
            occurrences=tuple(Span(**o) for o in d.get("occurrences") or ()),
            pages=tuple((int(a), int(b)) for a, b in d.get("pages") or ()),
            code=tuple((int(a), int(b)) for a, b in d.get("code") or ()),
            sentences=tuple((int(a), int(b)) for a, b in d.get("sentences") or ()),
        )


@dataclass(frozen=True)
class Evidence:
    """Where a concept-graph edge is stated: a sentence span and the rule that found it."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    quote: str
    rule: str


@dataclass
class Concept:
    id: str
    label: str
    label_zh: str = ""
    aliases: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class Edge:
    source: str
    target: str
    type: str
    weight: float = 1.0
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the per-channel scores behind it."""

    chunk: Chunk
    score: float
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    score: float
    page: int = 0  # the PDF page or PPTX slide of the quote; 0 for formats without pages


@dataclass
class RelatedConcept:
    id: str
    label: str
    label_zh: str
    relation: str
    question: str


Outcome = Literal["answer", "caveat", "refused", "chitchat"]


@dataclass
class Answer:
    """What the user reads. ``outcome``: ``answer``; ``caveat`` (answered, but the question names something
    the knowledge base lacks, which ``missing`` lists); ``refused`` (the knowledge base holds no answer;
    ``abstained`` stays true for older clients); ``chitchat`` (a greeting or thanks, answered without citations).
    """

    answer: str
    citations: list[Citation] = field(default_factory=list)
    related_concepts: list[RelatedConcept] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    abstained: bool = False
    outcome: str = "answer"
    missing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.abstained and self.outcome == "answer":
            self.outcome = "refused"

    def to_dict(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives (the same keys in the same order, lists copied), built directly:
        every answer served is converted, and ``asdict``'s recursion and deep copies cost more than the rest of
        the conversion."""
        return {"answer": self.answer, "citations": [_flat(c) for c in self.citations],
                "related_concepts": [_flat(r) for r in self.related_concepts], "concepts": list(self.concepts),
                "abstained": self.abstained, "outcome": self.outcome, "missing": list(self.missing)}


def _flat(item: Citation | RelatedConcept) -> dict[str, Any]:
    """A dataclass of plain values as a dict, fields in order."""
    return {name: getattr(item, name) for name in _FIELDS[type(item)]}


_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (Citation, RelatedConcept)}
