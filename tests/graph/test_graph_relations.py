"""Each relation rule on a small crafted text (made-up concepts, so no rule is tuned to the corpus)."""

from __future__ import annotations

import pytest
from graph_helpers import glossary, graph_of, triples

pytestmark = pytest.mark.unit

G = glossary(
    {"id": "pooling", "en": "pooling", "zh": "池化"},
    {"id": "max-pooling", "en": "max pooling", "zh": "最大池化"},
    {"id": "convolution", "en": "convolution", "zh": "卷积"},
    {"id": "cnn", "en": "CNN", "zh": "卷积网络"},
    {"id": "stride", "en": "stride", "zh": "步长"},
    {"id": "overfitting", "en": "overfitting", "zh": "过拟合"},
    {"id": "weight-decay", "en": "weight decay", "zh": "权重衰减"},
    {"id": "normalization", "en": "normalization", "zh": "归一化"},
    {"id": "tokenizer", "en": "tokenizer", "zh": "分词器"},
)


def test_definition_gives_instance_of_and_based_on_uses() -> None:
    g = graph_of("权重衰减是一种基于卷积的正则化（Regularization）技巧。", G)
    assert ("weight-decay", "instance-of", "regularization") in triples(g)
    assert ("weight-decay", "uses", "convolution") in triples(g)


def test_uses_pattern_takes_joined_objects() -> None:
    g = graph_of("卷积网络通过卷积和池化对图像进行处理。", G)
    assert {("cnn", "uses", "convolution"), ("cnn", "uses", "pooling")} <= triples(g, "uses")


def test_goal_pattern_mitigates_with_label_as_actor() -> None:
    g = graph_of("- 权重衰减：通过惩罚大权重，以防止过拟合。", G)
    assert ("weight-decay", "mitigates", "overfitting") in triples(g)


def test_goal_pattern_examples_are_the_means() -> None:
    g = graph_of("为了防止过拟合,可采用不同的策略,如权重衰减、池化。", G)
    assert {("weight-decay", "mitigates", "overfitting"), ("pooling", "mitigates", "overfitting")} <= triples(
        g
    )


def test_goal_verb_inside_a_noun_is_ignored() -> None:
    g = graph_of("分词器结合了动量优化和卷积的优点。", G)
    assert not triples(g, "technique-for")


def test_contrast_patterns() -> None:
    assert ("cnn", "contrasts-with", "tokenizer") in triples(graph_of("与分词器相比,卷积网络更快。", G))
    assert ("pooling", "contrasts-with", "convolution") in triples(graph_of("这里使用池化而不是卷积。", G))
    assert ("pooling", "contrasts-with", "convolution") in triples(graph_of("池化和卷积的区别是什么?", G))


def test_parenthesised_examples_are_instances() -> None:
    g = graph_of("常用的池化(如最大池化、Average Pooling)都很简单。", G)
    assert ("max-pooling", "instance-of", "pooling") in triples(g)
    assert ("average-pooling", "instance-of", "pooling") in triples(g)


def test_examples_of_variants() -> None:
    g = graph_of("可以给出一些卷积网络改进和变体的例子吗?(如:ResNet、VGGNet)", G)
    assert {("resnet", "variant-of", "cnn"), ("vggnet", "variant-of", "cnn")} <= triples(g)


def test_composition_patterns() -> None:
    g = graph_of("卷积网络由卷积和池化组成。分词器包含归一化和步长。", G)
    assert {("convolution", "part-of", "cnn"), ("pooling", "part-of", "cnn")} <= triples(g)
    assert {("normalization", "part-of", "tokenizer"), ("stride", "part-of", "tokenizer")} <= triples(g)


