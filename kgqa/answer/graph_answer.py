"""Relation questions answered from the concept graph: the path between the two concepts, each hop cited.

"X和Y有什么关系", "how is X related to Y", "X vs Y": when the question names two concepts and the graph links
them in at most ``MAX_HOPS`` stated steps, the answer gives the chain, and every hop quotes the sentence that
states it (its evidence), at its exact offsets.

>>> is_relation_question("RoPE和位置编码有什么关系？"), is_relation_question("How is RoPE related to ALiBi?")
(True, True)
>>> is_relation_question("什么是RoPE？")
False
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from kgqa.types import Chunk, Citation, Concept, Edge, Evidence

MAX_HOPS = 3
_RELATION = re.compile(
    r"(?:和|与|跟|同).{1,30}?(?:有什么|有啥|是什么|有何|什么)?(?:关系|联系|关联)|(?:关系|联系)是什么"
    r"|\brelat(?:ed|ion|ionship|e)s?\b|\bconnect(?:ed|ion)\b|\blink(?:ed)?\b|\bvs\.?(?=\s)|\bversus\b",
    re.I,
)
RELATION_NAMES = {
    "zh": {
        "part-of": "是……的组成部分", "uses": "使用", "variant-of": "是……的变体", "technique-for": "用于",
        "contrasts-with": "对比", "instance-of": "是……的一种", "mitigates": "缓解", "followed-by": "之后是",
        "has-step": "包含步骤", "related": "相关",
    },
    "en": {
        "part-of": "is part of", "uses": "uses", "variant-of": "is a variant of", "technique-for": "is a technique for",
        "contrasts-with": "contrasts with", "instance-of": "is an instance of", "mitigates": "mitigates",
        "followed-by": "is followed by", "has-step": "has the step", "related": "is mentioned with",
    },
}


class PathGraph(Protocol):
    def link(self, text: str) -> list[tuple[str, str, int, int]]: ...

    def concept(self, id_or_name: str) -> Concept: ...

    def path(self, a: str, b: str) -> list[Edge]: ...


def is_relation_question(question: str) -> bool:
    return bool(_RELATION.search(question))


def _name(c: Concept, language: str) -> str:
    return (c.label_zh or c.label) if language == "zh" else (c.label or c.label_zh)


def relation_answer(
    graph: PathGraph, question: str, language: str, chunks: Mapping[str, Chunk], titles: Mapping[str, str],
    first_number: int = 1,
) -> tuple[str, list[Citation]] | None:
    """The path between the first two concepts the question names, each hop with its evidence; None when the
    question is not about a relation, names fewer than two concepts, or the graph does not link them."""
    if not is_relation_question(question):
        return None
    ids = list(dict.fromkeys(cid for cid, *_ in sorted(graph.link(question), key=lambda m: m[2])))
    if len(ids) < 2:
        return None
    hops = graph.path(ids[0], ids[1])
    if not hops or len(hops) > MAX_HOPS or any(not e.evidence for e in hops):
        return None
    names = RELATION_NAMES["zh" if language == "zh" else "en"]
    lines: list[str] = []
    citations: list[Citation] = []
    for hop in hops:
        ev = _best_evidence(hop, graph)
        chunk = chunks.get(ev.chunk_id)
        if chunk is None:
            return None
        n = first_number + len(citations)
        citations.append(Citation(n, ev.chunk_id, ev.doc_id, titles.get(ev.doc_id, ev.doc_id), chunk.section,
                                  ev.quote, ev.start, ev.end, 1.0, chunk.page_at(ev.start)))
        src, dst = _name(graph.concept(hop.source), language), _name(graph.concept(hop.target), language)
        relation = names.get(hop.type, hop.type)
        lines.append(f"{src} → {dst}（{relation}）：{ev.quote}[{n}]" if language == "zh"
                     else f"{src} → {dst} ({relation}): {ev.quote} [{n}]")
    a, b = (_name(graph.concept(i), language) for i in ids[:2])
    lead = f"概念图中{a}与{b}的关系：" if language == "zh" else f"How {a} and {b} are linked in the concept graph:"
    return "\n".join([lead, *lines]), citations


def _best_evidence(hop: Edge, graph: PathGraph) -> Evidence:
    """The evidence a reader accepts best: a sentence that names both ends, not a bare lead ("方法包括:")."""
    names = [[n.lower() for n in (c.label, c.label_zh, *c.aliases) if n]
             for c in (graph.concept(hop.source), graph.concept(hop.target))]

    def score(ev: Evidence) -> tuple[int, int, int]:
        quote = ev.quote.lower()
        named = sum(1 for ns in names if any(n in quote for n in ns))
        return named, 0 if ev.quote.rstrip().endswith((":", "：")) else 1, -len(ev.quote)

    return max(hop.evidence, key=score)


def merge(text: str, citations: Sequence[Citation], graph_part: tuple[str, list[Citation]] | None,
          ) -> tuple[str, list[Citation]]:
    """The composed answer, then the graph's path (its citation numbers follow the answer's)."""
    if graph_part is None:
        return text, list(citations)
    extra_text, extra = graph_part
    return (f"{text}\n{extra_text}" if text else extra_text), [*citations, *extra]
