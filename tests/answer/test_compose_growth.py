"""How the anchor sentence grows into the answer: lists only where items follow, and one supporting sentence."""

from __future__ import annotations

import pytest

from kgqa.answer.compose import pick_sentences
from kgqa.ingest.sentences import split_sentences
from kgqa.tuning import COMPOSE
from kgqa.types import Chunk, Hit

pytestmark = pytest.mark.unit

TEXT = (
    "## Default values\n\nThe default value is evaluated only once. This makes a difference for a mutable default. "
    "For example, this function shares its list:\n\n```python\ndef f(a, L=[]):\n    return L\n```\n\n"
    "Use None as the default instead. Then create the list inside the function. A new list is made on every call.\n"
)
CHUNK = Chunk("D", "doc", 0, len(TEXT), TEXT, heading=("Tutorial", "Default values"))
SENTS = {"D": split_sentences(CHUNK)}
HIT = Hit(CHUNK, 1.0)


def sentence(start: str):  # type: ignore[no-untyped-def]
    return next(s for s in SENTS["D"] if s.text.startswith(start))


def test_a_lead_that_opens_no_list_leaves_a_paragraph_answer():
    anchor = sentence("This makes")
    assert SENTS["D"][anchor.index + 1].role == "lead"  # the lead introduces code, not items
    picked = [p.sentence.text for p in pick_sentences(0, [(1.0, 0, anchor, HIT)], SENTS)]
    assert "The default value is evaluated only once." in picked  # the sentence before the anchor
    assert picked.index("The default value is evaluated only once.") < picked.index(anchor.text)


@pytest.mark.parametrize(("gap", "joins"), [(COMPOSE.support_margin / 2, True), (COMPOSE.support_margin * 2, False)])
def test_a_nearly_as_good_sentence_elsewhere_joins_as_support(gap: float, joins: bool):
    anchor, far = sentence("The default value"), sentence("A new list")
    near = sentence("This makes")  # a neighbour of the anchor: the grown answer holds it anyway
    scored = [(1.0, 0, anchor, HIT), (1.0 - gap / 2, 0, near, HIT), (1.0 - gap, 0, far, HIT)]
    picked = [p.sentence for p in pick_sentences(0, scored, SENTS)]
    assert (far in picked) is joins
    assert picked.count(near) == 1


def test_a_lead_never_joins_as_support():
    anchor, lead = sentence("The default value"), sentence("For example")
    assert lead.role == "lead"
    picked = [p.sentence for p in pick_sentences(0, [(1.0, 0, anchor, HIT), (0.99, 0, lead, HIT)], SENTS)]
    assert lead not in picked


def test_no_support_across_languages():
    anchor, far = sentence("The default value"), sentence("A new list")
    scored = [(1.0, 0, anchor, HIT), (0.99, 0, far, HIT)]
    assert far in [p.sentence for p in pick_sentences(0, scored, SENTS, "when is the default evaluated?")]
    assert far not in [p.sentence for p in pick_sentences(0, scored, SENTS, "默认值什么时候求值？")]
