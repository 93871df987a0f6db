"""``KnowledgeBase.warm_up``: what a server does before serving a knowledge base changes no answer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit

QUESTIONS = ["什么是注意力机制？", "What is a Transformer?", "池化层有什么作用？", "How does RLHF work?", "你好"]


def test_warm_up_changes_no_answer(make_fake_index) -> None:  # type: ignore[no-untyped-def]
    index = make_fake_index("warm")
    cold = index.load()
    before = [cold.ask(q).to_dict() for q in QUESTIONS]
    warm = index.load()
    from kgqa.retrieve import normalise

    normalise._english.cache_clear()
    warm.warm_up()
    assert "_pairs" in warm.judge.coverage.__dict__  # the keyword lists are made before the first question
    assert normalise._english.cache_info().currsize == 1  # and the speller's English word list
    assert [warm.ask(q).to_dict() for q in QUESTIONS] == before
