"""Term mining rules on small crafted sentences, and the text/lexicon helpers they rely on."""

from __future__ import annotations

import time

import pytest

from kgqa.graph.lexicon import Lexicon
from kgqa.graph.terms import (
    alias_terms,
    definition_terms,
    english_terms,
    heading_terms,
    label_terms,
    pair_terms,
    quoted_terms,
)
from kgqa.graph.text import concept_id, normalise, sentences

pytestmark = pytest.mark.unit


def ez(found: list) -> set[tuple[str, str]]:
    return {(f.en, f.zh) for f in found}


def test_pair_fullwidth_and_halfwidth_brackets() -> None:
    assert ez(pair_terms("模型采用了梯度检查（Gradient Checking）方法")) == {
        ("Gradient Checking", "梯度检查")
    }
    assert ez(pair_terms("然后使用门控单元(Gating Unit)来选择")) == {("Gating Unit", "门控单元")}


def test_pair_cuts_the_chinese_side_at_function_words() -> None:
    assert ez(pair_terms("这是一种基于深度学习的语言理解（NLU）技术")) == {("NLU", "语言理解")}


def test_pair_english_first_and_abbreviations() -> None:
    assert ez(pair_terms("- Encoder(编码器):处理输入")) == {("Encoder", "编码器")}
    found = pair_terms("问题：解释MoE(Mixture of Experts)的原理")
    assert [(f.en, f.aliases) for f in found] == [("Mixture of Experts", ("MoE",))]
    found = pair_terms("解决Straight-Through Estimator(STE)带来的问题")
    assert [(f.en, f.aliases) for f in found] == [("Straight-Through Estimator", ("STE",))]


def test_pair_ignores_examples_and_numbers() -> None:
    assert pair_terms("大模型(如 GPT、BERT)很常见") == []
    assert pair_terms("使用混合精度训练(FP16)来减少内存") == []


def test_alias_sentence() -> None:
    found = alias_terms("层连接,又称作跳跃连接,是一种结构")
    assert [(f.zh, f.aliases) for f in found] == [("层连接", ("跳跃连接",))]


def test_bold_and_list_labels() -> None:
    assert ez(label_terms("1. **基于阈值的剪枝**：通过设置阈值去除参数。")) == {("", "基于阈值的剪枝")}
    assert ez(label_terms("- 梯度累积:分批计算梯度再聚合")) == {("", "梯度累积")}
    assert ez(label_terms("- **强大的生成能力**：能够生成文本。")) == set()


def test_heading_patterns() -> None:
    assert ez(heading_terms("### 1. 什么是知识图谱？")) == {("", "知识图谱")}
    assert ez(heading_terms("2. 知识图谱如何工作？")) == {("", "知识图谱")}
    assert ez(heading_terms("14. 如何进行Transformer模型的量化？")) == {("", "量化")}
    assert ez(heading_terms("问题2:解释MoE(Mixture of Experts)的工作原理")) == {("MoE", "")}
    assert ez(heading_terms("位置编码")) == {("", "位置编码")}
    assert ez(heading_terms("部署考虑因素")) == set()


def test_english_terms_inside_chinese() -> None:
    found = {
        f.en for f in english_terms("采用 RoPE 或 ALiBi,以及 Leaky ReLU 和 Transformer-XL 的 softmax 函数")
    }
    assert found == {"RoPE", "ALiBi", "Leaky ReLU", "Transformer-XL", "softmax"}
    assert english_terms("其中 He 初始化 the of") == []


def test_quoted_and_definition_subjects() -> None:
    assert ez(quoted_terms("可以解释一下“缩放点积注意力”吗?")) == {("", "缩放点积注意力")}
    assert ez(quoted_terms("当被问及”如何改进”时")) == set()
    assert ez(definition_terms("标签平滑是一种正则化技巧。")) == {("", "标签平滑")}
    assert ez(definition_terms("Transformer模型的量化是将参数变为低精度。")) == {("", "量化")}
    assert definition_terms("以下是一些方法：") == []
    assert definition_terms("如果是文本生成任务,使用 GPT。") == []


def test_normalise_and_ids() -> None:
    assert normalise("Ｓｅｌｆ－Attention") == normalise("self attention") == "self attention"
    assert concept_id("Residual Connections") == "residual-connection"
    assert concept_id("知识蒸馏") == "知识蒸馏"


def test_sentence_spans_are_exact() -> None:
    text = "甲是乙。  丙(如丁)?(如戊)\n- 己：庚"
    for p in sentences(text):
        assert text[p.start : p.end] == p.value
    assert [p.value for p in sentences(text)] == ["甲是乙。", "丙(如丁)?(如戊)", "- 己：庚"]


def test_lexicon_longest_match_width_case_and_word_boundaries() -> None:
    lex = Lexicon(
        {"位置编码": "pe", "旋转位置编码": "rope", "RoPE": "rope", "PE": "pe", "self-attention": "sa"}
    )
    got = [(m.key, m.surface) for m in lex.link("ＲｏＰＥ是旋转位置编码,不是Performer,也叫PE;Self Attention")]
    assert got == [("rope", "ＲｏＰＥ"), ("rope", "旋转位置编码"), ("pe", "PE"), ("sa", "Self Attention")]


def test_lexicon_link_is_fast() -> None:
    lex = Lexicon({f"概念{i}": f"c{i}" for i in range(2000)} | {f"Term{i}": f"t{i}" for i in range(2000)})
    query = "什么是旋转位置编码(RoPE)?它和 ALiBi 有什么区别,Term17 和概念42 呢?" * 2
    start = time.perf_counter()
    for _ in range(100):
        lex.link(query)
    assert (time.perf_counter() - start) / 100 < 0.001
