"""The key-term check does bounded work per question: the POS tagger reads a few characters at most, and
only a bounded number of candidate words is looked up in the corpus, however long the question."""

from __future__ import annotations

import pytest

from kgqa.answer import abstain
from kgqa.answer.abstain import MAX_KEY_TERMS, TAGGER_CHARS, Coverage, unknown_terms

pytestmark = pytest.mark.unit

DISTINCT_CJK = "".join(chr(0x4E00 + i * 7) for i in range(2000))


class CountingText(str):
    """Corpus text that counts the substring lookups made in it."""

    lookups = 0

    def __contains__(self, key: object) -> bool:
        CountingText.lookups += 1
        return super().__contains__(key)


@pytest.fixture
def tagged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text handed to jieba's part-of-speech tagger."""
    import jieba.posseg

    seen: list[str] = []
    real = jieba.posseg.cut

    def cut(text: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(jieba.posseg, "cut", cut)
    abstain._jieba()  # loaded before counting starts
    return seen


@pytest.mark.parametrize(
    "question",
    [DISTINCT_CJK, "注" * 2000, "😀" * 1000, "卷积神经网络中的池化层有什么作用？" * 100],
    ids=["distinct-cjk", "one-char", "emoji", "repeated-question"],
)
def test_the_tagger_reads_a_bounded_number_of_characters(question: str, tagged: list[str]) -> None:
    unknown_terms(question, [], Coverage("注意力", frozenset()))
    assert sum(len(t) for t in tagged) <= TAGGER_CHARS


def test_a_long_question_looks_up_a_bounded_number_of_words() -> None:
    CountingText.lookups = 0
    coverage = Coverage(CountingText("卷积神经网络 注意力"), frozenset())
    question = " ".join(f"Term{i}X 池化层{chr(0x4E00 + i)}" for i in range(1000))
    found = unknown_terms(question, [], coverage)
    assert found and len(found) <= MAX_KEY_TERMS
    assert CountingText.lookups <= 2 * MAX_KEY_TERMS  # Latin words may look twice (token set, then text)


def test_a_word_past_the_tagger_budget_counts_as_a_noun(
    monkeypatch: pytest.MonkeyPatch, tagged: list[str]
) -> None:
    # words jieba's dictionary lacks are mostly names and technical terms: untagged, they still count
    monkeypatch.setattr(abstain, "TAGGER_CHARS", 0)
    assert unknown_terms("卷积神经网络中的池化层有什么作用？", [], Coverage("卷积神经网络", frozenset())) == ["池化层"]
    assert tagged == []


def test_normal_questions_are_tagged_as_before(tagged: list[str]) -> None:
    cov = Coverage("卷积神经网络 注意力机制 transformer", frozenset({"注意力", "transformer"}))
    assert unknown_terms("卷积神经网络中的池化层有什么作用？", [], cov) == ["池化层"]
    assert tagged == ["池化层"]  # only the word the dictionary lacks goes through the HMM tagger
