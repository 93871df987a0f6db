"""Graded abstention: answer, answer with a caveat, or refuse, from signals that transfer across corpora.

Signals (all computed per question, none depends on the corpus):

- **key terms** (``abstain.assess_terms``): the question's terms the corpus knows and those it never
  mentions. Ordinary words (网速, weather) are not key terms; a typo of a known word is known;
- **word coverage**: the share of the question's content words found in the best passage;
- **linked concepts**: how many concepts of the graph the question names;
- **similarity**: the best sentence cosine, compared with a floor calibrated for the default model only.

A release the corpus never names (GIMP 3.0, python 3.13): refuse, whatever it says of other releases. Unknown
key terms that dominate the question, with passages that do not match the rest, mean the corpus is
about something else: refuse. Unknown terms beside a question the passages do match: answer what is there and
say what is missing. With no unknown term, refuse only when nothing else speaks for the passages: no linked
concept, little word coverage and a similarity under the floor.

>>> from kgqa.answer.abstain import TermCheck
>>> decide(Signals(TermCheck(("剪枝",), ()), 1, 0.9, 0.8), Floors(0.8, 0.83)).outcome
'answer'
>>> d = decide(Signals(TermCheck(("transformer",), ("Kubernetes",)), 1, 0.85, 0.5), Floors(0.8, 0.83))
>>> d.outcome, d.missing
('caveat', ('Kubernetes',))
>>> decide(Signals(TermCheck((), ("RLHF",)), 0, 0.86, 0.0), Floors(0.8, 0.83)).outcome
'refused'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from kgqa.answer.abstain import FRAMING_NOUNS, TermCheck, assess_terms
from kgqa.answer.slips import Coverage
from kgqa.tuning import DECIDE, PROBES
from kgqa.types import Hit


class PartResult(Protocol):
    """One question part's retrieval result, as the retrieve stage returns it."""

    @property
    def hits(self) -> Sequence[Hit]: ...

    @property
    def query_vector(self) -> np.ndarray: ...


@dataclass(frozen=True)
class Floors:
    """Best-sentence cosine floors; None where the model has no calibration. ``unrelated`` is, per question
    language, the best similarity an unrelated question reaches in this knowledge base (``probe_floor``)."""

    min_similarity: float | None
    min_similarity_unlinked: float | None
    unrelated: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Signals:
    terms: TermCheck
    linked_concepts: int
    top_similarity: float | None
    word_coverage: float
    language: str = "zh"
    chinese_corpus: bool = True
    # every known term of the question is the corpus's subject, and the best passage holds little of its other
    # words (``Judge.about_subject_only``)
    subject_only: bool = False


@dataclass(frozen=True)
class Decision:
    outcome: str  # answer | caveat | refused
    missing: tuple[str, ...] = ()
    reason: str = ""


def word_coverage(question_tokens: Sequence[str], passage_tokens: Sequence[str]) -> float:
    """Share of the question's content words (two characters or more, framing nouns aside) in the passage.

    >>> word_coverage(["剪枝", "作用", "模型"], ["模型", "剪枝", "权重"])
    1.0
    """
    words = {t for t in question_tokens if len(t) > 1 and t not in FRAMING_NOUNS}
    if not words:
        return 0.0
    have = set(passage_tokens)
    return sum(1 for w in words if w in have) / len(words)


def best_coverage(question: str, passages: Sequence[str], tokenize: Callable[[str], list[str]]) -> float:
    q = tokenize(question)
    return max((word_coverage(q, tokenize(p)) for p in passages), default=0.0)


def decide(signals: Signals, floors: Floors) -> Decision:
    """The outcome for one question (see the module docstring for the rules)."""
    s = signals
    if s.top_similarity is None:
        return Decision("refused", reason="no passage")
    covered = s.word_coverage >= DECIDE.min_word_coverage
    if s.terms.releases:
        # a question about a release the corpus never names (GIMP 3.0 when it describes 2.0 to 2.6): whatever
        # the passages say of the other releases does not answer it
        return Decision("refused", s.terms.releases, "the question is about a release the corpus never mentions")
    if s.terms.unknown:
        if s.subject_only:
            return Decision("refused", s.terms.unknown, "the question's only known words are the corpus's subject")
        if s.terms.unknown_share >= DECIDE.refuse_unknown_share and not covered:
            return Decision("refused", s.terms.unknown, "the question is about terms the corpus never mentions")
        if not s.terms.known and s.linked_concepts == 0 and not covered:
            return Decision("refused", s.terms.unknown, "nothing of the question is in the corpus")
        return Decision("caveat", s.terms.unknown, "answered without some of the question's terms")
    if s.chinese_corpus and s.language == "zh" and not s.terms.known and s.linked_concepts == 0 \
            and s.word_coverage == 0:
        # a Chinese question about a Chinese corpus shares no word with it: nothing of it is there
        return Decision("refused", reason="no word of the question is in the corpus")
    unrelated = floors.unrelated.get(s.language)
    if not s.terms.known and s.linked_concepts == 0 and not covered and unrelated is not None \
            and s.top_similarity < unrelated + PROBES.margin:
        return Decision("refused", reason="no closer to the corpus than an unrelated question")
    if s.linked_concepts == 0 and not covered and floors.min_similarity_unlinked is not None \
            and s.top_similarity < floors.min_similarity_unlinked:
        return Decision("refused", reason="no concept, few words and low similarity")
    if floors.min_similarity is not None and s.top_similarity < floors.min_similarity:
        return Decision("refused", reason="similarity under the floor")
    return Decision("answer")


