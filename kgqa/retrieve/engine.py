"""The full retrieval pipeline: analyse the question, run dense + BM25 + graph channels per part, fuse.

Also offered as a langchain ``BaseRetriever``: ``kgqa.retrieve.langchain_retriever.KgqaRetriever``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from kgqa.retrieve.analyse import ConceptLinker, QueryPart, QueryPlan, analyse, check_history
from kgqa.retrieve.hybrid import HybridRetriever, check_query
from kgqa.retrieve.langchain_retriever import KgqaRetriever  # noqa: F401  (still importable from here)
from kgqa.retrieve.normalise import Speller
from kgqa.tuning import RETRIEVAL
from kgqa.types import Hit


class ConceptIndex(ConceptLinker, Protocol):
    def chunks_for(self, concept_id: str) -> list[str]: ...

    def neighbours(self, concept_id: str) -> list[Any]: ...


@dataclass
class PartResult:
    part: QueryPart
    hits: list[Hit]
    query_vector: np.ndarray


def graph_ranking(graph: ConceptIndex, concepts: Sequence[str], n_chunks: int,
                  n: int = RETRIEVAL.candidates) -> list[tuple[str, float]]:
    """The ``n`` best chunks mentioning the linked concepts (weight by rarity, log N/df) or, less, their typed
    neighbours."""
    scores: dict[str, float] = {}

    def credit(cid: str, weight: float) -> None:
        ids = graph.chunks_for(cid)
        if not ids:
            return
        idf = math.log(1 + n_chunks / len(ids))
        for chunk_id in ids:
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight * idf

    for cid in concepts:
        credit(cid, 1.0)
        for edge, _direction in graph.neighbours(cid):
            if edge.type != "related":
                other = edge.target if edge.source == cid else edge.source
                credit(other, RETRIEVAL.neighbour_weight)
    # a hub concept names thousands of chunks: keep the best n without sorting (or rounding) them all; scores
    # within 1e-4 of the n-th may round level with it, so they stay candidates and ties break by id as before
    top = heapq.nlargest(n, scores.values())
    floor = top[-1] - 1e-4 if len(top) == n else float("-inf")
    best = sorted((-round(v, 4), k) for k, v in scores.items() if v >= floor)[:n]
    return [(k, -v) for v, k in best]


class Engine:
    def __init__(self, retriever: HybridRetriever, graph: ConceptIndex, max_question_chars: int = 2000) -> None:
        self.retriever = retriever
        self.graph = graph
        self.max_question_chars = max_question_chars
        self.speller = Speller(retriever.bm25.vocabulary())

    def plan(self, question: str, history: Sequence[object] | None = None, k: int = 5) -> QueryPlan:
        q = check_query(question, k, self.max_question_chars)
        return analyse(q, check_history(history), self.graph, self.speller.correct)

    def run_part(self, part: QueryPart, qvec: np.ndarray, k: int) -> PartResult:
        r = self.retriever
        ch = r.channels_from_vector(qvec, part.keyword_text, graph_ranking(self.graph, part.concepts, len(r.chunks)))
        return PartResult(part, r.fuse(ch, k), qvec)

    def retrieve(self, plan: QueryPlan, k: int = 5) -> list[PartResult]:
        # one forward pass for all parts: most of a question's latency is the query embedding
        vectors = self.retriever.embedder.embed([p.dense_text for p in plan.parts], kind="query")
        return [self.run_part(p, v, k) for p, v in zip(plan.parts, vectors, strict=True)]

    def search(self, question: str, k: int = 5, history: Sequence[object] | None = None) -> list[Hit]:
        """Hits for the whole question: parts interleaved, best first, each chunk once."""
        results = self.retrieve(self.plan(question, history, k), k)
        seen: dict[str, Hit] = {}
        for rank in range(k):
            for res in results:
                if rank < len(res.hits) and res.hits[rank].chunk.chunk_id not in seen:
                    seen[res.hits[rank].chunk.chunk_id] = res.hits[rank]
        return list(seen.values())[:k]

