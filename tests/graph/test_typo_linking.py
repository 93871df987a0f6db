"""Linking questions with typos (graph.fuzzy) and acronym plurals (graph.lexicon). Made-up names, no corpus."""

from __future__ import annotations

import pytest

from kgqa.graph.fuzzy import Corrector
from kgqa.graph.lexicon import Lexicon
from kgqa.graph.query import ConceptGraph
from kgqa.types import Concept

pytestmark = pytest.mark.unit


def graph(*names: tuple[str, str, str]) -> ConceptGraph:
    return ConceptGraph({cid: Concept(cid, en, zh, [], ["pair"], ["c1"]) for cid, en, zh in names}, [])


G = graph(
    ("dictionary", "dictionary", ""),
    ("label-smoothing", "label smoothing", "标签平滑"),
    ("beam-search", "beam search", "束搜索"),
    ("module", "module", ""),
)


def linked(text: str) -> list[tuple[str, str]]:
    return [(cid, surface) for cid, surface, _, _ in G.link(text)]


def test_one_typo_in_a_word_of_a_name_links_it_with_the_question_s_own_spelling():
    assert linked("what are dictionery keys") == [("dictionary", "dictionery")]
    assert linked("how does label smothing work") == [("label-smoothing", "label smothing")]
    assert linked("束搜素好在哪") == [("beam-search", "束搜素")]


def test_english_words_and_chinese_words_are_never_corrected():
    assert linked("modulo arithmetic") == []  # one edit from "module", but a word of its own
    assert linked("what is a dictionary") == [("dictionary", "dictionary")]
    assert linked("搜索引擎") == []


def test_two_typos_or_a_changed_first_character_are_not_read_as_the_name():
    assert linked("dictoinery") == []
    assert linked("果搜索") == []


def test_corrected_offsets_point_into_the_question():
    fixed, index = Corrector(["dictionary"]).correct("a dictionery!")
    assert fixed == "a dictionary!"
    assert len(index) == len(fixed) and index[-1] == len("a dictionery!") - 1


def test_an_acronym_links_in_the_plural_and_a_function_word_phrase_needs_its_own_words():
    lex = Lexicon({"RNN": "rnn", "while loop": "while-loop"})
    assert [(m.key, m.surface) for m in lex.link("RNNs and RNNsx")] == [("rnn", "RNNs")]
    assert [m.key for m in lex.link("while looping")] == []
    assert [m.key for m in lex.link("a while loop")] == ["while-loop"]


def test_a_four_letter_name_is_corrected_only_for_two_swapped_neighbours():
    c = Corrector(["GIMP", "list", "tuple"])
    assert c.correct("gmip 是啥的缩写")[0] == "gimp 是啥的缩写"
    assert c.correct("lsit or tuple")[0].startswith("list")
    assert c.correct("lost or gimps")[0] == "lost or gimps"  # a substituted or added letter is another word


def test_a_mended_word_keeps_the_case_it_was_typed_in():
    """The dense channel reads the mended question, and the model reads case: GGEL must become GEGL as the
    question without the slip would have written it, not gegl."""
    c = Corrector(["GEGL", "Python", "GIMP"])
    assert c.correct("GGEL 是个什么东西")[0] == "GEGL 是个什么东西"
    assert c.correct("Pyhton or GMIP or gmip")[0] == "Python or GIMP or gimp"
