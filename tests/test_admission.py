"""Long questions take turns; short ones never wait for them."""

from __future__ import annotations

import threading

import pytest

from kgqa import admission
from kgqa.tuning import ADMISSION

pytestmark = pytest.mark.unit

LONG = "注" * (ADMISSION.long_chars + 1)


def test_a_second_long_question_waits_and_a_short_one_does_not() -> None:
    assert ADMISSION.long_slots == 1
    release, entered_long, entered_short = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with admission.turn(LONG):
            release.wait(30)

    def second(question: str, entered: threading.Event) -> None:
        with admission.turn(question):
            entered.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        short = threading.Thread(target=second, args=("什么是注意力？", entered_short))
        waiting = threading.Thread(target=second, args=(LONG, entered_long))
        short.start()
        waiting.start()
        assert entered_short.wait(10)
        assert not entered_long.wait(1.0)  # still held by the first long question
    finally:
        release.set()
    assert entered_long.wait(10)
    for t in (holder, short, waiting):
        t.join(10)
