"""Concepts are terms of the domain: no stopwords, no ordinary words, names kept whatever they look like."""

from __future__ import annotations

import pytest

from kgqa.graph.build import build_graph
from kgqa.graph.extract import extract_document
from kgqa.graph.glossary import Glossary
from kgqa.graph.termhood import Background, general_zipf, is_term
from kgqa.ingest.chunk import chunk_document
from kgqa.types import Document

pytestmark = pytest.mark.unit

ENGLISH = (
    "# Modules\n\nA module is a file containing Python definitions. Each module has its own namespace, and "
    "because of that every module can define names that are used before they are chosen elsewhere. "
    "The import statement loads a module. Down the line, a package is a collection of modules; each package "
    "has a namespace too. ResNet and RETRO appear here.\n\n# Packages\n\nA package groups modules; "
    "every package has a namespace. Because a module lives in a package, its namespace is the package's. "
    "ResNet again. The namespace of a package is a namespace.\n"
)


def _graph(text: str):
    doc = Document("d", "d.md", "D", "en", text, "x")
    return build_graph([extract_document(doc, chunk_document(doc).chunks, Glossary())], Glossary())


def test_english_function_words_never_become_concepts():
    ids = set(_graph(ENGLISH).concepts)
    assert not ids & {"because", "before", "chosen", "down", "each", "every", "they", "used", "the"}
    assert {"module", "namespace", "package", "resnet"} <= ids


@pytest.mark.parametrize("word", ["and", "because", "every", "下面", "我们", "然后"])
def test_stopwords_and_function_words_in_both_languages(word):
    assert not is_term([word], ["english"], Background.of([f"{word} 图层 layer mask"] * 5))


def test_name_shaped_words_are_names_not_ordinary_words():
    assert general_zipf("RETRO") == 0 and general_zipf("Transformer-XL") == 0 and general_zipf("retro") > 3


def test_marked_names_need_less_evidence_than_found_words():
    bg = Background.of(["The layer mask hides parts of a layer. A layer mask is grey."])
    assert is_term(["layer mask"], ["pair"], bg)
    assert not is_term(["grey"], ["english"], bg)  # found once, ordinary


def test_phrases_that_open_on_a_stopword_are_not_names():
    bg = Background.of(["In Python, The Python tutorial shows Python."] * 3)
    assert not is_term(["The Python"], ["english"], bg) and is_term(["Python"], ["english"], bg)
