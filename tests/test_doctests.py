"""The examples in the docstrings of the text layer, the document model and the graph ranking are run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

pytestmark = pytest.mark.unit

MODULES = [
    "kgqa.text",
    "kgqa.timing",
    "kgqa.apps.logs",
    "kgqa.ingest.convert",
    "kgqa.ingest.convert.builder",
    "kgqa.ingest.structure",
    "kgqa.ingest.chunk",
    "kgqa.ingest.sentences",
    "kgqa.ingest.clean",
    "kgqa.ingest.qa_list",
    "kgqa.config",
    "kgqa.index.remote",
    "kgqa.deadline",
    "kgqa.apps.state",
    "kgqa.index.models",
    "kgqa.index.backends",
    "kgqa.index.backends.milvus",
    "kgqa.index.backends.scores",
    "kgqa.index.reader",
    "kgqa.admission",
    "kgqa.graph.rank",
    "kgqa.graph.termhood",
    "kgqa.graph.build",
    "kgqa.graph.fuzzy",
    "kgqa.answer.abstain",
    "kgqa.answer.slips",
    "kgqa.answer.decide",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
