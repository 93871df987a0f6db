"""Graded abstention, typo and ordinary-word tolerance, chit-chat, and the knowledge base's overview."""

from __future__ import annotations

import pytest

from kgqa.answer.abstain import Coverage, TermCheck, assess_terms, is_ordinary
from kgqa.answer.chitchat import kind_of, reply
from kgqa.answer.decide import Floors, Signals, decide, word_coverage
from kgqa.index.bm25 import tokenize

pytestmark = pytest.mark.unit

DOC = "Transformer 的解码器块包含自注意力机制和前馈网络。MoE (Mixture of Experts) 由多个专家网络组成。"
COVERAGE = Coverage(DOC.lower(), frozenset(tokenize(DOC)))
FLOORS = Floors(0.80, 0.83)


@pytest.mark.parametrize("question", ["transfomer 的解码器块里都有啥组件", "What does a Transfromer decoder hold?"])
def test_a_typo_of_a_known_term_is_known(question):
    terms = assess_terms(question, [], COVERAGE)
    assert not terms.unknown and any(t.lower().startswith("trans") for t in terms.known)


@pytest.mark.parametrize("word", ["天气", "足球", "weather", "Italian", "OK", "cache"])
def test_ordinary_words_are_not_key_terms(word):
    assert is_ordinary(word)


@pytest.mark.parametrize("word", ["池化层", "RLHF", "Kubernetes", "MoE", "RoPE", "FlashAttention"])
def test_terms_are_not_ordinary(word):
    assert not is_ordinary(word)


def test_ordinary_words_never_cause_a_refusal():
    terms = assess_terms("解码器：装包的时候网速太慢，能用 Italian 界面吗？OK", [], COVERAGE)
    assert "Italian" not in terms.unknown and "OK" not in terms.unknown and "解码器" in terms.known
    # words both frequency lists lack (装包, 网速) stay unknown, but beside a matching passage they only
    # earn a caveat, never a refusal
    assert decide(Signals(terms, 0, 0.85, 0.5), FLOORS).outcome == "caveat"


def test_answer_caveat_refuse():
    answer = decide(Signals(TermCheck(("解码器",), ()), 1, 0.88, 0.6), FLOORS)
    caveat = decide(Signals(TermCheck(("解码器",), ("Kubernetes",)), 1, 0.86, 0.5), FLOORS)
    refused = decide(Signals(TermCheck((), ("RLHF",)), 0, 0.86, 0.0), FLOORS)
    off_topic = decide(Signals(TermCheck((), ()), 0, 0.79, 0.0), FLOORS)
    assert (answer.outcome, caveat.outcome, refused.outcome, off_topic.outcome) == (
        "answer", "caveat", "refused", "refused")
    assert caveat.missing == ("Kubernetes",) and refused.missing == ("RLHF",)


def test_a_paraphrase_in_the_corpus_words_is_answered_without_a_linked_concept():
    assert decide(Signals(TermCheck((), ()), 0, 0.81, 0.5), FLOORS).outcome == "answer"


def test_word_coverage_ignores_framing_nouns():
    assert word_coverage(["作用", "剪枝"], ["剪枝"]) == 1.0
    assert word_coverage(["天气", "今天"], ["剪枝"]) == 0.0


@pytest.mark.parametrize(("turn", "kind"), [
    ("你好", "greeting"), ("Hi!! 👋", "greeting"), ("谢谢啦", "thanks"), ("thanks a lot, that was helpful", "thanks"),
    ("你都能帮我干点啥？", "capabilities"), ("what can you do?", "capabilities"), ("拜拜", "goodbye"),
    ("who are you?", "identity"),
])
def test_chitchat_is_recognised(turn, kind):
    assert kind_of(turn) == kind


@pytest.mark.parametrize("turn", ["你好，什么是RoPE？", "hello, how do I define a function?", "今天天气怎么样？",
                                  "thanks! and what about lists?", "history of GIMP", "ok so what is a tuple"])
def test_questions_are_not_chitchat(turn):
    assert kind_of(turn) is None


def test_chitchat_reply_speaks_the_users_language_and_suggests_questions():
    zh = reply("greeting", "zh", ["GIMP 手册"], ["什么是图层？"])
    en = reply("capabilities", "en", ["Python Tutorial"], ["What is a list?"])
    assert zh.startswith("你好") and "GIMP 手册" in zh and "什么是图层？" in zh
    assert "Python Tutorial" in en and "What is a list?" in en and "[" not in en
