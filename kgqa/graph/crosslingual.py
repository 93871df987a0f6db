"""English and Chinese names of one concept, joined through the embedding model's shared space.

The text's own pairs (``注意力机制（Attention）``) and the glossary join most names. A corpus that writes a
concept in one language on one page and in the other on another page (a half-translated manual) gives two
concepts instead. Their labels are embedded with the index's model, whose space is shared by both languages,
and an English-only concept is joined to a Chinese-only one when the two are mutual nearest neighbours across
the languages, their cosine reaches a threshold and it beats the runner-up of either by a margin. Glossary
concepts and concepts already named in both languages take no part. The link is recorded (``CrossLink``) and
the concept keeps the source ``embedding-link``, so it can be shown and judged apart from the text's pairs.

>>> import numpy as np
>>> en = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> zh = np.array([[0.1, 1.0], [1.0, 0.2], [0.7, 0.7]])
>>> [(x.en, x.zh) for x in mutual_links(en, zh, threshold=0.9, margin=0.05)]
[(0, 1), (1, 0)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from kgqa.graph.model import CrossLink
from kgqa.graph.query import ConceptGraph
from kgqa.text import is_cjk
from kgqa.tuning import CROSSLINGUAL
from kgqa.types import Concept, Edge, Evidence

LabelVectors = Callable[[Sequence[str]], np.ndarray]  # labels -> one row per label, in order
RULE = "embedding-link"


@dataclass(frozen=True)
class Link:
    """Row ``en`` of the English vectors and row ``zh`` of the Chinese ones name one concept."""

    en: int
    zh: int
    cosine: float
    margin: float  # cosine minus the best rival of either side (-1 when neither has a rival)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1.0, norms)


def scored_links(en: np.ndarray, zh: np.ndarray) -> list[Link]:
    """Every mutual nearest-neighbour pair with its cosine and margin, before any threshold. Ties go to the
    first row, so the result is a function of the row order alone."""
    if len(en) == 0 or len(zh) == 0:
        return []
    sim = _unit(en) @ _unit(zh).T
    best_zh, best_en = sim.argmax(axis=1), sim.argmax(axis=0)
    out = []
    for i, j in enumerate(best_zh):
        if best_en[j] != i:
            continue
        row = np.delete(sim[i], j)
        col = np.delete(sim[:, j], i)
        rival = max(row.max() if row.size else -1.0, col.max() if col.size else -1.0)
        c = float(sim[i, j])
        out.append(Link(i, int(j), round(c, 4), round(c - float(rival), 4)))
    return out


def mutual_links(en: np.ndarray, zh: np.ndarray, threshold: float, margin: float) -> list[Link]:
    """The mutual nearest neighbours whose cosine is at least ``threshold`` and beats every rival by ``margin``."""
    return [x for x in scored_links(en, zh) if x.cosine >= threshold and x.margin >= margin]


def candidates(graph: ConceptGraph) -> tuple[list[Concept], list[Concept]]:
    """(English-only, Chinese-only) concepts, by id; glossary concepts and bilingual ones take no part."""
    en, zh = [], []
    for _, c in sorted(graph.concepts.items()):
        if "glossary" in c.sources:
            continue
        if not c.label_zh and c.label.isascii() and any(ch.isalpha() for ch in c.label):
            en.append(c)
        elif c.label_zh and c.label == c.label_zh and any(is_cjk(ch) for ch in c.label):
            zh.append(c)
    return en, zh


def link_languages(
    graph: ConceptGraph, vectors: LabelVectors, threshold: float | None = None, margin: float | None = None
) -> ConceptGraph:
    """``graph`` with each linked (English-only, Chinese-only) pair merged into the English concept."""
    en, zh = candidates(graph)
    if not en or not zh:
        return graph
    rows = vectors([c.label for c in en] + [c.label_zh for c in zh])
    found = mutual_links(rows[: len(en)], rows[len(en):],
                         CROSSLINGUAL.threshold if threshold is None else threshold,
                         CROSSLINGUAL.margin if margin is None else margin)
    links = [CrossLink(en[x.en].id, zh[x.zh].id, en[x.en].label, zh[x.zh].label, x.cosine, x.margin) for x in found]
    return merge_links(graph, links)


def merge_links(graph: ConceptGraph, links: Sequence[CrossLink]) -> ConceptGraph:
    """Each Chinese concept folded into its English one: names, sources, chunks and edges."""
    if not links:
        return graph
    into = {x.zh_id: x.en_id for x in links}
    concepts = {k: c for k, c in graph.concepts.items() if k not in into}
    for x in links:
        a, b = graph.concepts[x.en_id], graph.concepts[x.zh_id]
        names = {*a.aliases, *b.aliases} - {a.label, b.label}  # as the build writes it: no label is an alias
        concepts[a.id] = replace(a, label_zh=b.label, aliases=sorted(names),
                                 sources=sorted({*a.sources, *b.sources, RULE}),
                                 chunk_ids=sorted({*a.chunk_ids, *b.chunk_ids}))
    edges = _merge_edges(graph.edges, into)
    kept = {k: concepts[k] for k in sorted(concepts)}
    every = sorted([*graph.links, *links], key=lambda x: (x.en_id, x.zh_id))
    return ConceptGraph(kept, edges, graph.questions, every)


def _merge_edges(edges: Sequence[Edge], into: dict[str, str]) -> list[Edge]:
    """Edges re-keyed to the merged ids. An edge between the two halves goes; edges that now join the same pair
    become one (typed: evidence pooled, weight the distinct sentences, one direction per type as ``build.one_way``
    keeps; related: the stronger), and a co-occurrence edge goes where a stated relation joins the pair."""
    grouped: dict[tuple[str, str, str], list[Edge]] = {}
    for e in edges:
        s, t = into.get(e.source, e.source), into.get(e.target, e.target)
        if s == t:
            continue
        if e.type == "related" and (t, s, e.type) in grouped:
            s, t = t, s
        grouped.setdefault((s, t, e.type), []).append(e)
    typed: dict[tuple[frozenset[str], str], Edge] = {}
    merged = [_pooled(s, t, ty, group) for (s, t, ty), group in grouped.items() if ty != "related"]
    for e in sorted(merged, key=lambda e: (-len(e.evidence), e.source, e.type, e.target)):
        typed.setdefault((frozenset((e.source, e.target)), e.type), e)
    pairs = {pair for pair, _ in typed}
    related = [max(group, key=lambda e: e.weight) for (s, t, ty), group in grouped.items()
               if ty == "related" and frozenset((s, t)) not in pairs]
    related = [replace(e, source=into.get(e.source, e.source), target=into.get(e.target, e.target)) for e in related]
    return sorted([*typed.values(), *related], key=lambda e: (e.source, e.target, e.type))


def _pooled(s: str, t: str, ty: str, group: list[Edge]) -> Edge:
    if len(group) == 1:
        return replace(group[0], source=s, target=t)
    evidence = sorted({ev for e in group for ev in e.evidence}, key=_ev_key)
    return Edge(s, t, ty, float(len({(ev.chunk_id, ev.start) for ev in evidence})), evidence)


def _ev_key(e: Evidence) -> tuple[str, int, int, str]:
    return (e.doc_id, e.start, e.end, e.rule)
