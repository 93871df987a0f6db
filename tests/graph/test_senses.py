"""A code name that is also an English word: the graph finds it where the text writes the code, not the word.
Made-up texts, no corpus."""

from __future__ import annotations

import pytest

from kgqa.graph import Glossary, build_graph, extract_document
from kgqa.graph.concepts import Draft
from kgqa.graph.naming import measure_unit
from kgqa.graph.senses import CodeSense, code_sense, inflections
from kgqa.graph.termhood import Background
from tests.graph.test_marked_terms import _doc

pytestmark = pytest.mark.unit


def _graph(paragraphs):
    doc, chunks = _doc(paragraphs)
    return build_graph([extract_document(doc, chunks, Glossary())], Glossary())


def test_a_verb_set_as_code_is_found_only_where_it_is_code():
    graph = _graph(
        [
            ("Call write() to store the text of the file.", [("write()", "code")]),
            ("Then call write() again to add more.", [("write()", "code")]),
            ("It is good practice to comment the code that you write.", []),
            ("Writing tests first helps; the author writes them daily.", []),
        ]
    )
    write = graph.concepts["write"]
    assert write.label == "write()"
    assert write.chunk_ids == ["c0", "c1"]  # not the chunks of the English verb


def test_a_word_the_text_uses_as_a_noun_keeps_its_prose_uses():
    graph = _graph(
        [
            ("The list() constructor builds a list.", [("list()", "code")]),
            ("Append items to the list, then sort the list.", []),
            ("A list is mutable; the list.", []),
            ("He listed them.", []),
        ]
    )
    assert graph.concepts["list"].chunk_ids == ["c0", "c1", "c2", "c3"]  # every use, "listed" too


def test_a_capitalised_code_name_is_found_as_written_and_the_lower_case_word_is_english():
    text = "Set the level to DEBUG for debugging. Debug output is verbose."
    sense = code_sense(["DEBUG"], Background.of([text]))
    assert sense == CodeSense("debug", frozenset({"DEBUG"}))
    at = [(i, i + 5) for i in (text.index("DEBUG"), text.index("Debug"))]
    assert [sense.admits(text, a, b) for a, b in at] == [True, False]


def test_names_that_are_no_english_verb_keep_every_use():
    bg = Background.of(["Run pip to install; pip keeps a cache. The deque grows; repr shows it."])
    assert code_sense(["pip"], bg) is None  # never inflected as a verb
    assert code_sense(["deque"], bg) is None  # jargon
    assert code_sense(["sys.path"], bg) is None  # a dotted name
    assert code_sense(["match"], Background.of(["The match statement; if it matches"])) is not None


def test_inline_code_spans_are_code_whatever_follows():
    sense = CodeSense("return", frozenset())
    text = "Use return with a value; it returns."
    assert sense.admits(text, 4, 10, code=[(4, 10)])
    assert not sense.admits(text, 4, 10)
    assert not sense.admits(text, 28, 35)
    assert inflections("write") == ["writes", "writed", "writing"]


def test_a_unit_after_numbers_is_no_concept_and_a_format_name_is():
    bg = Background.of(["GIMP needs 17 MB of memory for a PNG image.", "A 100MB PNG loads slowly; MB counts."])
    assert measure_unit(Draft("mb", "MB", ""), bg)  # two of three uses after a number
    assert not measure_unit(Draft("png", "PNG", ""), bg)
    assert not measure_unit(Draft("gimp", "GIMP", ""), Background.of(["GIMP 2 is out; use GIMP."]))


def test_code_named_with_its_kind_is_an_instance_of_that_kind():
    graph = _graph(
        [
            ("The datetime module supplies classes for dates.", [("datetime", "code")]),
            ("A module is a file of definitions; import a module to use it.", []),
            ("Each module has its own namespace, and the module is cached.", []),
            ("The string module has constants; a string is a sequence of characters.", [("string", "code")]),
            ("Join the string with another string, or slice the string.", []),
        ]
    )
    edges = {(e.source, e.type, e.target): e for e in graph.edges}
    said = edges[("datetime", "instance-of", "module")].evidence[0].quote
    assert said == "The datetime module supplies classes for dates."
    # named once, yet a node of the map: the phrase links it to its kind
    assert "datetime" in graph.concepts
    # a string of characters is the noun's concept: "the string module" makes it no module
    assert ("string", "instance-of", "module") not in edges