class SentenceScorer(Protocol):
    def scores(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> Mapping[str, np.ndarray]:
        """Chunk id -> the similarity of each of its sentences to ``vector``, in reading order."""
        ...


class Linker(Protocol):
    def link(self, text: str) -> list[tuple[str, str, int, int]]: ...


class Judge:
    """Computes the signals of one question from its retrieval results, then decides."""

    def __init__(self, graph: Linker, coverage: Coverage, sentence_scores: SentenceScorer,
                 tokenize: Callable[[str], list[str]], floors: Floors) -> None:
        self.graph = graph
        self.coverage = coverage
        self.sentence_scores = sentence_scores
        self.tokenize = tokenize
        self.floors = floors

    def signals(self, question: str, linked_concepts: int, results: Sequence[PartResult],
                language: str = "zh", read: str | None = None) -> Signals:
        """``read``: the question as retrieval read it (typos mended, fillers dropped); its key terms and word
        coverage are read from it, so that a typo or a filler changes neither."""
        asked = read or question
        terms = assess_terms(asked, [(s, e) for _, _, s, e in self.graph.link(asked)], self.coverage)
        sims = [float(np.max(scores)) for r in results
                for scores in self.sentence_scores.scores(r.query_vector, [h.chunk.chunk_id for h in r.hits]).values()
                if len(scores)]
        passages = [r.hits[0].chunk.index_text() for r in results if r.hits]
        subject_only = bool(terms.unknown) and self.about_subject_only(asked, terms, passages)
        return Signals(terms, linked_concepts, max(sims, default=None),
                       best_coverage(asked, passages, self.tokenize), language,
                       self.coverage.is_chinese, subject_only)

    def about_subject_only(self, asked: str, terms: TermCheck, passages: Sequence[str]) -> bool:
        """Whether every known term of the question is the corpus's subject (``Coverage.subject``) and the best
        passage holds under ``DECIDE.min_word_coverage`` of the question's other words: beside its unknown terms,
        nothing of the question is in the corpus."""
        subject = self.coverage.subject
        if not subject or not terms.known:
            return False

        def of_subject(word: str) -> bool:
            words = self.tokenize(word)
            return bool(words) and all(w in subject for w in words)

        if not all(of_subject(k) for k in terms.known):
            return False
        rest = [t for t in self.tokenize(asked) if not of_subject(t)]
        best = max((word_coverage(rest, self.tokenize(p)) for p in passages), default=0.0)
        return best < DECIDE.min_word_coverage

    def names_subject(self, text: str) -> bool:
        """Whether ``text`` names a concept or a key term, known to the corpus or not (chit-chat tells a remark
        from a question by it)."""
        if self.graph.link(text):
            return True
        terms = assess_terms(text, [], self.coverage)
        return bool(terms.known or terms.unknown)

    def decide(self, question: str, linked_concepts: int, results: Sequence[PartResult],
               language: str = "zh", read: str | None = None) -> Decision:
        return decide(self.signals(question, linked_concepts, results, language, read), self.floors)

    def calibrate(self, retrieve: Callable[[str], Sequence[PartResult]]) -> None:
        """Ask the probe questions (``kgqa.tuning.PROBES``) and keep the best similarity they reach."""
        unrelated = {}
        for language, probes in (("zh", PROBES.zh), ("en", PROBES.en)):
            sims = [self.signals(q, 0, retrieve(q), language).top_similarity for q in probes]
            found = [x for x in sims if x is not None]
            if found:
                unrelated[language] = max(found)
        self.floors = Floors(self.floors.min_similarity, self.floors.min_similarity_unlinked, unrelated)