def test_enumeration_items_are_related_not_typed() -> None:
    """A list lead and its items state no relation in one sentence: the pair is related at most."""
    text = "以下是一些归一化方法：\n1. **步长**：取最大值。\n2. **分词器**：取平均。"
    g = graph_of(text, G)
    assert {("stride", "related", "normalization"), ("tokenizer", "related", "normalization")} <= triples(g)
    assert not triples(g, "instance-of")
    goal = "以下是一些防止过拟合的方法：\n- 权重衰减：惩罚大权重。\n- 池化：减少参数。"
    assert not triples(graph_of(goal, G), "mitigates")
    ads = "卷积网络具有以下几个优势：\n- **池化**：很快。"
    assert not {t for _, t, _ in triples(graph_of(ads, G))} - {"related"}


def test_procedure_chain_with_sequence_words() -> None:
    text = "卷积网络\n卷积网络很常用。具体来说,这是通过计算卷积来实现的,再对结果进行池化。然后应用归一化,得到输出。"
    g = graph_of(text, G, headings={0: ("卷积网络",)})
    chain = triples(g)
    assert ("cnn", "has-step", "convolution") in chain
    assert {("convolution", "followed-by", "pooling"), ("pooling", "followed-by", "normalization")} <= chain
    # a step that continues the sentence before cites both sentences, as one passage
    step = next(e for e in g.edges if (e.source, e.type, e.target) == ("pooling", "followed-by", "normalization"))
    assert [ev.quote for ev in step.evidence] == [text[text.index("具体来说") : text.index("得到输出。") + 5]]


def test_procedure_step_needs_a_sentence_naming_the_topic() -> None:
    """Only a heading names the topic: the heading states no step, so there is no has-step."""
    text = "卷积网络\n这是通过计算卷积来实现的,再对结果进行池化。"
    g = graph_of(text, G, headings={0: ("卷积网络",)})
    assert ("cnn", "has-step", "convolution") not in triples(g)
    assert ("convolution", "followed-by", "pooling") in triples(g)


def test_followed_by_is_transitively_reduced() -> None:
    text = "这是通过计算卷积得到,再进行池化,然后应用归一化。\n\n这是通过计算卷积得到,然后应用归一化。"
    g = graph_of(text, G, headings={0: ("卷积网络",), 2: ("卷积网络",)})
    assert ("convolution", "followed-by", "normalization") not in triples(g)
    assert ("pooling", "followed-by", "normalization") in triples(g)


def test_lexical_head_links_nested_names_not_merges_them() -> None:
    g = graph_of("最大池化和全局池化都会用到。Leaky Tokenizer 也是一种分词器。", G)
    assert ("max-pooling", "variant-of", "pooling") in triples(g)
    assert "max-pooling" in g.concepts and "pooling" in g.concepts


def test_cooccurrence_related_edges_are_thresholded_and_grounded() -> None:
    paras = ["卷积和池化一起出现。"] * 3 + ["分词器单独出现。", "步长单独出现。", "归一化单独出现。"]
    g = graph_of("\n\n".join(paras), G)
    related = [e for e in g.edges if e.type == "related"]
    assert [(e.source, e.target) for e in related] == [("convolution", "pooling")]
    assert related[0].weight > 0.25 and all("卷积" in ev.quote for ev in related[0].evidence)


def test_glossary_relation_needs_a_corpus_sentence() -> None:
    gl = glossary(
        {"id": "a", "en": "alpha", "zh": "甲"},
        {"id": "b", "en": "beta", "zh": "乙"},
        {"id": "c", "en": "gamma", "zh": "丙"},
        relations=[
            {"source": "a", "type": "uses", "target": "b", "why": "test"},
            {"source": "c", "type": "uses", "target": "b", "why": "c is never mentioned"},
        ],
    )
    g = graph_of("甲很常见。乙也是。甲和乙常一起用。", gl)
    assert ("a", "uses", "b") in triples(g)
    assert ("c", "uses", "b") not in triples(g)
    edge = next(e for e in g.edges if e.type == "uses")
    assert edge.evidence[0].rule == "glossary" and edge.evidence[0].quote == "甲和乙常一起用。"
    # no sentence names both ends: the text only relates them
    apart = graph_of("甲很常见。乙也是。", gl)
    assert ("a", "related", "b") in triples(apart) and ("a", "uses", "b") not in triples(apart)
