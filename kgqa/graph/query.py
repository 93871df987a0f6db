"""The concept graph and its queries: link, concept, search, neighbours, path, ego, related.

Pure in-memory structure; files are read and written by ``store`` (``save``/``load``/
``to_graphml`` are thin wrappers). Edges are directed and typed; ``related`` edges are
co-occurrence. Queries that walk the graph ignore direction but report it.

>>> from kgqa.types import Concept, Edge, Evidence
>>> ev = [Evidence("c", "d", 0, 4, "甲用乙。", "uses")]
>>> concepts = {"a": Concept("a", "A", "甲"), "b": Concept("b", "B", "乙")}
>>> g = ConceptGraph(concepts, [Edge("a", "b", "uses", 1.0, ev)])
>>> [(e.source, e.type, e.target) for e in g.path("甲", "b")]
[('a', 'uses', 'b')]
"""

from __future__ import annotations

import difflib
import heapq
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kgqa.errors import ConceptNotFoundError, InputError
from kgqa.graph.fuzzy import Corrector
from kgqa.graph.lexicon import Lexicon
from kgqa.graph.model import CrossLink
from kgqa.graph.rank import Walk
from kgqa.graph.text import normalise
from kgqa.tuning import COOCCURRENCE, LINKING, RANK
from kgqa.types import Concept, Edge

INVERSE = {
    "part-of": "has-component",
    "has-step": "step-of",
    "followed-by": "preceded-by",
    "uses": "used-by",
    "instance-of": "has-instance",
    "variant-of": "has-variant",
    "technique-for": "has-technique",
    "mitigates": "mitigated-by",
    "contrasts-with": "contrasts-with",
    "related": "related",
}


def surfaces_of(c: Concept) -> list[str]:
    return [s for s in (c.label, c.label_zh, *c.aliases, c.id) if s]


