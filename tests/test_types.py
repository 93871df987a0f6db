"""The plain types' conversions: ``Answer.to_dict`` is what ``dataclasses.asdict`` gives, built directly."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from kgqa.types import Answer, Citation, RelatedConcept

pytestmark = pytest.mark.unit


def _answer() -> Answer:
    citations = [Citation(n, f"c{n}", "d", "标题", "a > b", f"句子{n}。", 10 * n, 10 * n + 4, 0.5 + n / 10, n % 2)
                 for n in (1, 2)]
    related = [RelatedConcept("moe", "MoE", "混合专家模型", "variant-of", "什么是MoE？")]
    return Answer("答案。[1][2]", citations, related, ["moe", "transformer"], outcome="caveat", missing=["RLHF"])


@pytest.mark.parametrize("answer", [_answer(), Answer("你好！", outcome="chitchat"), Answer("", abstained=True)])
def test_to_dict_is_asdict(answer: Answer) -> None:
    got = answer.to_dict()
    assert json.dumps(got, ensure_ascii=False) == json.dumps(asdict(answer), ensure_ascii=False)
    assert got == asdict(answer)


def test_to_dict_copies_the_lists() -> None:
    answer = _answer()
    got = answer.to_dict()
    got["concepts"].append("x")
    got["missing"].clear()
    got["citations"][0]["quote"] = "changed"
    assert answer.concepts == ["moe", "transformer"] and answer.missing == ["RLHF"]
    assert answer.citations[0].quote == "句子1。"
