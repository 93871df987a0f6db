"""The decision reads the question as retrieval read it: a typo or a filler changes neither its key terms nor
its word coverage; a Chinese word one character short of a corpus word is a typo, not an unknown term."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest

from kgqa.answer.abstain import Coverage, assess_terms, is_short_of_known
from kgqa.answer.decide import Floors, Judge
from kgqa.index.bm25 import tokenize
from kgqa.types import Chunk, Hit

pytestmark = pytest.mark.unit

DOC = "Transformer 的解码器块包含自注意力机制和前馈网络。本手册的简体中文版由志愿者翻译。"
COVERAGE = Coverage(DOC.lower(), frozenset(tokenize(DOC)))


@pytest.mark.parametrize(("word", "short"), [
    ("解器", True),  # a keyword of the corpus, 解码器, with its middle character left out
    ("简体文版", True),  # a run of the corpus text, 简体中文版, one character short
    ("解码", False),  # the last character left out is no slip of this kind
    ("池化层", False),  # a word the corpus does not write at all
    ("器块", False),
])
def test_a_word_one_character_short_of_a_corpus_word(word: str, short: bool) -> None:
    assert is_short_of_known(word, COVERAGE) is short


def test_a_dropped_character_makes_no_unknown_term() -> None:
    assert assess_terms("transformer 的解器块里都有什么组件", [], COVERAGE).unknown == ()
    assert "池化层" in assess_terms("transformer 的池化层有什么用", [], COVERAGE).unknown


class NoConcepts:
    def link(self, text: str) -> list[tuple[str, str, int, int]]:
        return []


class Scores:
    def scores(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> Mapping[str, np.ndarray]:
        return {cid: np.array([0.9]) for cid in chunk_ids}


@dataclass
class Result:
    hits: Sequence[Hit]
    query_vector: np.ndarray


EN_DOC = "To create a virtual environment, run the venv module as a script."
EN = Coverage(EN_DOC.lower(), frozenset(tokenize(EN_DOC)))


def test_key_terms_and_word_coverage_are_read_from_the_mended_question() -> None:
    chunk = Chunk("c1", "d", 0, len(EN_DOC), EN_DOC)
    judge = Judge(NoConcepts(), EN, Scores(), tokenize, Floors(None, None))
    results = [Result([Hit(chunk, 1.0)], np.zeros(2))]
    asked = "how do i create a vitraul environment"
    as_asked = judge.signals(asked, 0, results, "en")
    as_read = judge.signals(asked, 0, results, "en", read="how do i create a virtual environment")
    assert as_asked.terms.unknown == ("vitraul",) and as_read.terms.unknown == ()
    assert as_read.word_coverage > as_asked.word_coverage


@dataclass
class Part:
    text: str
    resolved: str
    keyword_text: str
    read: str
    concepts: list[str] = field(default_factory=list)


def test_the_composer_scores_sentences_against_the_question_as_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import kgqa.answer.composers as composers

    seen: list[str] = []

    def score(question: str, *args: object) -> list[object]:
        seen.append(question)
        return []

    monkeypatch.setattr(composers, "score_candidates", score)
    composer = composers.ExtractiveComposer({}, Scores(), {}, tokenize)
    part = Part("gmip 是啥的缩写啊", "gmip 是啥的缩写啊", "gimp 是什么的缩写", "gimp 是什么的缩写")
    composer.compose(part.text, [part], [Result([], np.zeros(2))], "zh")
    assert seen == ["gimp 是什么的缩写"]