class ConceptGraph:
    def __init__(
        self, concepts: dict[str, Concept], edges: list[Edge], questions: dict[str, list[str]] | None = None,
        links: list[CrossLink] | None = None,
    ) -> None:
        self.concepts = concepts
        self.edges = edges
        self.questions = questions or {}
        self.links = links or []  # names joined through the embedding space (see crosslingual)
        self._walk_matrix: Walk | None = None
        self._chunk_concepts: dict[str, list[str]] | None = None
        self._question_links: dict[str, tuple[str, ...]] = {}
        self._follow_ups: dict[str, str] = {}
        self._related: dict[tuple[tuple[str, ...], int], list[tuple[Concept, str, float, str]]] = {}
        self._corrector: Corrector | None = None  # built on the first link
        self._links: dict[str, tuple[tuple[str, str, int, int], ...]] = {}
        self._named: dict[str, tuple[str, ...]] = {}
        self._lexicon = Lexicon(
            {s: c.id for c in sorted(concepts.values(), key=lambda c: c.id) for s in surfaces_of(c)}
        )
        self._adj: dict[str, list[tuple[Edge, str]]] = {k: [] for k in concepts}
        for e in edges:
            self._adj[e.source].append((e, "out"))
            self._adj[e.target].append((e, "in"))

    # -- persistence (I/O lives in store) ------------------------------------------------
    def save(self, path: Path) -> None:
        from kgqa.graph.store import save_graph

        save_graph(self, path)

    @classmethod
    def load(cls, path: Path) -> ConceptGraph:
        from kgqa.graph.store import load_graph

        return load_graph(path)

    def to_graphml(self, path: Path) -> None:
        from kgqa.graph.store import write_graphml

        write_graphml(self, path)

    # -- lookup ----------------------------------------------------------------------------
    def named_in(self, text: str) -> list[str]:
        """The concepts ``text`` names as written (no typo reading: a document's words are no typos), each once,
        in order. Cited sentences recur from answer to answer, so the result is kept like ``link``'s."""
        cached = self._named.get(text)
        if cached is None:
            if len(self._named) >= LINKING.cache_size:
                self._named.clear()
            cached = self._named[text] = tuple(dict.fromkeys(m.key for m in self._lexicon.link(text)))
        return list(cached)

    def link(self, text: str) -> list[tuple[str, str, int, int]]:
        """Concepts named in ``text``: (id, surface as written, start, end), longest match first; a name typed
        with one typo (``dictionery``, ``知识蒸留``) counts (see ``graph.fuzzy``)."""
        cached = self._links.get(text)
        if cached is not None:
            return list(cached)  # section titles and follow-up questions are linked again and again
        exact = self._lexicon.link(text)
        if self._corrector is None:
            self._corrector = Corrector(self._lexicon.surfaces())
        taken = [(m.start, m.end) for m in exact]
        fixed, index = self._corrector.correct(text, taken)
        found = [(m.key, m.surface, m.start, m.end) for m in exact]
        if fixed != text:
            for m in self._lexicon.link(fixed):
                start, end = index[m.start], index[m.end - 1] + 1
                if not any(a < end and start < b for a, b in taken):
                    found.append((m.key, text[start:end], start, end))
        found.sort(key=lambda m: m[2])
        if len(self._links) >= LINKING.cache_size:
            self._links.clear()
        self._links[text] = tuple(found)
        return found

    def correct(self, text: str) -> str:
        """``text`` with the typos ``link`` reads through replaced by the concept names' words (gmip -> gimp)."""
        if self._corrector is None:
            self._corrector = Corrector(self._lexicon.surfaces())
        return self._corrector.correct(text, [(m.start, m.end) for m in self._lexicon.link(text)])[0]

    def concept(self, id_or_name: str) -> Concept:
        """By id, label, Chinese label or alias (any case/width); else ConceptNotFoundError + suggestions."""
        key = id_or_name.strip()
        if key in self.concepts:
            return self.concepts[key]
        found = self._lexicon.get(key)
        if found:
            return self.concepts[found]
        raise ConceptNotFoundError(id_or_name, [c.id for c in self.search(id_or_name, 5)] or self._close(key))

    def _close(self, name: str) -> list[str]:
        names = {normalise(s): c.id for c in self.concepts.values() for s in surfaces_of(c)}
        return list(
            dict.fromkeys(
                names[m] for m in difflib.get_close_matches(normalise(name), list(names), n=5, cutoff=0.5)
            )
        )

    def search(self, q: str, limit: int = 20) -> list[Concept]:
        """Concepts whose names contain ``q`` (or are named in it), best first; empty ``q``: all."""
        if limit <= 0:
            raise InputError(f"limit must be > 0, got {limit}")
        nq = normalise(q)
        linked = {m[0] for m in self.link(q)}
        scored = []
        for c in self.concepts.values():
            names = [normalise(s) for s in surfaces_of(c)]
            if not nq:
                score = 0
            elif nq in names:
                score = 4
            elif any(n.startswith(nq) for n in names):
                score = 3
            elif any(nq in n for n in names):
                score = 2
            elif c.id in linked:
                score = 1
            else:
                continue
            scored.append((-score, -self.degree(c.id), c.id))
        return [self.concepts[i] for *_, i in sorted(scored)[:limit]]

    # -- structure -------------------------------------------------------------------------
    def degree(self, concept_id: str) -> int:
        return len(self._adj.get(self.concept(concept_id).id, []))

    def neighbours(self, concept_id: str) -> list[tuple[Edge, str]]:
        """(edge, 'out' | 'in') for every edge touching the concept, typed edges first."""
        cid = self.concept(concept_id).id
        return sorted(
            self._adj[cid], key=lambda x: (x[0].type == "related", x[0].type, x[0].source, x[0].target)
        )

    def chunks_for(self, concept_id: str) -> list[str]:
        return list(self.concept(concept_id).chunk_ids)

    def _cost(self, e: Edge) -> float:
        return COOCCURRENCE.related_cost if e.type == "related" else 1.0 - min(len(e.evidence), 5) * 0.01

    def path(self, a: str, b: str) -> list[Edge]:
        """The best explanatory path: fewest stated relations (co-occurrence costs more)."""
        src, dst = self.concept(a).id, self.concept(b).id
        if src == dst:
            return []
        best: dict[str, float] = {src: 0.0}
        back: dict[str, tuple[str, Edge]] = {}
        heap: list[tuple[float, str]] = [(0.0, src)]
        while heap:
            d, u = heapq.heappop(heap)
            if u == dst:
                break
            if d > best.get(u, float("inf")):
                continue
            for e, direction in sorted(self._adj[u], key=lambda x: (x[0].source, x[0].target, x[0].type)):
                v = e.target if direction == "out" else e.source
                nd = d + self._cost(e)
                if nd < best.get(v, float("inf")) - 1e-9:
                    best[v], back[v] = nd, (u, e)
                    heapq.heappush(heap, (nd, v))
        if dst not in back:
            return []
        hops: list[Edge] = []
        node = dst
        while node != src:
            node, e = back[node]
            hops.append(e)
        return hops[::-1]

    def ego(self, concept_id: str, depth: int = 1, limit: int = 50) -> tuple[list[Concept], list[Edge]]:
        """Concepts within ``depth`` hops (nearest, best connected first; ``limit``) and their edges."""
        if depth < 0 or limit <= 0:
            raise InputError(f"depth must be >= 0 and limit > 0, got depth={depth}, limit={limit}")
        start = self.concept(concept_id).id
        dist = {start: 0}
        frontier = [start]
        for level in range(1, depth + 1):
            nxt = []
            for u in frontier:
                for e, d in self._adj[u]:
                    v = e.target if d == "out" else e.source
                    if v not in dist:
                        dist[v] = level
                        nxt.append(v)
            frontier = nxt
        keep = sorted(dist, key=lambda k: (dist[k], -len(self._adj[k]), k))[:limit]
        kept = set(keep)
        edges = [e for e in self.edges if e.source in kept and e.target in kept]
        return [self.concepts[k] for k in keep], edges

    def _walk(self) -> Walk:
        """The weighted graph the ranking walks, as one sparse matrix; built once, on the first question."""
        if self._walk_matrix is None:
            pairs = [(e.source, e.target, e.weight if e.type == "related" else 1.0 + 0.1 * min(len(e.evidence), 5))
                     for e in self.edges]
            self._walk_matrix = Walk(list(self.concepts), pairs)
        return self._walk_matrix

    def related(self, seed_ids: Iterable[str], k: int = 5) -> list[tuple[Concept, str, float, str]]:
        """Concepts to explore next: personalised PageRank on the seeds' neighbourhood (``graph/rank.py``).

        Returns (concept, relation to the nearest seed, score, a follow-up question from the corpus).
        """
        seeds = sorted({self.concept(s).id for s in seed_ids})
        if not seeds or k <= 0:
            return []
        key = (tuple(seeds), k)
        if key not in self._related:
            if len(self._related) > 4096:
                self._related.clear()
            self._related[key] = self._rank_related(seeds, k)
        return list(self._related[key])

    def _rank_related(self, seeds: list[str], k: int) -> list[tuple[Concept, str, float, str]]:
        ranks = self._walk().rank(seeds, RANK.damping, RANK.max_nodes)
        # PageRank favours hubs (Transformer, 大语言模型) whatever the seeds; dividing by sqrt(degree)
        # keeps what is specifically close, and a relation the text states for a seed (what it is, is part of or
        # uses) counts double; stated relations into a seed do not, as a kind has many (module: every module
        # the text names "the X module")
        stated = {e.target for seed in seeds for e, d in self.neighbours(seed) if e.type != "related" and d == "out"}
        adjusted = {cid: score / math.sqrt(max(len(self._adj[cid]), 1)) * (2.0 if cid in stated else 1.0)
                    for cid, score in ranks.items()}
        out: list[tuple[Concept, str, float, str]] = []
        for cid, score in sorted(adjusted.items(), key=lambda x: (-round(x[1], 12), x[0])):
            if len(out) == k:
                break
            if cid in seeds or ranks[cid] < 1e-6 or not self._adj[cid]:
                continue  # below 1e-6 is numerical residue: the concept is not connected to the seeds
            out.append((self.concepts[cid], self._relation(cid, seeds), round(score, 6), self.follow_up(cid)))
        return out + self._mentioned_with(seeds, {c.id for c, *_ in out}, k - len(out))

    def _mentioned_with(self, seeds: list[str], taken: set[str], k: int) -> list[tuple[Concept, str, float, str]]:
        """Concepts named in the same chunks as the seeds, most shared chunks first (for seeds the
        typed graph barely connects)."""
        if k <= 0:
            return []
        if self._chunk_concepts is None:
            index: dict[str, list[str]] = {}
            for cid, c in self.concepts.items():
                for ch in dict.fromkeys(c.chunk_ids):
                    index.setdefault(ch, []).append(cid)
            self._chunk_concepts = index
        seed_chunks = {ch for s in seeds for ch in self.concepts[s].chunk_ids}
        shared = Counter(cid for ch in seed_chunks for cid in self._chunk_concepts.get(ch, [])
                         if cid not in seeds and cid not in taken)
        best = sorted(((n, cid) for cid, n in shared.items()), key=lambda x: (-x[0], x[1]))[:k]
        return [(self.concepts[cid], "mentioned-with", float(n), self.follow_up(cid)) for n, cid in best]

    def _relation(self, cid: str, seeds: list[str]) -> str:
        for e, d in self.neighbours(cid):
            other = e.target if d == "out" else e.source
            if other in seeds:
                return e.type if d == "out" else INVERSE.get(e.type, e.type)
        return "related"

    def follow_up(self, concept_id: str) -> str:
        """A corpus heading or question that names the concept (else one of a chunk that mentions it)."""
        c = self.concept(concept_id)
        if c.id not in self._follow_ups:  # the graph is immutable once built, so each is found once
            self._follow_ups[c.id] = self._find_follow_up(c)
        return self._follow_ups[c.id]

    def _find_follow_up(self, c: Concept) -> str:
        asked = sorted({q for cid in c.chunk_ids for q in self.questions.get(cid, [])})
        naming = [(len(ids), len(q), q) for q in asked if c.id in (ids := self._named_in(q))]
        if naming:
            return min(naming)[2]  # the question most about this concept: fewest other concepts, shortest
        first = next((self.questions[cid] for cid in c.chunk_ids if self.questions.get(cid)), [""])
        return first[0]

    def _named_in(self, question: str) -> tuple[str, ...]:
        """The concept ids linked in a corpus question, one per mention; each question is linked once."""
        if question not in self._question_links:
            self._question_links[question] = tuple(m[0] for m in self.link(question))
        return self._question_links[question]

    def stats_counts(self) -> dict[str, int]:
        """Flat integer counts for an ingest summary: concepts, edges, edges_<type>."""
        s = self.stats()
        return {
            "concepts": s["concepts"],
            "edges": s["edges"],
            "crosslingual_links": s["crosslingual_links"],
            **{f"edges_{t}": n for t, n in s["edges_by_type"].items()},
        }

    def stats(self) -> dict[str, Any]:
        by_type: dict[str, int] = {}
        for e in self.edges:
            by_type[e.type] = by_type.get(e.type, 0) + 1
        bilingual = sum(1 for c in self.concepts.values() if c.label_zh and c.label != c.label_zh)
        return {
            "concepts": len(self.concepts),
            "bilingual_concepts": bilingual,
            "crosslingual_links": len(self.links),
            "edges": len(self.edges),
            "edges_by_type": dict(sorted(by_type.items())),
        }
