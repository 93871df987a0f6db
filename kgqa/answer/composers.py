"""The two ways an answer is written from retrieved passages, behind one small protocol.

``ExtractiveComposer`` quotes the sentences that answer each part (``answer/compose.py`` scores and grows
them); ``LLMComposer`` has a chat model write the answer and keeps only citations it can check.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Protocol

from kgqa.answer.cite import render
from kgqa.answer.compose import pick_sentences, score_candidates
from kgqa.answer.decide import PartResult, SentenceScorer
from kgqa.answer.graph_answer import is_comparison
from kgqa.answer.llm import llm_answer
from kgqa.ingest.sentences import Sentence
from kgqa.tuning import COMPOSE
from kgqa.types import Citation, Hit


class Part(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def resolved(self) -> str: ...

    @property
    def keyword_text(self) -> str: ...

    @property
    def read(self) -> str: ...

    @property
    def concepts(self) -> list[str]: ...


class Composer(Protocol):
    def compose(self, question: str, parts: Sequence[Part], results: Sequence[PartResult],
                language: str) -> tuple[str, list[Citation]]: ...


class ExtractiveComposer:
    """``chunks_naming(concept_id)``: the chunks that name a concept (the concept graph's), which lets a
    comparison be answered from a passage that names both things compared."""

    def __init__(self, sentences: Mapping[str, list[Sentence]], sentence_scores: SentenceScorer,
                 titles: Mapping[str, str], tokenize: Callable[[str], list[str]],
                 chunks_naming: Callable[[str], Collection[str]] | None = None) -> None:
        self.sentences = sentences
        self.sentence_scores = sentence_scores
        self.titles = titles
        self.tokenize = tokenize
        self.chunks_naming = chunks_naming

    def compose(self, question: str, parts: Sequence[Part], results: Sequence[PartResult],
                language: str) -> tuple[str, list[Citation]]:
        picked = []
        for i, (part, r) in enumerate(zip(parts, results, strict=True)):
            hits = self._comparing_first(part, r.hits)
            sims = self.sentence_scores.scores(r.query_vector, [h.chunk.chunk_id for h in hits])
            # the question as retrieval read it: a filler or a typo must not change the sentence quoted
            scored = score_candidates(part.read or part.resolved, part.keyword_text, hits, self.sentences, sims,
                                      self.tokenize)
            picked += pick_sentences(i, scored, self.sentences, part.text)
        return render(picked, [p.text for p in parts], self.titles, language)

    def _comparing_first(self, part: Part, hits: Sequence[Hit]) -> Sequence[Hit]:
        """For a comparison of concepts ("list vs tuple", 「X 和 Y 有什么区别」), the best of the top passages that
        names every concept of the question goes first: a passage about one of them cannot tell how they differ."""
        if self.chunks_naming is None or not is_comparison(part.read or part.text):
            return hits
        concepts = list(dict.fromkeys(part.concepts))
        if len(concepts) < 2:
            return hits
        every = set.intersection(*(set(self.chunks_naming(c)) for c in concepts))
        first = next((h for h in hits[: COMPOSE.comparison_window] if h.chunk.chunk_id in every), None)
        if first is None or first is hits[0]:
            return hits
        return [first, *[h for h in hits if h is not first]]


class LLMComposer:
    def __init__(self, chat_model: Any, sentences: Mapping[str, list[Sentence]], titles: Mapping[str, str],
                 tokenize: Callable[[str], list[str]], k: int) -> None:
        self.chat_model = chat_model
        self.sentences = sentences
        self.titles = titles
        self.tokenize = tokenize
        self.k = k

    def compose(self, question: str, parts: Sequence[Part], results: Sequence[PartResult],
                language: str) -> tuple[str, list[Citation]]:
        hits = [h for r in results for h in r.hits][: self.k]
        checked = llm_answer(self.chat_model, question, hits, self.sentences, self.titles, self.tokenize, language)
        return checked.text, checked.citations
