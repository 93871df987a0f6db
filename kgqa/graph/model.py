"""Graph-stage data: what one document contributes (DocGraph) and its parts. JSON round-trippable.

A ``DocGraph`` is a pure function of (document, its chunks, glossary), so it can be
cached per document sha256; ``build_graph`` merges any set of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kgqa.types import Evidence

DOCGRAPH_VERSION = 1
# bump when extraction rules change: cached DocGraphs of another version are re-extracted
# 2: only terms of the domain become concepts; 3: code is not mined; 4: stated relations only; 5: names of example
# code, people of credit lists and fragments of a compound are no concepts, English relation cues; 6: a quoted
# Chinese word needs keyness from Zipf 4.8 again, not 4.5; 7: English-only and Chinese-only concepts joined
# through the embedding space, the links stored with the graph; 8: names the document marks (inline code, menu
# labels, defined terms, strong and emphasised text), Chinese compounds of a series, acronym plurals in the lexicon;
# 9: a code name that is an English verb (write, match) is found only where the text writes it as code;
# 10: a Chinese name is found only where the text's words start and end (no 工具 inside 工具箱); 11: people the
# text speaks of (a given name and a surname) are no concepts; 13: code the text names with its kind (the
# datetime module) is an instance of that kind; 14: the files of an example's file tree, and phrases they open,
# are no concepts, also where the tree is cut across two chunks; 15: a call ("the print() function") is no noun
# use of its name, so the verb "prints" is no alias of print()
GRAPH_VERSION = "graph-16"


@lru_cache(maxsize=1)
def graph_build_version() -> str:
    """``GRAPH_VERSION`` and a digest of the sources that build the graph (this package, its tuning constants and
    the shared text helpers). The per-document cache and the index manifest record it, so a graph built by other
    code is never served as current, even when a change forgot to bump ``GRAPH_VERSION``."""
    package = Path(__file__).resolve().parent
    root = package.parent
    files = [*sorted(package.rglob("*.py")), root / "tuning" / "graph.py", root / "text.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{GRAPH_VERSION}+{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class Sentence:
    """One sentence (or heading / attached question) of a chunk; ``start``/``end`` are document offsets."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    kind: str = "body"  # body | heading | question
    code: tuple[tuple[int, int], ...] = ()  # the spans of ``text`` the source sets as inline code

    def evidence(self, rule: str) -> Evidence:
        return Evidence(self.chunk_id, self.doc_id, self.start, self.end, self.text, rule)


@dataclass(frozen=True)
class CrossLink:
    """An English-only and a Chinese-only concept joined through the embedding space, not by the text: the
    Chinese one (``zh_id``) was folded into the English one (``en_id``)."""

    en_id: str
    zh_id: str
    en: str
    zh: str
    cosine: float
    margin: float


@dataclass(frozen=True)
class Term:
    """A mined name for a concept. ``key`` is the document-local concept key."""

    key: str
    en: str
    zh: str
    aliases: tuple[str, ...]
    rule: str
    evidence: Evidence

    def surfaces(self) -> list[str]:
        return [s for s in (self.en, self.zh, *self.aliases) if s]


@dataclass(frozen=True)
class RawEdge:
    """A typed relation between document-local keys, with the sentences that state it."""

    source: str
    target: str
    type: str
    evidence: tuple[Evidence, ...]


@dataclass
class DocGraph:
    doc_id: str
    sha256: str
    terms: list[Term] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: dict[str, list[str]] = field(default_factory=dict)  # key -> chunk ids
    edges: list[RawEdge] = field(default_factory=list)
    questions: dict[str, list[str]] = field(default_factory=dict)  # chunk id -> heading / question
    version: int = DOCGRAPH_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocGraph:
        def ev(e: dict[str, Any]) -> Evidence:
            return Evidence(**e)

        return cls(
            doc_id=d["doc_id"],
            sha256=d["sha256"],
            terms=[
                Term(t["key"], t["en"], t["zh"], tuple(t["aliases"]), t["rule"], ev(t["evidence"]))
                for t in d["terms"]
            ],
            sentences=[Sentence(**{**s, "code": tuple(map(tuple, s.get("code", ())))}) for s in d["sentences"]],
            mentions={k: list(v) for k, v in d["mentions"].items()},
            edges=[
                RawEdge(e["source"], e["target"], e["type"], tuple(ev(x) for x in e["evidence"]))
                for e in d["edges"]
            ],
            questions={k: list(v) for k, v in d["questions"].items()},
            version=d.get("version", DOCGRAPH_VERSION),
        )
