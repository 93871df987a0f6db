"""A comparison of two concepts is answered from the best of the top passages that names both."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from kgqa.answer.composers import ExtractiveComposer
from kgqa.answer.graph_answer import is_comparison
from kgqa.index.bm25 import tokenize
from kgqa.types import Chunk, Hit

pytestmark = pytest.mark.unit


@dataclass
class Part:
    text: str
    concepts: list[str] = field(default_factory=list)
    resolved: str = ""
    keyword_text: str = ""
    read: str = ""


def hits(*ids: str) -> list[Hit]:
    return [Hit(Chunk(i, "d", 0, 1, "x"), 1.0 - n / 10) for n, i in enumerate(ids)]


NAMING = {"list": {"a", "c", "d"}, "tuple": {"b", "d"}}
COMPOSER = ExtractiveComposer({}, None, {}, tokenize, lambda cid: NAMING.get(cid, set()))  # type: ignore[arg-type]


@pytest.mark.parametrize("question", ["list vs tuple?", "list 和 tuple 有什么区别",
                                      "how is a list different from a tuple"])
def test_the_passage_naming_both_goes_first(question: str) -> None:
    assert is_comparison(question)
    order = [h.chunk.chunk_id for h in COMPOSER._comparing_first(Part(question, ["list", "tuple"]), hits(*"abcde"))]
    assert order == ["d", "a", "b", "c", "e"]


def test_other_questions_and_single_concepts_keep_retrieval_s_order() -> None:
    top = hits(*"abcde")
    assert COMPOSER._comparing_first(Part("what is a list and a tuple", ["list", "tuple"]), top) == top
    assert COMPOSER._comparing_first(Part("list vs arrays", ["list"]), top) == top
    assert COMPOSER._comparing_first(Part("list vs tuple", ["list", "tuple"]), hits(*"abc")) == hits(*"abc")
    assert not is_comparison("比如说 list 怎么用")


def test_the_composer_uses_the_comparing_passage(monkeypatch: pytest.MonkeyPatch) -> None:
    import kgqa.answer.composers as composers

    class Scores:
        def scores(self, vector: np.ndarray, chunk_ids: list[str]) -> dict[str, np.ndarray]:
            seen.append(chunk_ids)
            return {}

    seen: list[list[str]] = []
    monkeypatch.setattr(composers, "score_candidates", lambda *a: [])
    composer = ExtractiveComposer({}, Scores(), {}, tokenize, lambda cid: NAMING.get(cid, set()))

    @dataclass
    class Result:
        hits: list[Hit]
        query_vector: np.ndarray

    composer.compose("list vs tuple", [Part("list vs tuple", ["list", "tuple"])], [Result(hits(*"abcd"), np.zeros(2))],
                     "en")
    assert seen == [["d", "a", "b", "c"]]


def test_every_concept_of_the_question_must_be_named() -> None:
    naming = {"string": {"a", "b", "c"}, "substitute": {"b", "c"}, "safe": {"c"}}
    composer = ExtractiveComposer({}, None, {}, tokenize, lambda cid: naming.get(cid, set()))  # type: ignore[arg-type]
    part = Part("string.Template: substitute() vs safe_substitute()?", ["string", "substitute", "safe"])
    assert [h.chunk.chunk_id for h in composer._comparing_first(part, hits(*"abcd"))] == ["c", "a", "b", "d"]
