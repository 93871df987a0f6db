"""What an answer is about: the question's concepts first, then those its cited sentences name."""

from __future__ import annotations

import pytest

from kgqa.answer.related import answer_concepts
from kgqa.types import Citation

pytestmark = pytest.mark.unit


class Names:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def named_in(self, text: str) -> list[str]:
        return list(dict.fromkeys(cid for name, cid in self.table.items() if name in text))


def cite(n: int, quote: str) -> Citation:
    return Citation(n, f"c{n}", "d", "D", "", quote, 0, len(quote), 1.0)


GRAPH = Names({"tuple": "tuple", "list": "list", "sequence": "sequence", "slice": "slice", "index": "index"})


def test_a_question_that_names_no_concept_is_about_what_its_citations_name():
    cites = [cite(1, "A tuple is a sequence."), cite(2, "A list is mutable; a tuple is not.")]
    assert answer_concepts(GRAPH, [], cites, 5) == ["tuple", "sequence", "list"]


def test_the_question_concepts_come_first_and_the_cap_holds():
    cites = [cite(1, "A list, a slice, an index, a sequence and a tuple.")]
    assert answer_concepts(GRAPH, ["tuple"], cites, 3) == ["tuple", "list", "sequence"]
    assert answer_concepts(GRAPH, ["a", "b", "c"], cites, 2) == ["a", "b", "c"]  # never fewer than asked
    assert answer_concepts(GRAPH, ["tuple"], [], 5) == ["tuple"]
