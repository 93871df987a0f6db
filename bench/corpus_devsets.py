"""Load the per-corpus dev sets (bench/devsets/<corpus>.yaml) and resolve their gold quotes to spans.

The quotes were copied from the visible text of the source files, while offsets point into ``Document.text``,
the canonical text the converters render. A quote is therefore looked up in three steps: verbatim; with every
whitespace run collapsed to one space on both sides; with whitespace dropped altogether (an HTML inline
element can add or remove a space, as in ``“ Floating Selection ”`` against ``“Floating Selection”``).
A match in folded text is mapped back to offsets of the canonical text.

>>> resolve_quote("a  b\\nc", "b c")
Resolution(spans=((3, 6),), how='whitespace')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from devset import occurrences
from metrics import Gold

TYPES = ("answerable", "unanswerable", "off_topic", "chitchat")
REFUSE_TYPES = ("unanswerable", "off_topic")  # the questions a system should refuse
SPLITS = ("dev", "test")
LANGUAGES = ("zh", "en")


class CorpusDevsetError(ValueError):
    """A dev set file is malformed."""


@dataclass(frozen=True)
class Resolution:
    """Where a quote occurs in a text, and which lookup step found it (``missing``: nowhere)."""

    spans: tuple[tuple[int, int], ...]
    how: str


@dataclass(frozen=True)
class Unresolved:
    """A gold quote that names an unknown document or occurs nowhere in its document."""

    item_id: str
    doc_id: str
    quote: str
    reason: str


@dataclass(frozen=True)
class CorpusItem:
    """One question of a corpus dev set; ``golds`` are alternatives (any one suffices), resolved to spans."""

    corpus: str
    id: str
    question: str
    language: str
    type: str
    style: str
    split: str
    golds: tuple[Gold, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    # the domain terms the question is about, each a tuple of alternative names (any one suffices)
    concepts: tuple[tuple[str, ...], ...] = ()
    # relation and enumeration items: every element a complete answer cites (each one must be cited)
    expected: tuple[Gold, ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type == "answerable"

    @property
    def should_refuse(self) -> bool:
        return self.type in REFUSE_TYPES

    @property
    def parts(self) -> tuple[tuple[Gold, ...], ...]:
        """The gold evidence in the shape bench/metrics.py reads: one part holding every alternative."""
        return (self.golds,) if self.golds else ()


def fold_whitespace(text: str, drop: bool = False) -> tuple[str, list[int]]:
    """``text`` with each whitespace run made one space (or removed when ``drop``), and for every character
    of the result the offset it came from.

    >>> fold_whitespace("a \\n b")
    ('a b', [0, 1, 4])
    >>> fold_whitespace("a \\n b", drop=True)
    ('ab', [0, 4])
    """
    chars: list[str] = []
    offsets: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not drop and not in_space:
                chars.append(" ")
                offsets.append(i)
            in_space = True
            continue
        chars.append(ch)
        offsets.append(i)
        in_space = False
    return "".join(chars), offsets


def resolve_quote(text: str, quote: str) -> Resolution:
    """Every span of ``text`` holding ``quote``: verbatim, else modulo whitespace (see the module docstring).

    >>> resolve_quote("x Floating Selection y", "Floating Selection")
    Resolution(spans=((2, 20),), how='exact')
    >>> resolve_quote("“Floating Selection”", "“ Floating Selection ”")
    Resolution(spans=((0, 20),), how='no_whitespace')
    >>> resolve_quote("abc", "xyz")
    Resolution(spans=(), how='missing')
    """
    if not quote.strip():
        return Resolution((), "missing")
    exact = occurrences(text, quote)
    if exact:
        return Resolution(exact, "exact")
    for drop, how in ((False, "whitespace"), (True, "no_whitespace")):
        folded, offsets = fold_whitespace(text, drop)
        needle = fold_whitespace(quote, drop)[0].strip()
        found = occurrences(folded, needle)
        if found:
            return Resolution(tuple((offsets[a], offsets[b - 1] + 1) for a, b in found), how)
    return Resolution((), "missing")


def _golds(raw: dict[str, Any], item_id: str, texts: Mapping[str, str], key: str = "gold"
           ) -> tuple[list[Gold], list[Unresolved], dict[str, int]]:
    golds: list[Gold] = []
    unresolved: list[Unresolved] = []
    how: dict[str, int] = {}
    for entry in raw.get(key) or []:
        doc_id, quote = str(entry["doc_id"]), str(entry["quote"])
        if doc_id not in texts:
            unresolved.append(Unresolved(item_id, doc_id, quote, f"unknown doc_id; known: {sorted(texts)}"))
            continue
        found = resolve_quote(texts[doc_id], quote)
        how[found.how] = how.get(found.how, 0) + 1
        if not found.spans:
            unresolved.append(Unresolved(item_id, doc_id, quote, "not in the document text, even ignoring spaces"))
            continue
        # the canonical text of the first occurrence, so that "the citation contains the quote" compares like
        # with like when the dev set's spacing differs from the converted text
        start, end = found.spans[0]
        golds.append(Gold(doc_id, texts[doc_id][start:end], found.spans))
    return golds, unresolved, how


def _check(raw: Any, corpus: str) -> str:
    if not isinstance(raw, dict) or not {"id", "question", "language", "type", "split"} <= set(raw):
        raise CorpusDevsetError(f"{corpus}: items need id, question, language, type and split, got {raw!r}")
    where = f"{corpus} item {raw['id']!r}"
    for field, allowed in (("type", TYPES), ("split", SPLITS), ("language", LANGUAGES)):
        if raw[field] not in allowed:
            raise CorpusDevsetError(f"{where}: {field} must be one of {allowed}, got {raw[field]!r}")
    if (raw["type"] == "answerable") != bool(raw.get("gold")):
        raise CorpusDevsetError(f"{where}: answerable items, and only they, carry `gold`")
    return str(raw["id"])


def concept_names(raw: Any, item_id: str) -> tuple[tuple[str, ...], ...]:
    """``concepts: ["注意力机制|attention", "softmax"]`` as alternatives per concept.

    >>> concept_names(["注意力机制|attention", " softmax "], "x")
    (('注意力机制', 'attention'), ('softmax',))
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise CorpusDevsetError(f"item {item_id!r}: concepts must be a list of strings, got {raw!r}")
    return tuple(tuple(a.strip() for a in str(c).split("|") if a.strip()) for c in raw if str(c).strip())


