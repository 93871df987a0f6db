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


LIST_TEXT = (
    "问题2:解释MoE的工作原理\n解析:\n- 结构组成:多个专家网络+门控网络\n- 路由机制:门控网络动态选择激活的专家\n"
    "- 负载均衡:通过辅助损失函数防止专家过载\n"
    "通过系统掌握上述知识点,读者将能够从容应对大模型面试问题。建议结合具体项目经验。\n"
)
LIST_CHUNK = Chunk("L", "doc", 0, len(LIST_TEXT), LIST_TEXT, heading=("问题2:解释MoE的工作原理",))
LIST_SENTS = {"L": split_sentences(LIST_CHUNK)}


def _list_scored(item_gap: float) -> list:  # type: ignore[type-arg]
    by_start = {s.text[:4]: s for s in LIST_SENTS["L"]}
    remark, after = next(s for s in LIST_SENTS["L"] if s.text.startswith("通过")), by_start["建议结合"]
    items = [s for s in LIST_SENTS["L"] if s.role == "item"]
    hit = Hit(LIST_CHUNK, 1.0)
    return [(0.86, 0, remark, hit), *[(0.86 - item_gap - 0.001 * i, 0, s, hit) for i, s in enumerate(items)],
            (0.84, 0, after, hit)]


def test_a_list_whose_items_nearly_match_outweighs_a_remark_after_it():
    assert [s.role for s in LIST_SENTS["L"]].count("item") == 3
    picked = [p.sentence for p in pick_sentences(0, _list_scored(COMPOSE.list_margin / 2), LIST_SENTS)]
    assert [s.role for s in picked if s.role == "item"] == ["item"] * 3
    assert not any(s.text.startswith(("通过", "建议")) for s in picked)  # nor the remark as support


def test_a_remark_far_ahead_of_the_items_stays_the_answer():
    picked = [p.sentence for p in pick_sentences(0, _list_scored(COMPOSE.list_margin * 2), LIST_SENTS)]
    assert picked[0].text.startswith("通过")
