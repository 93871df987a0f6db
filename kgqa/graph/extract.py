"""One document -> its DocGraph: sentences, mined terms, mentions, typed relations with evidence.

Pure: the result depends only on the document, its chunks and the glossary, so it can be
cached by the document's sha256 and a changed document replaces only its own DocGraph.

>>> from kgqa.types import Chunk, Document
>>> from kgqa.graph.glossary import Glossary
>>> text = "知识蒸馏（Knowledge Distillation）通过教师模型实现模型压缩。"
>>> doc = Document("d", "d.md", "D", "zh", text, "sha")
>>> dg = extract_document(doc, [Chunk("c1", "d", 0, len(text), text)], Glossary())
>>> sorted(dg.mentions)
['knowledge-distillation']
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from kgqa.graph.concepts import merge_names
from kgqa.graph.discourse import enumeration, procedure, topic_of
from kgqa.graph.glossary import Glossary
from kgqa.graph.lexicon import Lexicon
from kgqa.graph.marks import marked_terms
from kgqa.graph.model import DocGraph, RawEdge, Sentence, Term
from kgqa.graph.patterns import Linked, Rel, link_sentence
from kgqa.graph.relations import sentence_relations
from kgqa.graph.termhood import general_zipf
from kgqa.graph.terms import BODY_RULES, Found, english_terms, heading_terms, pair_terms
from kgqa.graph.text import sentences
from kgqa.text import is_code_line
from kgqa.tuning import TERMHOOD
from kgqa.types import Chunk, Document, Evidence

_NUMBERING = re.compile(r"^[#\s]*(?:\d{1,3}(?:\.\d{1,3})*\.?|[一二三四五六七八九十]{1,3}[、.．])?\s*")


def _is_heading_line(line: str, chunk: Chunk) -> bool:
    return bool(chunk.heading) and chunk.heading[-1].strip() in line


def chunk_sentences(doc: Document, chunk: Chunk) -> list[Sentence]:
    """The chunk's sentences in document offsets; the attached question (if any) comes first."""
    out: list[Sentence] = []
    qs = chunk.question_span
    if chunk.question and qs is not None and doc.text[qs.start : qs.end].strip():
        out += [
            Sentence(chunk.chunk_id, doc.doc_id, qs.start + p.start, qs.start + p.end, p.value, "question")
            for p in sentences(doc.text[qs.start : qs.end])
        ]
    text = chunk.text
    code = [(a - chunk.start, b - chunk.start) for a, b in chunk.code]
    for i, p in enumerate(sentences(text)):
        line_start = text.rfind("\n", 0, p.start) + 1
        line_end = text.find("\n", p.end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if is_code_line(line) or any(a <= p.start < b for a, b in code):
            continue  # identifiers of example code are not concepts, nor is code a statement of a relation
        at_line_start = not text[line_start : p.start].strip()
        kind = (
            "heading" if i == 0 and _is_heading_line(line, chunk) else ("body" if at_line_start else "cont")
        )
        out.append(
            Sentence(chunk.chunk_id, doc.doc_id, chunk.start + p.start, chunk.start + p.end, p.value, kind)
        )
    return out


_NAME_ITEM = re.compile(r"[A-Z][\w.'-]*(?: [A-Z(][\w.'()-]*){1,2}")
_ITEM_SEP = re.compile(r"\s*[,，、;；]\s*")
_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]")


def is_name_list(text: str) -> bool:
    """A list of people (credits, authors): many comma-separated items, at least half of them two or three
    capitalised words. Nothing in it is a term of the domain.

    >>> is_name_list("Ann Lee , Bo Chen , Jehan , Cy Dunn , Di Ek (di) , Ed Fo"), is_name_list("PNG, GIF, JPEG")
    (True, False)
    >>> is_name_list("Al Bo (Simplified Chinese) , Cy Di (Greek) (Ελ) , Ed Fu , Gi Ho , Ia Ju (Portuguese) , Ka")
    True
    """
    items = [i for i in _ITEM_SEP.split(text.strip(" 。.")) if i]
    if len(items) < TERMHOOD.name_list_items:
        return False
    # a note in brackets after a name (its language, its name in another script) is no part of the name
    names = [_NOTE.sub("", i).strip() for i in items]
    return 2 * sum(1 for n in names if _NAME_ITEM.fullmatch(n)) >= len(items)


def _labels_names(sents: Sequence[Sentence], i: int) -> bool:
    """Whether sentence ``i`` is a short label right above a list of people ("Documentation", "Translations"
    over the names of a credits page): a role of the credits, not a term."""
    s = sents[i]
    return (i + 1 < len(sents) and len(s.text) <= TERMHOOD.max_credit_label and "\n" not in s.text.strip()
            and is_name_list(sents[i + 1].text))


