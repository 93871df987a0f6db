"""Sentence selection, span mapping, citations and the LLM layer's citation check (fake chat model)."""

from __future__ import annotations

import numpy as np
import pytest

from kgqa.answer.abstain import Coverage, unknown_terms
from kgqa.answer.cite import abstention_text, render
from kgqa.answer.compose import _language_shift, pick_sentences, score_candidates
from kgqa.answer.llm import check_citations, llm_answer
from kgqa.index.bm25 import tokenize
from kgqa.ingest.sentences import split_sentences
from kgqa.testing import FakeChatModel, FakeEmbedder
from kgqa.types import Chunk, Hit

pytestmark = pytest.mark.unit

DOC = (
    "前言\n"
    "### 9. 什么是知识蒸馏？\n\n"
    "**题目：** 请解释知识蒸馏。\n\n"
    "**答案：** 知识蒸馏通过训练一个较小的学生模型来模仿较大的教师模型。温度系数控制软目标分布的平滑程度。\n"
    "### 10. 什么是剪枝？\n\n剪枝去除冗余的神经元或参数。\n"
)


def chunk(text: str, heading: str) -> Chunk:
    start = DOC.index(text)
    return Chunk(f"c{start}", "doc", start, start + len(text), text, heading=("题库", heading))


KD = chunk(DOC[DOC.index("### 9."):DOC.index("### 10.")].strip(), "9. 什么是知识蒸馏？")
PRUNE = chunk(DOC[DOC.index("### 10."):].strip(), "10. 什么是剪枝？")
EMB = FakeEmbedder(dim=128)
SENTS = {c.chunk_id: split_sentences(c) for c in (KD, PRUNE)}
VECS = {cid: EMB.embed([s.text for s in ss], "passage") for cid, ss in SENTS.items()}


def scored(question: str, hits: list[Hit]):  # type: ignore[no-untyped-def]
    q = EMB.embed([question], "query")[0]
    return score_candidates(question, question, hits, SENTS, {cid: v @ q for cid, v in VECS.items()}, tokenize)


def test_sentences_map_back_to_exact_document_spans():
    for ss in SENTS.values():
        for s in ss:
            assert DOC[s.start : s.end] == s.text


def test_headings_labels_and_question_echo_are_never_quoted():
    cands = scored("知识蒸馏是什么", [Hit(KD, 1.0)])
    texts = [s.text for _, _, s, _ in cands]
    assert not any(t.startswith("###") or t.startswith("**题目") for t in texts)
    assert any("学生模型" in t for t in texts)


def test_the_answer_quotes_the_defining_sentence_with_its_citation():
    hits = [Hit(KD, 1.0), Hit(PRUNE, 0.5)]
    picked = pick_sentences(0, scored("知识蒸馏如何训练学生模型", hits), SENTS)
    text, cites = render(picked, ["知识蒸馏如何训练学生模型"], {"doc": "题库"}, "zh")
    assert "学生模型" in cites[0].quote and "[1]" in text
    for c in cites:
        assert DOC[c.start : c.end] == c.quote and c.doc_id == "doc" and c.section.endswith("知识蒸馏？")
    assert sum(len(c.quote) for c in cites) < 300


def test_each_part_of_a_two_part_question_gets_its_own_evidence():
    parts = ["知识蒸馏如何训练学生模型？", "剪枝去除什么？"]
    picked = []
    for i, (p, hits) in enumerate(zip(parts, [[Hit(KD, 1)], [Hit(PRUNE, 1)]], strict=True)):
        picked += pick_sentences(i, scored(p, hits), SENTS)
    text, cites = render(picked, parts, {"doc": "题库"}, "zh")
    assert text.startswith("1. ") and "\n2. " in text
    assert {c.chunk_id for c in cites} == {KD.chunk_id, PRUNE.chunk_id}


def test_english_answers_say_the_quotes_are_chinese():
    picked = pick_sentences(0, scored("knowledge distillation 知识蒸馏", [Hit(KD, 1)]), SENTS)
    text, _ = render(picked, ["What is knowledge distillation?"], {}, "en")
    assert text.startswith("From the knowledge base")


def test_abstention_messages_in_both_languages():
    assert abstention_text("zh", "扩散模型", ["知识蒸馏"]).startswith("知识库中没有找到关于“扩散模型”")
    assert "has no passage about" in abstention_text("en", "RLHF", [])


COVERAGE = Coverage(DOC.lower(), frozenset(tokenize(DOC)))


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("什么是知识蒸馏？", []),
        ("剪枝有什么优缺点？", []),  # framing nouns are not the subject
        ("卷积神经网络中的池化层有什么作用？", ["卷积", "神经网络", "池化层"]),
        ("推理时的 KV cache 起什么作用？", ["KV"]),  # English terms in a Chinese question count; "cache" is ordinary
        ("How does RLHF work?", ["RLHF"]),
        ("How do I configure autoscaling in Kubernetes?", ["Kubernetes"]),
        ("How does knowledge distillation work?", []),  # ordinary English words do not count
    ],
)
def test_unknown_key_terms(question, unknown):
    assert unknown_terms(question, [], COVERAGE) == unknown


def test_linked_concepts_are_never_unknown():
    q = "How does RLHF work?"
    assert unknown_terms(q, [(9, 13)], COVERAGE) == []


