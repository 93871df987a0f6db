"""Issue 12: English sentences state relations with cues that mirror the Chinese ones (consists of / contains,
uses / relies on, such as); each fires only where one sentence names both ends next to its cue."""

from __future__ import annotations

import pytest
from graph_helpers import glossary, graph_of, triples

from kgqa.graph.lexicon import Lexicon
from kgqa.graph.model import Sentence
from kgqa.graph.patterns import link_sentence
from kgqa.graph.patterns_en import composition_en, examples_en, uses_en
from kgqa.graph.relations import sentence_relations

pytestmark = pytest.mark.unit

LEX = Lexicon(
    {w: w for w in "package module subpackage interpreter readline sequence list tuple string widget gadget".split()}
)


def rels(rule: object, text: str) -> set[tuple[str, str, str]]:
    ls = link_sentence(Sentence("c", "d", 0, len(text), text), LEX)
    assert callable(rule)
    return {(r.source, r.type, r.target) for r in rule(ls)}


@pytest.mark.parametrize(
    "text",
    [
        "A package contains modules and subpackages.",
        "A package consists of modules and subpackages.",
        "A package usually includes one or more modules, and subpackages.",
        "Packages are made up of modules and subpackages.",
    ],
)
def test_part_of_cues_name_the_whole_before_and_the_parts_after(text: str) -> None:
    assert rels(composition_en, text) == {("module", "part-of", "package"), ("subpackage", "part-of", "package")}


@pytest.mark.parametrize(
    "text",
    [
        "A widget does not contain a gadget.",  # negated
        "A widget contains a list of strings.",  # the list is the part; no concept names it
        "The widget that we built yesterday contains a gadget.",  # the whole is not next to the cue
    ],
)
def test_part_of_cues_state_nothing_when_negated_or_not_next_to_both_ends(text: str) -> None:
    assert rels(composition_en, text) == set()


def test_uses_cues_and_their_limits() -> None:
    assert rels(uses_en, "The interpreter relies on readline for editing.") == {("interpreter", "uses", "readline")}
    assert rels(uses_en, "A widget is based on a gadget.") == {("widget", "uses", "gadget")}
    assert rels(uses_en, "The interpreter never uses readline.") == set()
    # "readline" only qualifies "library": the sentence names no use of readline itself
    assert rels(uses_en, "The interpreter uses the readline library.") == set()


def test_such_as_names_instances_of_the_class_right_before_it() -> None:
    found = rels(examples_en, "Sequences, such as lists and tuples, support slicing.")
    assert found == {("list", "instance-of", "sequence"), ("tuple", "instance-of", "sequence")}
    assert rels(examples_en, "Sequence types such as lists and tuples support slicing.") == set()


def test_english_and_chinese_rules_run_on_every_sentence() -> None:
    text = "A package contains modules."
    ls = link_sentence(Sentence("c", "d", 0, len(text), text), LEX)
    assert {(r.source, r.type, r.target, r.rule) for r in sentence_relations(ls)} == {
        ("module", "part-of", "package", "composition")
    }


def test_graph_keeps_the_stated_english_relations_with_their_sentence() -> None:
    text = "A package contains modules and subpackages.\n\nThe interpreter relies on readline for editing."
    g = graph_of(
        text,
        glossary(*({"id": w, "en": w} for w in ("package", "module", "subpackage", "interpreter", "readline"))),
    )
    assert {("module", "part-of", "package"), ("interpreter", "uses", "readline")} <= triples(g)
    edge = next(e for e in g.edges if e.type == "uses")
    assert edge.evidence[0].quote == "The interpreter relies on readline for editing."
