"""The docstring examples of the graph modules that have them run as tests (rank and termhood also run in
tests/test_doctests.py)."""

from __future__ import annotations

import doctest
import importlib

import pytest

pytestmark = pytest.mark.unit

MODULES = [
    "kgqa.graph.build",
    "kgqa.graph.naming",
    "kgqa.graph.concepts",
    "kgqa.graph.crosslingual",
    "kgqa.graph.extract",
    "kgqa.graph.glossary",
    "kgqa.graph.heads",
    "kgqa.graph.lexicon",
    "kgqa.graph.patterns",
    "kgqa.graph.query",
    "kgqa.graph.senses",
    "kgqa.graph.terms",
    "kgqa.graph.text",
]


@pytest.mark.parametrize("name", MODULES)
def test_graph_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