def test_a_list_answer_takes_the_items_after_its_lead():
    text = (
        "### 7. 方法\n\n剪枝是一种压缩方法。以下是一些剪枝方法：\n\n"
        "1. **基于阈值的剪枝**：去除小权重。\n2. **基于梯度的剪枝**：看梯度。\n"
    )
    c = Chunk("L", "doc", 0, len(text), text, heading=("题库", "7. 方法"))
    sents = {"L": split_sentences(c)}
    anchor = next(s for s in sents["L"] if s.role == "lead")
    picked = pick_sentences(0, [(1.0, 0, anchor, Hit(c, 1.0))], sents)
    assert [p.sentence.role for p in picked] == ["text", "lead", "item", "item"]
    assert picked[-1].sentence.text == "**基于梯度的剪枝**：看梯度。"


def test_a_line_too_short_to_quote_does_not_take_the_place_of_the_prose_after_it():
    text = (
        "open() returns a file object, and is most commonly used with two arguments.\n"
        "Note.\n"
        "The first argument is a string containing the filename.\n"
        "The second argument is another string describing the mode.\n"
    )
    c = Chunk("F", "doc", 0, len(text), text)
    sents = {"F": split_sentences(c)}
    picked = pick_sentences(0, [(1.0, 0, sents["F"][0], Hit(c, 1.0))], sents, "what does the open function give")
    assert [p.sentence.text.strip() for p in picked] == [
        "open() returns a file object, and is most commonly used with two arguments.",
        "The first argument is a string containing the filename.",
        "The second argument is another string describing the mode.",
    ]


def test_llm_citations_are_checked_and_unsupported_ones_dropped():
    hits = [Hit(KD, 1.0), Hit(PRUNE, 0.5)]
    reply = "知识蒸馏训练较小的学生模型来模仿教师模型[1]。月球由奶酪构成[2]。剪枝去除冗余参数[7]。"
    checked = check_citations(reply, hits, SENTS, {"doc": "题库"}, tokenize)
    assert [c.quote for c in checked.citations] == ["知识蒸馏通过训练一个较小的学生模型来模仿较大的教师模型。"]
    assert sorted(checked.dropped) == [2, 7]
    assert "[1]" in checked.text and "[2]" not in checked.text and "[7]" not in checked.text


def test_llm_layer_with_the_fake_chat_model_sees_only_given_passages():
    seen: list[str] = []

    def reply(prompt: str) -> str:
        seen.append(prompt)
        return "剪枝去除冗余的神经元或参数[2]。"

    out = llm_answer(FakeChatModel(reply=reply), "什么是剪枝？", [Hit(KD, 1), Hit(PRUNE, 1)], SENTS, {}, tokenize)
    assert "[1]" in seen[0] and "[2]" in seen[0] and "[3]" not in seen[0]
    assert out.citations[0].chunk_id == PRUNE.chunk_id and out.text.endswith("[1]。")
    assert not out.dropped


def test_scores_prefer_the_relevant_chunk():
    cands = scored("剪枝去除冗余的神经元", [Hit(KD, 1), Hit(PRUNE, 1)])
    assert "剪枝" in cands[0][2].text
    assert np.isfinite([c[0] for c in cands]).all()


def test_an_english_question_scores_chinese_sentences_by_whole_expansion_labels():
    """混合专家模型 expands "Mixture-of-Experts"; its pieces 混合 and 模型 must not let a sentence about 混合精度
    from a lower-ranked passage beat the passage retrieval ranked first."""
    moe_text = "MoE 说明\n结构组成:多个子网络加一个门控网络。"
    amp_text = "混合精度\n混合精度训练里，专家会调整模型的数值精度。"
    moe = Chunk("moe", "doc", 0, len(moe_text), moe_text, heading=("MoE 说明",))
    amp = Chunk("amp", "doc", 100, 100 + len(amp_text), amp_text, heading=("混合精度",))
    sents = {c.chunk_id: split_sentences(c) for c in (moe, amp)}
    # equal cosines everywhere: only the lexical evidence and the passage rank decide
    vecs = {cid: np.full((len(ss), 4), 0.5, dtype=np.float32) for cid, ss in sents.items()}
    q = np.full(4, 0.5, dtype=np.float32)
    question = "How does a Mixture-of-Experts layer work?"
    cands = score_candidates(question, f"{question} 混合专家模型", [Hit(moe, 1), Hit(amp, 1)], sents,
                             {cid: v @ q for cid, v in vecs.items()}, tokenize)
    assert cands[0][2].chunk_id == "moe", [(c[0], c[2].text) for c in cands]


def test_in_a_half_translated_manual_the_english_sentence_that_answers_a_chinese_question_is_chosen() -> None:
    en_text = "If you hit TAB by accident, the docks are hidden. Press TAB again to show them."
    zh_text = "新的工具包包括可以停靠的对话框。对话框有了一个小小的标签菜单。"
    en, zh = Chunk("en", "doc", 0, len(en_text), en_text), Chunk("zh", "doc", 100, 100 + len(zh_text), zh_text)
    sents = {c.chunk_id: split_sentences(c) for c in (en, zh)}
    # the model's cosines: every Chinese sentence above every English one, whatever it says
    sims = {"en": np.array([0.84, 0.78]), "zh": np.array([0.90, 0.88])}
    hits = [Hit(en, 1.0), Hit(zh, 0.9)]
    best = score_candidates("工具窗口突然全没了咋整", "工具窗口突然全没了咋整", hits, sents, sims, tokenize)[0]
    assert best[2].chunk_id == "en"
    # passages of one language only (or one sentence of the other): nothing is shifted
    assert _language_shift([(False, 0.9), (False, 0.8), (True, 0.7)], english=False) == {}
