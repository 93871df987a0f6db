"""No text rule of the graph stage is super-linear in its input: each rule is timed on a long run of an
adversarial piece of text and on a run four times as long, and the longer run must cost about four times
as much (a generous factor of 10; quadratic work costs 16 times as much, backtracking far more).

Timing is relative only, in CPU time of the calling thread: every measurement repeats the call until it takes
a few milliseconds, the short and the long run are timed in turn, and the best of seven of each is compared,
so a slow or busy machine scales both sides alike."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kgqa.graph import patterns, relations, terms
from kgqa.graph.lexicon import Lexicon
from kgqa.graph.model import Sentence

pytestmark = pytest.mark.unit

GROWTH = 4
FACTOR = 10.0
BASE_CHARS = 1000  # the shorter run; the longer one is GROWTH times this
MIN_SECONDS = 0.003
ROUNDS = 7

# pieces the rules react to: English terms and their separators, brackets, Chinese keywords and verbs,
# list and bold markup, concept names of LEXICON, and plain filler
PIECES = [
    " ", "  ", "a", "Ab", "RoPE", "x1", "-", ".", "'", "(", ")", "（", "）", "，", ",", "：", ":", "**", "- ",
    "1. ", "#", "“", "”", "\"", "如", "例如", "又称", "简称", "是", "是一种", "是指", "什么是", "如何工作", "的",
    "和", "与", "、", "通过", "使用", "防止", "实现", "由", "组成", "包含", "相比", "而不是", "区别", "变体",
    "注意力", "位置编码", "Transformer", "？", "。", "\n", "😀", "中",
]
LEXICON = Lexicon({"注意力": "attention", "位置编码": "position-encoding", "transformer": "transformer"})


def _seconds(call: Callable[[Any], object], arg: Any, reps: int) -> float:
    # this thread's CPU time, not the wall clock: other processes on a busy machine take turns on the CPU
    # without being counted
    started = time.thread_time()
    for _ in range(reps):
        call(arg)
    return time.thread_time() - started


def assert_linear(
    call: Callable[[Any], object], unit: str, end: str = "", prepare: Callable[[str], Any] = lambda text: text
) -> None:
    """``call(prepare(text))`` on a run of ``unit`` (then ``end``) and on a run GROWTH times as long; only
    ``call`` is timed."""
    run = unit * max(1, BASE_CHARS // len(unit))
    short, long = run + end, run * GROWTH + end
    a, b = prepare(short), prepare(long)
    call(a)  # warm caches
    reps = 1
    while _seconds(call, a, reps) < MIN_SECONDS and reps < 10_000:
        reps *= 2
    # in turn, so that a burst of load elsewhere slows both sides, not one
    t_short = t_long = float("inf")
    for _ in range(ROUNDS):
        t_short = min(t_short, _seconds(call, a, reps))
        t_long = min(t_long, _seconds(call, b, reps))
    assert t_long <= FACTOR * t_short, (
        f"{getattr(call, '__name__', call)} on {GROWTH}x the text ({len(long)} chars of {unit!r}) took "
        f"{t_long / t_short:.1f}x as long"
    )


def linked(text: str) -> patterns.Linked:
    return patterns.link_sentence(Sentence("c", "d", 0, len(text), text), LEXICON, "attention")


TERM_RULES: list[Callable[[str], object]] = [
    terms.en_tail, terms.zh_tail, terms.pair_terms, terms.alias_terms, terms.english_alias_terms, terms.label_terms,
    terms.english_terms, terms.quoted_terms, terms.definition_terms, terms.heading_terms, terms.mine_sentence,
]
units = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.timeout(300)  # backtracking turns a failure into a hang; this turns the hang back into one
@pytest.mark.parametrize("rule", TERM_RULES, ids=lambda r: r.__name__)
@FUZZ
@given(unit=units)
@example(unit="abcdefgh ")  # long words before a non-term end: exponential for (?:TERM[ ]?)+$ (4 took 60 s)
@example(unit="ab ")
@example(unit="Ab-")
@example(unit=" ")
@example(unit="（a）")
@example(unit="什么是")
def test_term_rules_are_linear(rule: Callable[[str], object], unit: str) -> None:
    assert_linear(rule, unit, end="!")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("rule", relations.SENTENCE_RULES, ids=lambda r: r.__name__)
@FUZZ
@given(unit=units)
@example(unit=" ")
@example(unit="（如 ")
@example(unit="注意力通过位置编码")
@example(unit="注意力 ")
@example(unit="注意力的")
@example(unit="注意力防止位置编码，如注意力")
@example(unit="（注意力）包含注意力")
def test_sentence_rules_are_linear(rule: Callable[[patterns.Linked], object], unit: str) -> None:
    # each rule's own cost: the sentence is linked (by the lexicon, not a rule of these modules) untimed
    assert_linear(rule, unit, prepare=linked)


_OLD_EN_TAIL = re.compile(rf"(?:{terms._ASCII_TERM}[ ]?)+$")


def _en_tail_by_regex(text: str, words: int = 0) -> str:
    """en_tail as the backtracking regex computed it, kept as the reference on short inputs."""
    m = _OLD_EN_TAIL.search(text.rstrip())
    if not m:
        return ""
    parts = [p for p in m.group(0).split(" ") if p]
    if words:
        parts = parts[-words:]
    while parts and parts[0].lower() in terms._EN_STOP:
        parts = parts[1:]
    return " ".join(parts)


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="aZ9-.' x中(", max_size=14), words=st.integers(0, 3))
@example(text="the Multi-Head Attention", words=0)
@example(text="a..b  c'd", words=2)
def test_en_tail_gives_what_the_regex_gave(text: str, words: int) -> None:
    assert terms.en_tail(text, words) == _en_tail_by_regex(text, words)
