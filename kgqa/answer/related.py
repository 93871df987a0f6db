"""Related concepts to explore next, from the concept graph, each with an answerable follow-up question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from kgqa.types import Citation, Hit, RelatedConcept


class RelatedSource(Protocol):
    def related(self, seed_ids: Sequence[str], k: int) -> list[Any]: ...


def related_concepts(graph: RelatedSource, seeds: Sequence[str], k: int = 5) -> list[RelatedConcept]:
    if not seeds:
        return []
    out = []
    for concept, relation, _score, question in graph.related(list(seeds), k):
        out.append(RelatedConcept(concept.id, concept.label, concept.label_zh, relation, question or ""))
    return out


class Linker(Protocol):
    def link(self, text: str) -> list[tuple[str, str, int, int]]: ...

    def concept(self, id_or_name: str) -> Any: ...


class Namer(Protocol):
    def named_in(self, text: str) -> list[str]: ...


def answer_concepts(graph: Namer, asked: Sequence[str], citations: Sequence[Citation], k: int) -> list[str]:
    """What an answer is about: the concepts its question names, then those its cited sentences name (in the
    order of the citations and of the text), at most ``k``; never fewer than the question's own."""
    out = list(dict.fromkeys(asked))
    for c in citations:
        for cid in graph.named_in(c.quote):
            if len(out) >= k:
                return out
            if cid not in out:
                out.append(cid)
    return out


def nearest_concepts(graph: Linker, hits: Sequence[Hit], language: str, k: int = 3) -> list[str]:
    """Labels of the concepts named in the headings of the closest passages: what the corpus does cover."""
    ids: list[str] = []
    for hit in hits:
        ids += [cid for cid, *_ in graph.link(hit.chunk.section)]
    labels = []
    for cid in list(dict.fromkeys(ids))[:k]:
        c = graph.concept(cid)
        labels.append(f"{c.label_zh} ({c.label})" if language == "en" and c.label_zh else (c.label_zh or c.label))
    return labels
