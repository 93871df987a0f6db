"""Relation and enumeration questions answered from the concept graph, every statement cited by its evidence.

Relation questions: the path between the two concepts, each hop cited.

"X和Y有什么关系", "how is X related to Y", "X vs Y": when the question names two concepts and the graph links
them in at most ``MAX_HOPS`` stated steps, the answer gives the chain, and every hop quotes the sentence that
states it (its evidence), at its exact offsets.

>>> is_relation_question("RoPE和位置编码有什么关系？"), is_relation_question("How is RoPE related to ALiBi?")
(True, True)
>>> is_relation_question("什么是RoPE？")
False

Enumerations ("有哪些量化方法", "what kinds of layers are there?"): the items the graph types as variants,
instances or techniques of the concept the question names, gathered across documents, each with its sentence.

>>> is_enumeration_question("量化有哪些方法？"), is_enumeration_question("What kinds of layer modes are there?")
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
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


MAX_ITEMS = 8
_ENUMERATION = re.compile(
    r"有哪些|有啥|哪几种|哪几类|几种|列举|都有什么"
    r"|\bwhat (?:kinds?|types?|sorts?|techniques|methods|ways|tools|options)\b"
    r"|\bwhich \w+(?: \w+)? are there\b|\blist (?:the|all)\b",
    re.I,
)
# item -> the concept it belongs to, as the graph types it
ITEM_TYPES = ("variant-of", "instance-of", "technique-for")


class PathGraph(Protocol):
    def link(self, text: str) -> list[tuple[str, str, int, int]]: ...

    def concept(self, id_or_name: str) -> Concept: ...

    def path(self, a: str, b: str) -> list[Edge]: ...

    def neighbours(self, concept_id: str) -> list[tuple[Edge, str]]: ...


def is_enumeration_question(question: str) -> bool:
    return bool(_ENUMERATION.search(question))


_COMPARISON = re.compile(
    r"区别|差别|不同|不一样|异同|对比|相比|比较|\bvs\.?(?=\s)|\bversus\b|\bdiffer(?:ent|ence|ences|s)?\b"
    r"|\bcompar(?:e|ed|ison)\b",
    re.I,
)


def is_comparison(question: str) -> bool:
    """「X 和 Y 有什么区别」, "X vs Y", "how is X different from Y"."""
    return bool(_COMPARISON.search(question))


def is_relation_question(question: str) -> bool:
    return bool(_RELATION.search(question))


def _name(c: Concept, language: str) -> str:
    return (c.label_zh or c.label) if language == "zh" else (c.label or c.label_zh)


def relation_answer(
    graph: PathGraph, question: str, language: str, chunks: Mapping[str, Chunk], titles: Mapping[str, str],
    first_number: int = 1, cited: Sequence[Citation] = (),
) -> tuple[str, list[Citation]] | None:
    """The path between the first two concepts the question names, each hop with its evidence; None when the
    question is not about a relation, names fewer than two concepts, or the graph does not link them."""
    if not is_relation_question(question):
        return None
    ids = list(dict.fromkeys(cid for cid, *_ in sorted(graph.link(question), key=lambda m: m[2])))
    if len(ids) < 2:
        return None
    hops = graph.path(ids[0], ids[1])
    if not hops or len(hops) > MAX_HOPS or any(not any(_states(ev) for ev in e.evidence) for e in hops):
        return None
    names = RELATION_NAMES["zh" if language == "zh" else "en"]
    lines: list[str] = []
    citations: list[Citation] = []
    for hop in hops:
        ev = _best_evidence(hop, graph)
        chunk = chunks.get(ev.chunk_id)
        if chunk is None:
            return None
        same = next((c for c in cited if c.doc_id == ev.doc_id and c.start < ev.end and ev.start < c.end), None)
        if same is not None:
            n = same.n  # the composed answer quotes this sentence already: point at it
        else:
            n = first_number + len(citations)
            citations.append(Citation(n, ev.chunk_id, ev.doc_id, titles.get(ev.doc_id, ev.doc_id), chunk.section,
                                      ev.quote, ev.start, ev.end, 1.0, chunk.page_at(ev.start)))
        src, dst = _name(graph.concept(hop.source), language), _name(graph.concept(hop.target), language)
        relation = names.get(hop.type, hop.type)
        lines.append(f"{src} → {dst}（{relation}）：{_plain(ev.quote)}[{n}]" if language == "zh"
                     else f"{src} → {dst} ({relation}): {_plain(ev.quote)} [{n}]")
    a, b = (_name(graph.concept(i), language) for i in ids[:2])
    lead = f"概念图中{a}与{b}的关系：" if language == "zh" else f"How {a} and {b} are linked in the concept graph:"
    return "\n".join([lead, *lines]), citations


def _states(ev: Evidence) -> bool:
    """Whether an evidence sentence states something: a question ("…有哪些变体吗?(如:BERT)") states nothing."""
    return "?" not in ev.quote and "？" not in ev.quote


def _items(graph: PathGraph, concept_id: str) -> list[Edge]:
    edges = [e for e, _ in graph.neighbours(concept_id)
             if any(_states(ev) for ev in e.evidence) and ((e.type in ITEM_TYPES and e.target == concept_id)
                                                           or (e.type == "has-step" and e.source == concept_id))]
    return sorted(edges, key=lambda e: (-e.weight, e.source, e.target))


def enumeration_answer(
    graph: PathGraph, question: str, language: str, chunks: Mapping[str, Chunk], titles: Mapping[str, str],
    first_number: int = 1, cited: Sequence[Citation] = (), near: Collection[str] = (),
) -> tuple[str, list[Citation]] | None:
    """The items of the concept the question names (the one with most items), each cited; None when the
    question does not ask for a list or the graph has fewer than two items for it. Items stated in the passages
    retrieval found for the question (``near``, chunk ids) come first: of a kind with many items (every module
    the text names), those are the ones the question is about."""
    if not is_enumeration_question(question):
        return None
    ids = list(dict.fromkeys(cid for cid, *_ in graph.link(question)))
    scored = [(len(_items(graph, cid)), cid) for cid in ids]
    if not scored or max(scored)[0] < 2:
        return None
    _, head = max(scored)
    lines: list[str] = []
    citations: list[Citation] = []
    seen: set[tuple[str, int]] = set()
    items = _items(graph, head)
    items.sort(key=lambda e: not any(ev.chunk_id in near for ev in e.evidence))  # stable: by weight within
    for edge in items[:MAX_ITEMS]:
        ev = _best_evidence(edge, graph)
        chunk = chunks.get(ev.chunk_id)
        if chunk is None or (ev.doc_id, ev.start) in seen or _overlaps(ev, cited):
            continue  # the composed answer quotes it already
        seen.add((ev.doc_id, ev.start))
        n = first_number + len(citations)
        citations.append(Citation(n, ev.chunk_id, ev.doc_id, titles.get(ev.doc_id, ev.doc_id), chunk.section,
                                  ev.quote, ev.start, ev.end, 1.0, chunk.page_at(ev.start)))
        lines.append(f"- {_plain(ev.quote)}[{n}]" if language == "zh" else f"- {_plain(ev.quote)} [{n}]")
    if not lines:
        return None
    name = _name(graph.concept(head), language)
    lead = (f"概念图中{name}的各项（来自所有文档）：" if language == "zh"
            else f"The kinds of {name} in the concept graph, across documents:")
    return "\n".join([lead, *lines]), citations


_MARKUP = re.compile(r"^\s*(?:[-*•]\s+|\d{1,2}[.)、]\s*)|\*\*")


def _plain(quote: str) -> str:
    """The quote as read: list markers and bold marks left out (the citation keeps the exact text)."""
    return _MARKUP.sub("", quote).strip()


def _overlaps(ev: Evidence, cited: Sequence[Citation]) -> bool:
    return any(c.doc_id == ev.doc_id and c.start < ev.end and ev.start < c.end for c in cited)


def _best_evidence(hop: Edge, graph: PathGraph) -> Evidence:
    """The evidence a reader accepts best: a sentence that names both ends, not a bare lead ("方法包括:")."""
    names = [[n.lower() for n in (c.label, c.label_zh, *c.aliases) if n]
             for c in (graph.concept(hop.source), graph.concept(hop.target))]

    def score(ev: Evidence) -> tuple[int, int, int, int]:
        quote = ev.quote.lower()
        named = sum(1 for ns in names if any(n in quote for n in ns))
        return int(_states(ev)), named, 0 if ev.quote.rstrip().endswith((":", "：")) else 1, -len(ev.quote)

    return max(hop.evidence, key=score)


def merge(text: str, citations: Sequence[Citation], graph_part: tuple[str, list[Citation]] | None,
          ) -> tuple[str, list[Citation]]:
    """The composed answer, then the graph's path (its citation numbers follow the answer's)."""
    if graph_part is None:
        return text, list(citations)
    extra_text, extra = graph_part
    return (f"{text}\n{extra_text}" if text else extra_text), [*citations, *extra]
