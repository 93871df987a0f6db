"""The scalable forms of the graph build and the related-concept ranking give what the direct forms give.

``_related`` indexes sentences by (chunk, concept) instead of scanning every linked sentence for every pair, and
``related`` walks a neighbourhood's sparse matrix instead of a whole-graph networkx PageRank per question. The
direct forms are written out here as the specification and compared on the bundled corpus and on small graphs.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgqa.graph import build as gb
from kgqa.graph import build_graph, extract_document, load_glossary
from kgqa.graph.model import Sentence
from kgqa.graph.query import ConceptGraph
from kgqa.graph.termhood import Background, text_counts
from kgqa.ingest.chunk import chunk_document
from kgqa.tuning import COOCCURRENCE
from kgqa.types import Concept, Document, Edge, Evidence

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def direct_related(linked: list[tuple[Sentence, list[str]]], typed: set[frozenset[str]]) -> list[Edge]:
    """The quadratic form: every kept pair scans every linked sentence."""
    chunks: dict[str, set[str]] = {}
    for s, keys in linked:
        chunks.setdefault(s.chunk_id, set()).update(keys)
    n = len(chunks)
    single = Counter(k for ks in chunks.values() for k in ks)
    pair = Counter(frozenset(p) for ks in chunks.values() for p in combinations(sorted(ks), 2))
    out = []
    for p, n_ab in sorted(pair.items(), key=lambda x: sorted(x[0])):
        a, b = sorted(p)
        if n_ab < COOCCURRENCE.min_chunks or p in typed or n_ab == n:
            continue
        npmi = math.log(n * n_ab / (single[a] * single[b])) / -math.log(n_ab / n)
        if npmi < COOCCURRENCE.min_npmi:
            continue
        both_chunks = {s.chunk_id for s, ks in linked if a in ks} & {s.chunk_id for s, ks in linked if b in ks}
        rarer = a if single[a] <= single[b] else b
        picked: dict[str, Sentence] = {}
        for s in [s for s, ks in linked if a in ks and b in ks] + [
            s for s, ks in linked if rarer in ks and s.chunk_id in both_chunks
        ]:
            picked.setdefault(s.chunk_id, s)
        chosen = sorted(picked.values(), key=lambda s: (s.doc_id, s.start))[: COOCCURRENCE.max_evidence]
        out.append(Edge(a, b, "related", round(npmi, 4), [s.evidence("cooccurrence") for s in chosen]))
    return out


@pytest.fixture(scope="module")
def corpus_parts(corpus_docs: dict[str, Document]) -> tuple[list[gb.DocGraph], gb.Glossary]:
    g = load_glossary(CORPUS / "glossary.yaml")
    return [extract_document(d, chunk_document(d).chunks, g) for d in corpus_docs.values()], g


def test_related_edges_equal_the_direct_form_on_the_corpus(corpus_parts) -> None:
    parts, g = corpus_parts
    _, _, lexicon, senses = gb._concepts(sorted(parts, key=lambda p: p.doc_id), g)
    linked = gb._sentence_mentions(sorted(parts, key=lambda p: p.doc_id), lexicon, senses)
    typed = {frozenset(("attention", "softmax"))}
    fast = gb._related(linked, typed)
    assert len(fast) > 20  # the corpus has co-occurrence edges, so the comparison says something
    assert fast == direct_related(linked, typed)


def test_related_edges_equal_the_direct_form_with_repeated_chunks() -> None:
    """Sentences of one chunk id in two documents (a merged duplicate) and pairs named apart in one chunk."""
    def sent(chunk: str, doc: str, start: int, text: str) -> Sentence:
        return Sentence(chunk, doc, start, start + len(text), text)

    linked = [
        (sent("c1", "d1", 0, "甲乙"), ["a", "b"]), (sent("c1", "d1", 5, "乙"), ["b"]),
        (sent("c2", "d1", 9, "甲"), ["a"]), (sent("c2", "d1", 12, "乙丙"), ["b", "c"]),
        (sent("c1", "d0", 3, "甲"), ["a"]), (sent("c3", "d2", 0, "丙"), ["c"]),
        (sent("c4", "d2", 4, "甲丙"), ["a", "c"]), (sent("c5", "d2", 8, "丁"), ["d"]),
    ]
    assert gb._related(linked, set()) == direct_related(linked, set())


def _graph(n: int) -> ConceptGraph:
    """A deterministic sparse graph of ``n`` concepts: a ring, chords chosen by hashes, typed and related edges."""
    ids = [f"c{i:03d}" for i in range(n)]
    concepts = {i: Concept(i, i, i, [], ["heading"], [f"ch{i}"]) for i in ids}
    ev = [Evidence("ch", "d", 0, 1, "x", "r")]
    edges = [Edge(ids[i], ids[(i + 1) % n], "uses", 1.0, ev) for i in range(n)]
    for i in range(n):
        h = hashlib.sha256(str(i).encode()).digest()
        j = h[0] % n
        if j != i:
            edges.append(Edge(ids[i], ids[j], "related", 0.25 + h[1] / 400, ev))
    return ConceptGraph(concepts, edges)


def test_walk_ranks_equal_networkx_pagerank_when_the_component_fits() -> None:
    g = _graph(60)
    nxg = nx.Graph()
    nxg.add_nodes_from(g.concepts)
    for e in g.edges:
        w = e.weight if e.type == "related" else 1.1
        if nxg.has_edge(e.source, e.target):
            w += nxg[e.source][e.target]["weight"]
        nxg.add_edge(e.source, e.target, weight=w)
    walk = g._walk()
    for seeds in (["c000"], ["c007", "c031"]):
        exact = nx.pagerank(nxg, personalization=dict.fromkeys(seeds, 1.0), weight="weight", tol=1e-12)
        local = walk.rank(seeds, 0.85, 1000)
        assert set(local) == set(exact)
        assert max(abs(local[k] - exact[k]) for k in exact) < 1e-8


def test_walk_on_a_large_graph_stays_in_the_neighbourhood() -> None:
    g = _graph(300)
    ranks = g._walk().rank(["c000"], 0.85, 40)
    assert len(ranks) == 40 and "c000" in ranks and "c001" in ranks and "c299" in ranks
    assert max(ranks, key=ranks.__getitem__) == "c000"
    assert sum(ranks.values()) < 1.0  # walks that leave the neighbourhood are dropped, not folded back


def direct_ranking(graph: ConceptGraph, seeds: list[str], k: int) -> list[tuple[str, str]]:
    """The per-question whole-graph form: networkx PageRank, then the shared-chunk fallback over all concepts."""
    nxg = nx.Graph()
    nxg.add_nodes_from(sorted(graph.concepts))
    for e in graph.edges:
        w = e.weight if e.type == "related" else 1.0 + 0.1 * min(len(e.evidence), 5)
        if nxg.has_edge(e.source, e.target):
            w += nxg[e.source][e.target]["weight"]
        nxg.add_edge(e.source, e.target, weight=w)
    ranks = nx.pagerank(nxg, personalization=dict.fromkeys(seeds, 1.0), weight="weight", max_iter=200, tol=1e-10)
    stated = {e.target for s in seeds for e, d in graph.neighbours(s) if e.type != "related" and d == "out"}
    adjusted = {c: r / math.sqrt(max(graph.degree(c), 1)) * (2.0 if c in stated else 1.0) for c, r in ranks.items()}
    out = []
    for cid, _ in sorted(adjusted.items(), key=lambda x: (-round(x[1], 12), x[0])):
        if len(out) == k:
            break
        if cid not in seeds and ranks[cid] >= 1e-6 and graph.neighbours(cid):
            out.append((cid, graph._relation(cid, seeds)))
    seed_chunks = {ch for s in seeds for ch in graph.concepts[s].chunk_ids}
    shared = {c: len(seed_chunks & set(x.chunk_ids)) for c, x in graph.concepts.items()
              if c not in seeds and c not in dict(out)}
    best = sorted(((n, c) for c, n in shared.items() if n), key=lambda x: (-x[0], x[1]))[: k - len(out)]
    return out + [(c, "mentioned-with") for _, c in best]


def test_related_on_the_corpus_graph_equals_whole_graph_pagerank(corpus_parts) -> None:
    parts, g = corpus_parts
    graph = build_graph(parts, g)
    assert len(graph.concepts) < 2000  # smaller than the neighbourhood cap: the ranking must be the same
    linked = sorted(graph.concepts)
    seed_sets = [[c] for c in linked[::7]] + [[a, b] for a, b in zip(linked[::11], linked[5::11], strict=False)]
    for seeds in seed_sets:
        got = [(c.id, rel) for c, rel, *_ in graph.related(seeds, 5)]
        assert got == direct_ranking(graph, sorted(set(seeds)), 5), seeds


@given(st.text(alphabet="哈注意力ab ", max_size=60), st.lists(st.text(alphabet="哈注意力ab ", min_size=1, max_size=4)))
@settings(max_examples=300, deadline=None)
def test_text_counts_equal_str_count(text: str, names: list[str]) -> None:
    assert text_counts(text, names) == {n: text.count(n) for n in names}


def test_primed_background_keeps_the_same_terms(corpus_parts) -> None:
    parts, _ = corpus_parts
    bg = Background.of(s.text for p in parts for s in p.sentences)
    names = [t.zh or t.en for p in parts for t in p.terms]
    primed = bg.primed(names)
    assert len(primed.known) > 50
    assert [bg.count(n) for n in names] == [primed.count(n) for n in names]
