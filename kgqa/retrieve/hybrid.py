"""Question -> ranked hits: dense (vector store) + BM25 + graph channel, fused by RRF.

The retriever only sees the ``VectorBackend`` protocol, a BM25 scorer and a list of chunks, so a different
vector backend drops in without touching this module. A shared backend may hold rows of another index
generation (a build running beside the server); ids this generation does not know are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kgqa.errors import InputError
from kgqa.index.backends import Kind, VectorBackend
from kgqa.index.bm25 import BM25Index
from kgqa.index.embed import Embedder
from kgqa.retrieve.fusion import drop_near_duplicates, rrf
from kgqa.tuning import RETRIEVAL
from kgqa.types import Chunk, Hit


@dataclass
class Channels:
    """Ranked chunk ids per channel with their raw scores, for fusion and --explain."""

    ranked: dict[str, list[str]] = field(default_factory=dict)
    raw: dict[str, dict[str, float]] = field(default_factory=dict)
    muted: set[str] = field(default_factory=set)  # channels shown by --explain that do not vote this time

    def add(self, name: str, scored: Sequence[tuple[str, float]]) -> None:
        self.ranked[name] = [i for i, _ in scored]
        self.raw[name] = dict(scored)


def check_query(query: str, k: int, max_chars: int = 2000) -> str:
    q = (query or "").strip()
    if not q:
        raise InputError("query is empty; ask a question, e.g. 什么是自注意力机制？")
    if len(q) > max_chars:
        raise InputError(f"query is {len(q)} characters, over the limit of {max_chars}; shorten it.")
    if k <= 0:
        raise InputError(f"k must be > 0, got {k}")
    return q


class HybridRetriever:
    def __init__(
        self,
        chunks: Sequence[Chunk],
        vectors: VectorBackend,
        bm25: BM25Index,
        embedder: Embedder,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self.chunks = list(chunks)
        self.by_id = {c.chunk_id: c for c in self.chunks}
        self.vectors = vectors
        self.bm25 = bm25
        self.embedder = embedder
        self.weights = dict(weights or {})
        self.hubness: dict[str, float] = {}

    def set_hubness(self, probe_vectors: np.ndarray, weight: float) -> None:
        """Penalise hub passages: some passages (long feature lists, tables of contents) are close to every
        question, and take the top of the dense ranking from the passage that answers. A passage's hubness is
        its mean similarity to unrelated probe questions, centred on the corpus mean; the dense score loses
        ``weight`` times it (CSLS's correction, with probes standing in for the query distribution)."""
        n = len(self.chunks)
        if not n or not len(probe_vectors):
            self.hubness = {}
            return
        total: dict[str, float] = {}
        for v in probe_vectors:
            for cid, score in self._search(v, n):
                total[cid] = total.get(cid, 0.0) + score
        mean = {cid: t / len(probe_vectors) for cid, t in total.items()}
        centre = sum(mean.values()) / len(mean)
        self.hubness = {cid: weight * (m - centre) for cid, m in mean.items()}

    def _search(self, vector: np.ndarray, n: int, kind: Kind = "chunk") -> list[tuple[str, float]]:
        return [(cid, s) for cid, s in self.vectors.search(vector, n, kind) if cid in self.by_id]

    def _dense(self, vector: np.ndarray) -> list[tuple[str, float]]:
        if not self.hubness:
            return self._search(vector, RETRIEVAL.candidates)
        found = self._search(vector, 2 * RETRIEVAL.candidates)
        rescored = [(cid, round(s - self.hubness.get(cid, 0.0), 4)) for cid, s in found]
        return sorted(rescored, key=lambda t: -t[1])[:RETRIEVAL.candidates]

    def dense(self, text: str, n: int = RETRIEVAL.candidates) -> list[tuple[str, float]]:
        return self._search(self.embedder.embed([text], kind="query")[0], n)

    def keyword(self, text: str, n: int = RETRIEVAL.candidates) -> list[tuple[str, float]]:
        return self._top(self.bm25.scores(text), n)

    def _top(self, scores: np.ndarray, n: int = RETRIEVAL.candidates) -> list[tuple[str, float]]:
        """The n best chunks by a score per chunk (in chunk order); zero scores do not count."""
        if not scores.size:
            return []
        top = np.argsort(-scores, kind="stable")[:n]
        return [(self.chunks[i].chunk_id, round(float(scores[i]), 4)) for i in top if scores[i] > 0]

    def channels_from_vector(
        self, vector: np.ndarray, keyword_text: str, graph_ranked: Sequence[tuple[str, float]] = ()
    ) -> Channels:
        ch = Channels()
        ch.add("dense", self._dense(vector))
        # what each chunk answers (its question or heading); a negative similarity is no vote
        units = self._search(vector, RETRIEVAL.candidates, "unit")
        ch.add("question", [(cid, round(s, 4)) for cid, s in units if s > 0])
        scores = self.bm25.scores(keyword_text)
        ch.add("bm25", self._top(scores))
        if scores.size and self.bm25.coverage(keyword_text, int(np.argmax(scores))) < RETRIEVAL.bm25_min_coverage:
            # its best passage holds little of what the question names (a question in the other language of a
            # bilingual corpus shares only common words with it): a ranking by chance, so it does not vote
            ch.muted.add("bm25")
        if graph_ranked:
            ch.add("graph", [(i, s) for i, s in graph_ranked if i in self.by_id][:RETRIEVAL.candidates])
        return ch

    def fuse(self, ch: Channels, k: int) -> list[Hit]:
        weights = {name: (0.0 if name in ch.muted else w) for name, w in self.weights.items()}
        fused = [(i, s) for i, s in rrf(ch.ranked, weights=weights) if s > 0]
        order = drop_near_duplicates([(i, self.by_id[i].text) for i, _ in fused[: max(3 * k, 20)]])
        score = dict(fused)
        hits = []
        for cid in order[:k]:
            per = {name: raw[cid] for name, raw in ch.raw.items() if cid in raw}
            per["fused"] = round(score[cid], 6)
            hits.append(Hit(self.by_id[cid], round(score[cid], 6), per))
        return hits

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Dense + BM25 on the raw query (no graph); see ``kgqa.retrieve.engine`` for the full pipeline."""
        q = check_query(query, k)
        return self.fuse(self.channels_from_vector(self.embedder.embed([q], kind="query")[0], q), k)
