"""What retrieval reads of a question: fillers dropped, standard question words, Latin slips mended."""

from __future__ import annotations

import pytest

from kgqa.retrieve.analyse import analyse
from kgqa.retrieve.normalise import Speller, drop_fillers, plain, standard_question_words
from kgqa.types import Concept

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("asked", "read"), [
    ("请问gimp 是啥的缩写啊", "gimp 是什么的缩写"),
    ("gimp 都支持那些文件格试啊", "gimp 都支持那些文件格试"),
    ("按钮图标那种呢？", "按钮图标那种？"),
    ("为什么包的目录里非得放一个 __init__.py啊", "为什么包的目录里非得放一个 __init__.py"),
    ("um, how do I exit?", "how do I exit?"),
    ("How do I exit, please?", "How do I exit?"),
    ("can i put my own stuff up there please?", "can i put my own stuff up there?"),
])
def test_a_filler_or_a_colloquial_question_word_is_read_away(asked: str, read: str) -> None:
    assert plain(asked) == read


@pytest.mark.parametrize("text", ["附近有酒吧", "这是干嘛", "umbrella sizes?", "error codes?", "这个能用吗？"])
def test_words_that_only_contain_a_filler_are_kept(text: str) -> None:
    assert drop_fillers(text) == text


def test_a_question_of_fillers_alone_is_kept_as_asked() -> None:
    assert drop_fillers("请问") == "请问" and drop_fillers("um, please") == "um, please"


def test_colloquial_question_words_take_the_standard_form() -> None:
    assert standard_question_words("为啥咋办，啥意思") == "为什么怎么办，什么意思"


SPELLER = Speller(["gimp", "gfdl", "lora", "virtual", "freeze", "performance", "compression", "statement", "state",
                   "states", "venv", "模型"])


@pytest.mark.parametrize(("word", "mended"), [
    ("gmip", "gimp"),  # four letters: two swapped
    ("GDFL", "gfdl"),  # an acronym: two swapped back
    ("frezee", "freeze"),  # one edit from five letters
    ("perfromance", "performance"),
    ("vitraul", "virtual"),  # the same letters in another order, two swaps
    ("redistirbution", "redistribution"),  # a word general English has, two edits from nine letters
    ("alolwed", "allowed"),
])
def test_a_slip_is_mended_to_the_word_meant(word: str, mended: str) -> None:
    assert SPELLER.mend(word) == mended


@pytest.mark.parametrize("word", [
    "venv",  # a corpus word
    "states",  # a corpus word's plural
    "weather",  # a word of general English the corpus lacks
    "pytest", "numpy",  # names general English has seen
    "QLoRA",  # an acronym is a name as written, never a slip of a common word (flora) nor of another name
    "gpmi",  # four letters, not two swapped
    "stat",  # too short to tell
])
def test_a_word_that_is_no_slip_is_left_as_written(word: str) -> None:
    assert SPELLER.mend(word) is None


def test_a_word_equally_near_two_corpus_words_is_left_alone() -> None:
    assert Speller(["cart", "card"]).mend("carx") is None
    assert Speller(["parser", "parsed"]).mend("parses") is None


def test_correct_keeps_the_case_and_the_identifiers() -> None:
    assert SPELLER.correct("GMIP and Gmip: gmip") == "GIMP and Gimp: gimp"
    text = "does __init__.py or functools.lru_cache or frezee() need venv?"
    assert SPELLER.correct(text) == text


class Linker:
    concepts = {"data-parallelism": Concept("data-parallelism", "data parallelism", "数据并行", ["data parallel"])}

    def link(self, text):  # type: ignore[no-untyped-def]
        low, name = text.lower(), "data parallel"
        return [("data-parallelism", name, low.find(name), low.find(name) + len(name))] if name in low else []

    def concept(self, cid):  # type: ignore[no-untyped-def]
        return self.concepts[cid]


def test_a_slip_the_linker_misses_still_links_its_concept_and_is_read_mended() -> None:
    speller = Speller(["parallel", "model"])
    plan = analyse("data parlalel 和 model parallel 有啥区别啊", [], Linker(), speller.correct)
    part = plan.parts[0]
    assert part.text == "data parlalel 和 model parallel 有啥区别啊?"  # what was asked is kept as asked
    assert part.concepts == ["data-parallelism"] and plan.concepts == ["data-parallelism"]
    assert part.read == "data parallel 和 model parallel 有什么区别?"
    assert part.keyword_text.startswith(part.read) and "数据并行" in part.keyword_text
    assert plan.read == "data parallel 和 model parallel 有什么区别"
    assert analyse("data parlalel 是什么", [], Linker()).concepts == []  # without the speller the slip is lost
