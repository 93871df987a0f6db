"""Names the document marks itself (inline code, menu labels, defined terms): which become candidate terms, and
which concepts they make in a small graph. Made-up texts, no corpus."""

from __future__ import annotations

import pytest

from kgqa.graph import Glossary, build_graph, extract_document
from kgqa.graph.marks import code_name, marked_terms
from kgqa.graph.termhood import is_stopword
from kgqa.types import Block, Chunk, Document

pytestmark = pytest.mark.unit


def found(sentence: str, *marked: tuple[str, str]) -> list[tuple[str, str, tuple[str, ...], str]]:
    marks = []
    at = 0
    for text, kind in marked:
        i = sentence.index(text, at)
        marks.append((i, i + len(text), kind))
        at = i + len(text)
    return [(f.en, f.zh, f.aliases, f.rule) for f in marked_terms(sentence, marks, frozenset({"spam"}))]


def test_code_names_calls_dotted_names_and_files():
    assert code_name("range()") == "range"
    assert code_name("sys.path") == "sys.path"
    assert code_name("requirements.txt") == "requirements.txt"
    assert code_name(".venv") == ".venv"
    assert code_name("pip freeze") == "pip freeze"


def test_expressions_literals_single_letters_and_example_names_are_no_code_names():
    for text in ("a + b", "'spam'", "x", "x.f()", "string.a", "42", "f(a, b)", "==", "__all__", "__name__"):
        assert code_name(text) == "", text
    assert code_name("spam.eggs", frozenset({"spam"})) == ""


def test_a_command_is_a_name_where_the_document_sets_it_twice():
    assert code_name("import sys", often=frozenset()) == ""
    assert code_name("pip install", often=frozenset({"pip install"})) == "pip install"


def test_a_construct_is_named_with_its_noun_after_a_determiner():
    assert found("Use the match statement here.", ("match", "code")) == [
        ("match", "", ("match statement",), "code")
    ]
    # a keyword that is a function word of English is only a term with its noun
    assert found("The else clause runs last.", ("else", "code")) == [("else clause", "", (), "code")]
    assert found("Do this or else stop.", ("else", "code")) == []


def test_an_english_word_set_as_code_needs_a_call_or_a_noun():
    assert found("Set value to one.", ("value", "code")) == []
    assert found("Call print() now.", ("print()", "code")) == [("print", "", ("print()",), "code")]


def test_a_dotted_name_is_also_found_by_its_last_part_when_that_is_no_english_word():
    assert found("Use collections.deque here.", ("collections.deque", "code")) == [
        ("collections.deque", "", ("deque",), "code")
    ]
    assert found("Use sys.path here.", ("sys.path", "code")) == [("sys.path", "", (), "code")]


def test_menu_labels_and_defined_terms():
    assert found("Open Layers then Hide Docks.", ("Hide Docks", "gui")) == [("Hide Docks", "", (), "gui")]
    assert found("路径工具与文字工具", ("路径工具与文字工具", "term")) == [
        ("", "路径工具", (), "term"),
        ("", "文字工具", (), "term"),
    ]
    # a phrase of a sentence (的), a label that opens on an adjective and a long title are no names
    assert found("各种其他的改进", ("各种其他的改进", "term")) == []
    assert found("小变化", ("小变化", "term")) == []
    assert found("能够滚动超过图像的边界之外", ("能够滚动超过图像的边界之外", "term")) == []


def _doc(paragraphs: list[tuple[str, list[tuple[str, str]]]]) -> tuple[Document, list[Chunk]]:
    text, blocks, chunks = "", [], []
    for i, (para, marks) in enumerate(paragraphs):
        start = len(text)
        spans, at = [], 0
        for t, kind in marks:
            j = para.index(t, at)
            spans.append((start + j, start + j + len(t), kind))
            at = j + len(t)
        blocks.append(Block("paragraph", start, start + len(para), marks=tuple(spans)))
        chunks.append(Chunk(f"c{i}", "d", start, start + len(para), para))
        text += para + "\n\n"
    return Document("d", "d.html", "D", "en", text, "sha", blocks=tuple(blocks), format="html"), chunks


def test_marked_names_become_concepts_and_stopwords_do_not():
    doc, chunks = _doc(
        [
            ("The match statement compares a value with patterns.", [("match", "code")]),
            ("Write requirements.txt with pip freeze and read it back.", [("requirements.txt", "code"),
                                                                         ("pip freeze", "code")]),
            ("A match statement can bind names; pip freeze lists packages.", [("match", "code"),
                                                                             ("pip freeze", "code")]),
            ("Keep requirements.txt under version control.", [("requirements.txt", "code")]),
            ("Choose Hide Docks from the Windows menu.", [("Hide Docks", "gui")]),
        ]
    )
    graph = build_graph([extract_document(doc, chunks, Glossary())], Glossary())
    labels = {c.label for c in graph.concepts.values()}
    assert {"match", "requirements.txt", "pip freeze", "Hide Docks"} <= labels
    assert "match statement" in graph.concepts["match"].aliases
    assert not any(is_stopword(c.label) for c in graph.concepts.values())


def test_without_marks_the_same_text_makes_none_of_them():
    doc, chunks = _doc([("Write requirements.txt with pip freeze and read it back.", [])] * 2)
    graph = build_graph([extract_document(doc, chunks, Glossary())], Glossary())
    assert not {"requirements.txt", "pip freeze"} & {c.label for c in graph.concepts.values()}