def _mine(s: Sentence, marks: Marks, examples: frozenset[str]) -> list[Found]:
    if is_name_list(s.text):
        return []
    found = marked_terms(s.text, marks.within(s.start, s.end), examples, marks.often)
    # the English rule reads the prose only: the code miner names what the source sets as code (``dumps()``),
    # and the words of code read as English (dumps, the plural of dump) would join what the code keeps apart
    prose = _without_code(s)
    if s.kind == "heading":
        return heading_terms(s.text) + pair_terms(s.text) + english_terms(prose) + found
    return [f for rule in BODY_RULES for f in rule(prose if rule is english_terms else s.text)] + found


def _without_code(s: Sentence) -> str:
    """The sentence with its inline code blanked out (same length, so offsets hold)."""
    text = s.text
    for a, b in s.code:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


class Marks:
    """A document's inline marks (``Block.marks``), looked up by span."""

    def __init__(self, doc: Document | None = None, variables: frozenset[str] = frozenset()) -> None:
        self.variables = variables  # names of example code, never read as a term where the text marks them
        self._marks = sorted(m for b in (doc.blocks if doc else ()) for m in b.marks)
        self._starts = [m[0] for m in self._marks]
        code = Counter(doc.text[a:b].strip() for a, b, k in self._marks if k == "code") if doc else Counter()
        self.often = frozenset(t for t, n in code.items() if n >= TERMHOOD.min_weak_count)

    def with_code(self, s: Sentence) -> Sentence:
        """The sentence with the spans of its text that are inline code."""
        code = tuple((a, b) for a, b, kind in self.within(s.start, s.end) if kind == "code")
        return replace(s, code=code) if code else s

    def within(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The marks inside ``[start, end)``, as offsets from ``start``."""
        i = bisect_left(self._starts, start)
        out = []
        while i < len(self._marks) and self._marks[i][0] < end:
            a, b, kind = self._marks[i]
            if b <= end:
                out.append((a - start, b - start, kind))
            i += 1
        return out


def _edges(rels: Sequence[Rel]) -> list[RawEdge]:
    merged: dict[tuple[str, str, str], dict[tuple[str, int, int, str], Evidence]] = {}
    for r in rels:
        bucket = merged.setdefault((r.source, r.target, r.type), {})
        for s in r.sentences:
            ev = s.evidence(r.rule)
            bucket.setdefault((ev.chunk_id, ev.start, ev.end, ev.rule), ev)
    return [RawEdge(s, t, ty, tuple(ev[k] for k in sorted(ev))) for (s, t, ty), ev in sorted(merged.items())]


_DEFINES = re.compile(r"\b(?:def|class)\s+([A-Za-z_]\w*)")
_TREE_FOLDER = re.compile(r"^([ \t|`+\\-]*)([A-Za-z_]\w*)/[ \t]*(?:$|[ \t]{2,}\S)", re.M)
_TREE_FILE = re.compile(r"^[ \t|`+\\-]*([A-Za-z_]\w*)\.\w+[ \t]*(?:$|[ \t]{2,}\S)", re.M)
_MODULE_FILE = re.compile(r"(?<![\w./-])([A-Za-z_]\w*)\.py\b")


def example_names(doc: Document, chunks: Sequence[Chunk]) -> frozenset[str]:
    r"""Names (lower-cased) the document's own examples make up: a function or class its code defines
    (``def fib``, ``class DerivedClassName``) or a module file it writes (``fibo.py``), unless the name is an
    English word (``class Point``, ``setup.py``). They name the example, not a concept of the domain.

    >>> from kgqa.types import Chunk, Document
    >>> text = "Create fibo.py:\n\n    class DerivedClassName(Base):\n        pass\n    def area(x): ..."
    >>> doc = Document("d", "d.md", "D", "en", text, "sha")
    >>> sorted(example_names(doc, [Chunk("c", "d", 0, len(text), text, code=((17, len(text)),))]))
    ['derivedclassname', 'fibo']
    >>> tree = "sound/       Top-level package\n    __init__.py\n    effects/\n        echo.py\n        surround.py"
    >>> doc = Document("d", "d.md", "D", "en", tree, "sha")
    >>> sorted(example_names(doc, [Chunk("c", "d", 0, len(tree), tree, code=((0, len(tree)),))]))
    ['echo', 'sound', 'surround']
    """
    code = _code_blocks(doc, chunks)
    names = {m.group(1) for part in code for m in _DEFINES.finditer(part)}
    names |= {m.group(1) for m in _MODULE_FILE.finditer(doc.text)}
    made_up = {n.lower() for n in names if general_zipf(n) < TERMHOOD.jargon_zipf and not _special(n)}
    # the top folder of a file tree the example draws (``sound/   Top-level package``) is its own, whatever word
    # names it: the example's package, not a term of the domain (its subfolders, formats/ or effects/, are
    # named by ordinary words the text also uses as words); so are the files it draws in it (echo.py,
    # surround.py), and the modules they are
    trees = [part for part in code if _tree_root(part)]
    folders = {_tree_root(part) for part in trees}
    files = {m.group(1).lower() for part in trees for m in _TREE_FILE.finditer(part) if not _special(m.group(1))}
    return frozenset(made_up | folders | files)


def _code_blocks(doc: Document, chunks: Sequence[Chunk]) -> list[str]:
    r"""The code of the chunks, a block cut across two chunks joined again (a file tree drawn in one block).

    >>> from kgqa.types import Chunk, Document
    >>> doc = Document("d", "d.md", "D", "en", "a/\n  b.py\n  c.py", "sha")
    >>> _code_blocks(doc, [Chunk("c0", "d", 0, 9, "a/\n  b.py", code=((0, 9),)),
    ...                    Chunk("c1", "d", 10, 16, "  c.py", code=((10, 16),))])
    ['a/\n  b.py\n  c.py']
    """
    spans: list[list[int]] = []
    for a, b in sorted({span for c in chunks for span in c.code}):
        if spans and not doc.text[spans[-1][1]:a].strip():
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return [doc.text[a:b] for a, b in spans]


def _tree_root(code: str) -> str:
    """The least indented folder of a file tree drawn in ``code`` ('' if it draws none), lower-cased."""
    found = [(len(m.group(1)), m.group(2)) for m in _TREE_FOLDER.finditer(code)]
    return min(found)[1].lower() if len(found) > 1 else ""


def _special(name: str) -> bool:
    """A special name of the language (__init__, __next__): an example that defines one names no example."""
    return name.startswith("__") and name.endswith("__")


_ASSIGNED = re.compile(r"^[ \t]*(?:>>>|\.\.\.)?[ \t]*([A-Za-z_]\w*)[ \t]*(?:,[ \t]*[A-Za-z_]\w*[ \t]*)*=(?!=)", re.M)
_PARAMS = re.compile(r"\bdef\s+\w+\s*\(([^)]*)\)")


def example_variables(doc: Document, chunks: Sequence[Chunk]) -> frozenset[str]:
    r"""Names (lower-cased) the document's example code assigns or takes as parameters (``result = []``,
    ``def parrot(voltage, state='a stiff')``): variables of one example, not names of the language or its
    library, whatever word they are.

    >>> from kgqa.types import Chunk, Document
    >>> text = ">>> result = f(2)\n    def parrot(voltage, state='stiff'):\n        x == 1"
    >>> doc = Document("d", "d.md", "D", "en", text, "sha")
    >>> sorted(example_variables(doc, [Chunk("c", "d", 0, len(text), text, code=((0, len(text)),))]))
    ['parrot', 'result', 'state', 'voltage']
    """
    code = _code_blocks(doc, chunks)
    names = {m.group(1) for part in code for m in _ASSIGNED.finditer(part)}
    for part in code:
        for m in _PARAMS.finditer(part):
            names |= {p.split("=")[0].strip(" *") for p in m.group(1).split(",")}
    names |= {m.group(1) for part in code for m in re.finditer(r"\bdef\s+(\w+)", part)}
    # special names (__init__, __all__) belong to the language even where an example defines them
    return frozenset(n.lower() for n in names if n and not _special(n))


def local_terms(
    sents: Sequence[Sentence], glossary: Glossary, examples: frozenset[str] = frozenset(), marks: Marks | None = None
) -> tuple[list[Term], Lexicon, dict[str, list[str]]]:
    """Mine and merge this document's names; returns terms, the document lexicon and surfaces per key. Names of
    the document's examples (see :func:`example_names`) are not mined, nor phrases an example's name opens
    ("the echo and surround modules": *surround module*)."""
    marks = marks or Marks()
    found = [
        (f, s)
        for i, s in enumerate(sents)
        if not _labels_names(sents, i)
        for f in _mine(s, marks, examples | marks.variables)
        if not {f.en.lower(), f.en.lower().split(" ", 1)[0], *map(str.lower, f.aliases)} & examples
    ]
    drafts, where = merge_names([(f.en, f.zh, f.aliases) for f, _ in found], glossary.concepts,
                                [f.rule == "code" for f, _ in found])
    terms: dict[tuple[str, str, str, tuple[str, ...], str], Term] = {}
    for (f, s), i in zip(found, where, strict=True):
        key = (drafts[i].id, f.en, f.zh, f.aliases, f.rule)
        terms.setdefault(key, Term(drafts[i].id, f.en, f.zh, f.aliases, f.rule, s.evidence(f.rule)))
    surfaces = {d.id: d.surfaces for d in drafts}
    lexicon = Lexicon({s: d.id for d in drafts for s in d.surfaces})
    return list(terms.values()), lexicon, surfaces


def extract_document(doc: Document, chunks: list[Chunk], glossary: Glossary) -> DocGraph:
    """Everything one document contributes to the concept graph (chunks of other documents are ignored)."""
    own: dict[str, Chunk] = {}
    for c in chunks:
        if c.doc_id == doc.doc_id:
            own.setdefault(c.chunk_id, c)
    examples = example_names(doc, list(own.values()))
    marks = Marks(doc, example_variables(doc, list(own.values())))
    per_chunk = {cid: [marks.with_code(s) for s in chunk_sentences(doc, c)] for cid, c in own.items()}
    all_sents = [s for ss in per_chunk.values() for s in ss]
    terms, lexicon, _ = local_terms(all_sents, glossary, examples, marks)

    rels: list[Rel] = []
    mentions: dict[str, set[str]] = {}
    for cid, chunk in own.items():
        topic = topic_of(chunk.heading, lexicon) or topic_of((chunk.question,), lexicon)
        linked = _carry_labels([link_sentence(s, lexicon, topic) for s in per_chunk[cid]])
        named = {ls.sentence: {m.key for m in ls.mentions} for ls in linked}
        order = {ls.sentence: i for i, ls in enumerate(linked)}
        found: list[Rel] = []
        for ls in linked:
            found += sentence_relations(ls)
            for m in ls.mentions:
                mentions.setdefault(m.key, set()).add(cid)
        body = [ls for ls in linked if ls.sentence.kind in ("body", "cont")]
        header = [ls for ls in linked if ls.sentence.kind in ("heading", "question")]
        rels += [_span(kept, doc.text) for r in found + procedure(linked) if (kept := stated(r, named, order))]
        # a list lead and its item state no relation in one sentence: the pair is related, no more
        rels += [replace(r, type="related") for r in enumeration(body, header)]
    return DocGraph(
        doc_id=doc.doc_id,
        sha256=doc.sha256,
        terms=sorted(terms, key=lambda t: (t.key, t.rule, t.en, t.zh, t.evidence.start)),
        sentences=all_sents,
        mentions={k: sorted(v) for k, v in sorted(mentions.items())},
        edges=_edges(rels),
        questions={cid: _questions(c) for cid, c in own.items()},
    )


def stated(rel: Rel, named: dict[Sentence, set[str]], order: dict[Sentence, int]) -> Rel | None:
    """The relation with the passage that states it, or None. The rules fire only on their cue words; the
    passage must also name both ends: one sentence, or a run of consecutive sentences of one chunk when the
    later ones continue the first (然后…, 这是通过…), cited as one span. A heading states nothing, nor does a
    sentence that names one end only."""
    if any(s.kind == "heading" for s in rel.sentences):
        return None
    for s in rel.sentences:
        if {rel.source, rel.target} <= named.get(s, set()):
            return replace(rel, sentences=(s,))
    run = sorted(rel.sentences, key=lambda s: order.get(s, -1))
    at = [order.get(s, -1) for s in run]
    if len(run) < 2 or at[0] < 0 or at != list(range(at[0], at[0] + len(run))):
        return None
    if not {rel.source, rel.target} <= set().union(*(named.get(s, set()) for s in run)):
        return None
    return replace(rel, sentences=(run[0], *run[1:]))


def _span(rel: Rel, text: str) -> Rel:
    """A relation cited by consecutive sentences cites them as one passage of the document."""
    if len(rel.sentences) < 2:
        return rel
    first, last = rel.sentences[0], rel.sentences[-1]
    passage = Sentence(first.chunk_id, first.doc_id, first.start, last.end, text[first.start : last.end])
    return replace(rel, sentences=(passage,))


def _carry_labels(linked: list[Linked]) -> list[Linked]:
    """A sentence that continues a list item's line explains the same label."""
    out: list[Linked] = []
    for ls in linked:
        if ls.sentence.kind == "cont" and out and not ls.label:
            ls = replace(ls, label=out[-1].label, label_text=out[-1].label_text)
        out.append(ls)
    return out


def _questions(chunk: Chunk) -> list[str]:
    """Follow-up question candidates from the corpus: the attached question, then the heading."""
    out = [chunk.question.strip()] if chunk.question.strip() else []
    if chunk.heading:
        out.append(_NUMBERING.sub("", chunk.heading[-1]).strip())
    return out
