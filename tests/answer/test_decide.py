"""Graded abstention, typo and ordinary-word tolerance, chit-chat, and the knowledge base's overview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from kgqa.answer.abstain import Coverage, TermCheck, assess_terms, is_ordinary
from kgqa.answer.chitchat import kind_of, reply
from kgqa.answer.decide import Floors, Judge, Signals, decide, word_coverage
from kgqa.index.bm25 import tokenize
from kgqa.tuning import DECIDE
from kgqa.types import Chunk, Hit

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


EN_DOC = ("The GNU Free Documentation License lets you copy this manual. To make a virtual environment, run the venv "
          "module. Release 2.4 added a new crop tool. ") * 20
EN = Coverage(EN_DOC.lower(), frozenset(tokenize(EN_DOC)))


def test_an_acronym_the_corpus_spells_out_is_known():
    terms = assess_terms("Does the GFDL allow commercial copies?", [], EN)
    assert "GFDL" in terms.known and "GFDL" not in terms.unknown
    assert "GFDL" in assess_terms("Does the GFDL allow commercial copies?", [], COVERAGE).unknown


def test_a_rare_lowercase_word_an_english_corpus_lacks_is_unknown():
    assert EN.writes_english and not COVERAGE.writes_english
    assert assess_terms("how do I write tests with pytest fixtures?", [], EN).unknown == ("pytest",)
    assert not assess_terms("how do i make a virtaul environment", [], EN).unknown  # a typo of a corpus word
    # a Chinese corpus may write the word only in Chinese (decoder, 解码器)
    assert not assess_terms("how do I write tests with pytest fixtures?", [], COVERAGE).unknown


def test_a_version_number_is_a_key_term():
    assert "3.0" in assess_terms("GIMP 3.0 什么时候发布", [], EN).unknown
    assert "2.4" in assess_terms("2.4 的剪裁工具有什么变化", [], EN).known


@pytest.mark.parametrize("question", ["GIMP 3.0 什么时候发布", "What is new in release 2.6?", "2.10 版有哪些新功能",
                                      "what changed in python 3.13"])
def test_a_question_about_a_release_the_corpus_never_names_is_refused(question: str):
    terms = assess_terms(question, [], EN)
    assert terms.releases and set(terms.releases) <= set(terms.unknown)
    # even with passages that match the rest of the question well (about other releases)
    decision = decide(Signals(terms, 1, 0.95, 1.0), Floors(0.8, 0.83))
    assert decision.outcome == "refused" and decision.missing == terms.releases


@pytest.mark.parametrize("question", ["为什么 0.1 + 0.7 不等于 0.8", "is 3.5 bigger than 3.25?",
                                      "2.4 的剪裁工具有什么变化"])
def test_a_number_that_names_no_missing_release_is_no_reason_to_refuse(question: str):
    assert not assess_terms(question, [], EN).releases


CN_DOC = "这份手册说明如何复制副本。违反许可证的人失去权利。"
CN = Coverage(CN_DOC.lower(), frozenset(tokenize(CN_DOC)))


def test_segmenter_accidents_are_not_unknown_terms():
    assert "本手册" not in assess_terms("这本手册是谁写的", [], CN).unknown  # 本 + 手册
    assert not [t for t in assess_terms("从我这拿到副本的人也会失去权利吗", [], CN).unknown if "副本" in t]


@pytest.mark.parametrize(("turn", "kind"), [
    ("Thanks, that solved it!", "thanks"), ("谢谢你，太有用了", "thanks"),
    ("Good evening! Who am I talking to?", "identity"),
    ("what kind of questions can I ask you?", "capabilities"),
    ("你好，请问你能帮我解答哪些方面的问题？", "capabilities"),
])
def test_chitchat_beyond_the_bare_phrases(turn: str, kind: str):
    assert kind_of(turn, lambda text: False) == kind


@pytest.mark.parametrize("turn", ["谢谢，那 MoE 呢？", "thanks, and how do I install it", "Thanks! now explain MoE"])
def test_a_thanks_that_goes_on_to_a_question_is_a_question(turn: str):
    assert kind_of(turn, lambda text: "moe" in text.lower()) is None


def test_short_words_and_acronyms_with_two_letters_swapped_are_typos():
    assert "vnev" in assess_terms("how do I use vnev here", [], EN).known  # venv
    terms = assess_terms("Does the GDFL let me copy it?", [], EN)
    assert "GDFL" in terms.known and not terms.unknown
    assert "XQZW" in assess_terms("Does the XQZW let me copy it?", [], EN).unknown


def test_a_compound_the_corpus_writes_as_two_words_is_known():
    doc = "Press F11 to toggle full screen mode. The crop tool keeps the aspect ratio. " * 20
    cov = Coverage(doc.lower(), frozenset(tokenize(doc)))
    assert "fullscreen" in assess_terms("fullscreen 模式怎么进", [], cov).known


def test_a_polite_opener_never_makes_a_compound_with_the_next_noun():
    doc = "按 F11 进入全屏模式。"
    cov = Coverage(doc.lower(), frozenset(tokenize(doc)))
    assert not assess_terms("请问全屏模式怎么进", [], cov).unknown


CODE_DOC = ("Put an __init__.py file in the package directory. Use range(10) to count, and os.path.join to build "
            "paths. A class can define methods; a module is a file of definitions.")
CODE = Coverage(CODE_DOC.lower(), frozenset(tokenize(CODE_DOC)))


@pytest.mark.parametrize(("question", "known", "unknown"), [
    ("What is __slots__ for?", (), ("__slots__",)),  # not "slots": an identifier is looked up whole
    ("how does functools.lru_cache work?", (), ("functools.lru_cache",)),
    ("为什么包的目录里要放 __init__.py", ("__init__.py",), ()),
    ("what does range() give me?", ("range()",), ()),  # a call is known when the corpus calls it
    ("is os.path.join slow?", ("os.path.join",), ()),
    ("what does rnage() give me?", ("rnage()",), ()),  # a typo of a call the corpus makes
])
def test_a_code_identifier_is_one_key_term(question: str, known: tuple[str, ...], unknown: tuple[str, ...]):
    terms = assess_terms(question, [], CODE)
    assert terms.unknown == unknown
    assert set(known) <= set(terms.known)


def test_a_name_the_question_sets_apart_is_a_term_unless_general_language_uses_it_often():
    assert is_ordinary("Django") and not is_ordinary("Django", DECIDE.name_ordinary_zipf)
    assert is_ordinary("Italian", DECIDE.name_ordinary_zipf)
    assert assess_terms("做网站用 Django 还是 Flask 好", [], CODE).unknown == ("Django", "Flask")
    assert assess_terms("Should I learn Django first?", [], CODE).unknown == ("Django",)
    assert not assess_terms("Is the tutorial in Italian?", [], CODE).unknown


def test_an_ordinary_word_naming_a_concept_does_not_dilute_the_unknown_terms():
    q = "how do I write my own decorator?"
    linked = [(q.index("write"), q.index("write") + 5)]  # the write() method's concept links the verb
    terms = assess_terms(q, linked, CODE)
    assert terms.unknown == ("decorator",) and "write" not in terms.known
    assert terms.unknown_share == 1.0
    rare = assess_terms("is os.path.join slow?", [(3, 15)], CODE)  # a linked name that is no ordinary word
    assert "os.path.join" in rare.known


HOMOPHONE_DOC = "搜索 束搜索 格式 模型"
HOMOPHONES = Coverage(HOMOPHONE_DOC, frozenset(HOMOPHONE_DOC.split()))


@pytest.mark.parametrize(("word", "expected"), [
    ("格试", True),  # the same sound as 格式
    ("搜素", True),  # one character off 搜索, the same initial sound (s-u / s-uo)
    ("搜狗", False),  # one character off, another initial sound
    ("某型", False),  # the second character kept, the first one off (mou: no word of the corpus)
    ("束搜素", True),  # three characters, one off 束搜索
    ("天气", False),
])
def test_a_chinese_word_typed_by_sound_is_known(word: str, expected: bool) -> None:
    from kgqa.answer.abstain import is_homophone_of_known

    assert is_homophone_of_known(word, HOMOPHONES) is expected


class NoConcepts:
    def link(self, text: str) -> list[tuple[str, str, int, int]]:
        return []


class FlatScores:
    def scores(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> Mapping[str, np.ndarray]:
        return {cid: np.array([0.9]) for cid in chunk_ids}


@dataclass
class Result:
    hits: Sequence[Hit]
    query_vector: np.ndarray


MANUAL = "GIMP 的图层面板列出图像的所有图层。GIMP 的滤镜菜单里有模糊和锐化滤镜。"


@pytest.mark.parametrize(("subject", "question", "outcome"), [
    # beside iPad, the question names only what every page of the manual names: nothing of it is in the corpus
    (frozenset({"gimp"}), "GIMP 有 iPad 版吗", "refused"),
    # the filters are in the corpus: answer what it says of them, and say that iPad is not
    (frozenset({"gimp"}), "GIMP 的滤镜能在 iPad 上用吗", "caveat"),
    # a corpus with no word on most of its chunks has no subject to discount
    (frozenset(), "GIMP 有 iPad 版吗", "caveat"),
])
def test_a_question_whose_only_known_word_is_the_corpus_subject_is_refused(
        subject: frozenset[str], question: str, outcome: str) -> None:
    coverage = Coverage(MANUAL.lower(), frozenset(tokenize(MANUAL)), subject=subject)
    judge = Judge(NoConcepts(), coverage, FlatScores(), tokenize, FLOORS)
    results = [Result([Hit(Chunk("c1", "d", 0, len(MANUAL), MANUAL), 1.0)], np.zeros(2))]
    signals = judge.signals(question, 0, results, "zh")
    assert signals.terms.unknown == ("iPad",)
    assert decide(signals, Floors(None, None)).outcome == outcome
