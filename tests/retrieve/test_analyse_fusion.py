"""Query analysis (language, parts, follow-ups, expansion) and rank fusion, with a tiny fake linker."""

from __future__ import annotations

import pytest

from kgqa.errors import InputError
from kgqa.retrieve.analyse import analyse, check_history, detect_language, is_followup, split_parts
from kgqa.retrieve.fusion import drop_near_duplicates, jaccard, near_duplicates, rrf, shingles
from kgqa.types import Concept

pytestmark = pytest.mark.unit


class Linker:
    concepts = {
        "knowledge-distillation": Concept("knowledge-distillation", "knowledge distillation", "知识蒸馏", ["KD"]),
        "rope": Concept("rope", "RoPE", "旋转位置编码", ["rotary position embedding"]),
    }
    surfaces = {"知识蒸馏": "knowledge-distillation", "knowledge distillation": "knowledge-distillation",
                "kd": "knowledge-distillation", "rope": "rope", "旋转位置编码": "rope"}

    def link(self, text):  # type: ignore[no-untyped-def]
        low = text.lower()
        return [(cid, s, low.find(s), low.find(s) + len(s)) for s, cid in self.surfaces.items() if s in low]

    def concept(self, cid):  # type: ignore[no-untyped-def]
        return self.concepts[cid]


def test_language():
    assert detect_language("How does KD work?") == "en"
    assert detect_language("知识蒸馏（KD）如何工作？") == "zh"


def test_parts():
    assert split_parts("什么是RoPE？它和ALiBi有什么区别？") == ["什么是RoPE？", "它和ALiBi有什么区别？"]
    assert split_parts("What is RoPE and how is it computed?") == ["What is RoPE?", "how is it computed?"]
    assert split_parts("LayerNorm和BatchNorm有什么区别？") == ["LayerNorm和BatchNorm有什么区别？"]


def test_english_question_is_expanded_with_chinese_labels():
    plan = analyse("How does knowledge distillation work?", [], Linker())
    assert plan.language == "en" and plan.concepts == ["knowledge-distillation"]
    assert "知识蒸馏" in plan.parts[0].keyword_text and "知识蒸馏" in plan.parts[0].dense_text


def test_chinese_question_is_expanded_with_english_labels():
    plan = analyse("旋转位置编码是什么？", [], Linker())
    assert "RoPE" in plan.parts[0].keyword_text


@pytest.mark.parametrize("follow", ["那它的缺点呢？", "and how is it computed?", "它有哪些关键点？"])
def test_followups_take_the_subject_from_history(follow):
    assert is_followup(follow)
    history = [{"role": "user", "content": "什么是知识蒸馏？"}, {"role": "assistant", "content": "……"}]
    plan = analyse(follow, history, Linker())
    assert plan.followup and "knowledge-distillation" in plan.concepts
    assert plan.parts[0].resolved.startswith("什么是知识蒸馏？")


def test_a_later_part_that_names_nothing_is_read_with_the_part_before():
    plan = analyse("什么是知识蒸馏？它有哪些关键点？", [], Linker())
    first, second = plan.parts
    assert first.resolved == "什么是知识蒸馏？"
    assert second.resolved == "什么是知识蒸馏？ 它有哪些关键点？"
    assert second.concepts == ["knowledge-distillation"] and not plan.followup
    # a part that names its own concept stands on its own
    plan = analyse("什么是知识蒸馏？What is RoPE?", [], Linker())
    assert [p.resolved for p in plan.parts] == ["什么是知识蒸馏？", "What is RoPE?"]
    assert [p.concepts for p in plan.parts] == [["knowledge-distillation"], ["rope"]]


def test_a_self_contained_question_ignores_history():
    history = [{"role": "user", "content": "什么是知识蒸馏？"}]
    plan = analyse("What is RoPE?", history, Linker())
    assert not plan.followup and plan.concepts == ["rope"]


def test_bad_history_is_reported_with_its_position():
    with pytest.raises(InputError, match=r"history\[1\]"):
        check_history([{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}])


def test_rrf_rewards_agreement_and_breaks_ties_by_id():
    fused = rrf({"dense": ["a", "b", "c"], "bm25": ["c", "b"], "graph": ["b"]})
    assert [i for i, _ in fused] == ["b", "c", "a"]
    assert rrf({"x": ["q", "p"], "y": ["p", "q"]})[0][0] == "p"


def test_weights_change_the_order():
    assert rrf({"dense": ["a"], "bm25": ["b"]}, weights={"bm25": 2.0})[0][0] == "b"


def test_near_duplicates_are_dropped_keeping_the_first():
    items = [("1", "模型剪枝是通过去除模型中的冗余神经元或参数"), ("2", "模型剪枝是通过去除模型中的冗余神经元或参数。"),
             ("3", "知识蒸馏训练一个较小的模型")]
    assert drop_near_duplicates(items) == ["1", "3"]


def test_the_cached_comparison_is_the_jaccard_test_it_replaces():
    # texts around the threshold: prefixes of one text (the size bound decides) and edits of it (the sets do)
    base = "注意力机制让模型在每一步关注输入的不同部分 attention lets the model weigh every token"
    texts = [base[:n] for n in range(5, len(base), 3)] + [base.replace(c, "x") for c in "注意模 aet"] + ["", " "]
    for a in texts:
        for b in texts:
            for threshold in (0.5, 0.8, 0.9):
                expected = jaccard(shingles(a), shingles(b)) >= threshold
                assert near_duplicates(a, b, threshold) is expected, (a, b, threshold)


def test_the_channels_read_the_question_with_its_typos_corrected():
    from kgqa.graph.query import ConceptGraph

    graph = ConceptGraph({"gimp": Concept("gimp", "GIMP", "", [], [], ["c1"])}, [])
    part = analyse("gmip 是啥的缩写", [], graph).parts[0]
    assert part.text == part.resolved == "gmip 是啥的缩写"  # what the user asked is kept as asked
    # read in the standard question word too (retrieve/normalise.py)
    assert part.dense_text.startswith("gimp 是什么的缩写") and part.keyword_text.startswith("gimp 是什么的缩写")
    assert part.concepts == ["gimp"]