@dataclass
class LoadedDevset:
    items: list[CorpusItem]
    unresolved: list[Unresolved]
    resolved_how: dict[str, int]  # exact / whitespace / no_whitespace / missing -> count of gold quotes


def load_corpus_devset(path: Path, texts: Mapping[str, str]) -> LoadedDevset:
    """Parse one dev set file and resolve its quotes against ``texts`` (doc_id -> ``Document.text``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    corpus = str(data.get("corpus") or path.stem)
    items: list[CorpusItem] = []
    unresolved: list[Unresolved] = []
    how_all: dict[str, int] = {}
    seen: set[str] = set()
    for raw in data.get("items") or []:
        item_id = _check(raw, corpus)
        if item_id in seen:
            raise CorpusDevsetError(f"{path}: duplicate id {item_id!r}")
        seen.add(item_id)
        golds, missing, how = _golds(raw, item_id, texts)
        expected, missing_items, how_items = _golds(raw, item_id, texts, "items")
        unresolved += missing + missing_items
        for k, n in [*how.items(), *how_items.items()]:
            how_all[k] = how_all.get(k, 0) + n
        history = tuple(dict(turn) for turn in raw.get("history") or ())
        items.append(CorpusItem(corpus, item_id, str(raw["question"]), raw["language"], raw["type"],
                                str(raw.get("style", "")), raw["split"], tuple(golds), history,
                                concept_names(raw.get("concepts"), item_id), tuple(expected)))
    return LoadedDevset(items, unresolved, how_all)
