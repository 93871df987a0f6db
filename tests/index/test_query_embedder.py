"""The query-first embedder: queries never load the full model; the first passage does, once."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from kgqa.index.embed import Embedder, QueryFirstEmbedder
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.unit


def _engine(texts: list[str]) -> np.ndarray:
    return FakeEmbedder(dim=8).embed(texts, kind="query")


def test_queries_go_through_the_engine_and_never_load_the_full_model():
    loads: list[int] = []
    e = QueryFirstEmbedder("m", 8, _engine, load_full=lambda: loads.append(1) or FakeEmbedder(8, "m"))
    assert isinstance(e, Embedder)
    vectors = e.embed(["注意力", "RoPE"], kind="query")
    assert vectors.shape == (2, 8) and vectors.dtype == np.float32
    assert np.allclose(vectors, _engine(["注意力", "RoPE"]))
    assert e.embed([], kind="passage").shape == (0, 8)
    assert loads == []


def test_the_first_passages_load_the_full_model_once_even_from_many_threads():
    full = FakeEmbedder(8, "m")
    loads: list[int] = []

    def load() -> FakeEmbedder:
        loads.append(1)
        return full

    e = QueryFirstEmbedder("m", 8, _engine, load_full=load)
    threads = [threading.Thread(target=e.embed, args=(["段落"], "passage")) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == [1]
    assert np.allclose(e.embed(["段落"], kind="passage"), full.embed(["段落"], kind="passage"))
    assert full.calls == [1] * 6  # four threads, then the two embeddings compared here


def test_a_repeated_query_is_embedded_once_and_old_ones_are_forgotten(monkeypatch: pytest.MonkeyPatch):
    import kgqa.index.embed as embed

    monkeypatch.setattr(embed, "RECENT_QUERIES", 3)
    seen: list[list[str]] = []

    def engine(texts: list[str]) -> np.ndarray:
        seen.append(texts)
        return _engine(texts)

    e = QueryFirstEmbedder("m", 8, engine, load_full=lambda: FakeEmbedder(8, "m"))
    first = e.embed(["a", "b", "a"], kind="query")
    assert np.allclose(first, _engine(["a", "b", "a"]))
    assert np.allclose(e.embed(["b"], kind="query"), _engine(["b"]))
    e.embed(["c", "d"], kind="query")  # keeps d, c, b: "a" is the least recent
    e.embed(["a", "d"], kind="query")
    assert seen == [["a", "b"], ["c", "d"], ["a"]]
    assert e.embed(["x", "y", "z", "w"], kind="query").shape == (4, 8)  # more than it keeps at once


def test_questions_encode_side_by_side():
    """A long question must not hold up the others: two encodes run at once (the engine is thread-safe)."""
    both_inside = threading.Barrier(2, timeout=10)

    def engine(texts: list[str]) -> np.ndarray:
        both_inside.wait()  # raises BrokenBarrierError if the encodes are serialised
        return _engine(texts)

    e = QueryFirstEmbedder("m", 8, engine, load_full=lambda: FakeEmbedder(dim=8))
    errors: list[BaseException] = []

    def ask(text: str) -> None:
        try:
            e.embed([text], kind="query")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(q,)) for q in ("什么是注意力", "what is RoPE")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_an_over_long_question_keeps_its_start_and_its_end():
    from kgqa.index.models import head_and_tail

    question = "日志：" + "错误" * 500 + "这个报错是什么意思？"
    cut = head_and_tail(question, len, 64)
    assert len(cut) <= 64 and cut.startswith("日志：") and cut.endswith("这个报错是什么意思？")
    assert head_and_tail("什么是注意力？", len, 64) == "什么是注意力？"
