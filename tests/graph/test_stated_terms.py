"""Issue 12: concepts are terms (not stopwords, ordinary words or name lists; variants merged) and a typed edge
needs one passage that names both ends with the cue of its type. Small inline texts, no corpus."""

from __future__ import annotations

import pytest
from graph_helpers import glossary, graph_of, triples

from kgqa.graph.build import one_way
from kgqa.graph.termhood import Background, is_term
from kgqa.types import Edge, Evidence

pytestmark = pytest.mark.unit

# a made-up manual: "widget" and "frobnicator" are its terms, everything else is ordinary English
MANUAL = "\n\n".join(
    [
        "A widget is a box. The widget holds a frobnicator. Each widget can avoid arbitrary names, because it "
        "must. Configure the widget before you use it.",
        "The frobnicator turns. A frobnicator is small. Widgets and frobnicators are listed below. You should "
        "configure each widget.",
        "Every widget has one frobnicator. The widgets are green.",
    ]
)


def test_common_english_words_and_stopwords_are_no_concepts() -> None:
    ids = set(graph_of(MANUAL).concepts)
    assert not ids & {"because", "each", "every", "configure", "avoid", "arbitrary", "below", "must", "green"}
    assert {"widget", "frobnicator"} <= ids


def test_plural_and_case_variants_are_one_concept_labelled_in_the_singular() -> None:
    g = graph_of(MANUAL)
    assert g.concept("Widgets").id == g.concept("widget").id == "widget"
    assert g.concept("frobnicators").label == "frobnicator"


@pytest.mark.parametrize("word", ["because", "each", "configure", "下面", "我们", "因为", "或任何以后的版本"])
def test_stopwords_function_words_and_phrases_are_rejected_in_both_languages(word: str) -> None:
    bg = Background.of([f"{word} 图层 layer mask {word}"] * 5)
    assert not is_term([word], ["english"], bg) and not is_term([word], ["quoted"], bg)


def test_real_terms_are_kept_in_both_languages() -> None:
    bg = Background.of(["The namespace is a mapping. A namespace holds names.", "“图层蒙版”隐藏图层蒙版下的部分。"] * 3)
    assert is_term(["namespace"], ["english"], bg)
    assert is_term(["图层蒙版"], ["quoted"], bg)
    assert is_term(["GEGL"], ["english"], bg) is False  # never written in this text


def test_chinese_english_pair_is_one_concept_with_both_labels() -> None:
    g = graph_of("图层蒙版（Layer Mask）隐藏部分图层。\n\n每个图层蒙版都是灰度的。")
    c = g.concept("layer mask")
    assert c.label_zh == "图层蒙版" and g.concept("图层蒙版").id == c.id


def test_a_list_of_people_gives_no_concepts() -> None:
    people = "Ann Lee , Bo Chen , Cy Dunn , Di Ek , Ed Fo , Flo Gu , Jehan"
    g = graph_of(f"{people}\n\n{people}")
    assert not g.concepts


G = glossary(
    {"id": "cnn", "en": "CNN", "zh": "卷积网络"},
    {"id": "convolution", "en": "convolution", "zh": "卷积"},
    {"id": "pooling", "en": "pooling", "zh": "池化"},
)


def test_a_sentence_without_a_cue_gives_no_typed_edge() -> None:
    g = graph_of("卷积网络和卷积都很常见。\n\n卷积网络和卷积都很常见。", G)
    assert not {t for _, t, _ in triples(g)} - {"related"}


def test_a_cue_sentence_naming_both_ends_gives_a_typed_edge_and_one_naming_one_end_does_not() -> None:
    assert ("cnn", "uses", "convolution") in triples(graph_of("卷积网络使用卷积提取特征。", G))
    # "它" points to the chunk's topic, but the sentence does not name it
    g = graph_of("什么是卷积网络？\n它使用卷积提取特征。", G, headings={0: ("什么是卷积网络？",)})
    assert ("cnn", "uses", "convolution") not in triples(g)
    # a negated cue states the opposite
    assert not triples(graph_of("卷积网络不包含池化。", G), "part-of")


def test_no_reverse_duplicate_of_an_asymmetric_type() -> None:
    g = graph_of("卷积网络包含池化。池化包含卷积网络。池化包含卷积网络。", G)
    part_of = triples(g, "part-of")
    assert part_of == {("cnn", "part-of", "pooling")}
    ev = [Evidence("c", "d", 0, 2, "xx", "t")]
    kept = one_way([Edge("a", "b", "contrasts-with", 1, ev), Edge("b", "a", "contrasts-with", 1, ev)])
    assert len(kept) == 1


def test_a_heading_is_no_evidence_for_a_variant() -> None:
    head = "Keyword Arguments"
    body = "An argument is passed to a function. The argument is named."
    g = graph_of(f"{head}\n{body}\n\n{head}\n{body}", headings={0: (head,), 1: (head,)})
    assert not triples(g, "variant-of")  # only the headings name the compound
    text = f"{head}\n{body} Keyword arguments follow it.\n\n{head}\n{body} The keyword arguments are named."
    g = graph_of(text, headings={0: (head,), 1: (head,)})
    edge = next(e for e in g.edges if e.type == "variant-of")
    assert (edge.source, edge.target) == ("keyword-argument", "argument")
    assert "keyword arguments" in edge.evidence[0].quote  # written in lower case: the body, not a title


def test_english_definition_names_both_ends_and_the_class_is_the_head() -> None:
    text = "A widget is a box that holds things. A widget is a box. A gadget is a box lid.\n\nThe box is a widget."
    g = graph_of(text, glossary(
        {"id": "widget", "en": "widget"}, {"id": "box", "en": "box"}, {"id": "gadget", "en": "gadget"}))
    instance = triples(g, "instance-of")
    assert ("widget", "instance-of", "box") in instance
    assert ("gadget", "instance-of", "box") not in instance  # "a box lid" is a lid, not a box
    assert ("box", "instance-of", "widget") not in instance  # one way only: the widget has more evidence


def test_superlatives_and_sentence_start_capitals_are_ordinary_words() -> None:
    bg = Background.of(["The simplest is a box. The simplest, the box.", "Reconstructing the box is easy."] * 4)
    assert not is_term(["simplest"], ["english"], bg)
    assert not is_term(["Reconstructing"], ["english"], bg)
    assert is_term(["box"], ["english"], bg)
