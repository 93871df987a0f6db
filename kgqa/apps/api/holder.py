"""The served knowledge base: loaded once, re-indexed in the background, swapped atomically.

Queries call :meth:`KBHolder.get` and keep the object they got for the whole request, so a swap
never changes the index under a running query. Re-index requests coalesce: while one build runs,
any number of further requests cause exactly one more build after it, and builds never overlap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase

log = logging.getLogger(__name__)

Provider = Callable[[], "KnowledgeBase"]
# builds or refreshes the index on disk from the corpus folder
Builder = Callable[[], object]


@dataclass(frozen=True)
class ReindexState:
    running: bool
    pending: bool
    completed: int
    last_error: str | None


def _close(kb: object) -> None:
    index = getattr(kb, "index", None)
    close = getattr(index, "close", None)
    if callable(close):
        close()


class KBHolder:
    def __init__(self, provider: Provider, builder: Builder) -> None:
        self._provider = provider
        self._builder = builder
        self._kb: KnowledgeBase | None = None
        self._load_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._idle = threading.Condition(self._state_lock)
        self._worker: threading.Thread | None = None
        self._pending = False
        self._completed = 0
        self._last_error: str | None = None
        # A retired KB is closed at the next swap, not at once: requests that fetched it just before
        # the swap are still reading from it (a build takes seconds; a query milliseconds).
        self._retired: KnowledgeBase | None = None

    def get(self) -> KnowledgeBase:
        kb = self._kb
        if kb is not None:
            return kb
        with self._load_lock:
            if self._kb is None:
                self._kb = self._provider()
            return self._kb

    @property
    def loaded(self) -> bool:
        return self._kb is not None

    def request_reindex(self) -> None:
        """Schedule a rebuild from the corpus folder; returns at once."""
        with self._state_lock:
            self._pending = True
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="kgqa-reindex", daemon=True)
                self._worker.start()

    def state(self) -> ReindexState:
        with self._state_lock:
            return ReindexState(self._worker is not None, self._pending, self._completed, self._last_error)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no re-index is running or pending; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._worker is not None:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def close(self) -> None:
        self.wait_idle(timeout=60)
        for kb in (self._retired, self._kb):
            if kb is not None:
                _close(kb)
        self._retired = self._kb = None

    def _run(self) -> None:
        while True:
            with self._state_lock:
                if not self._pending:
                    self._worker = None
                    self._idle.notify_all()
                    return
                self._pending = False
            self._rebuild_once()

    def _rebuild_once(self) -> None:
        started = time.perf_counter()
        try:
            self.get()  # the index being replaced must be loaded before it can be swapped out
            self._builder()
            fresh = self._provider()
        except Exception as exc:  # a failed build must not kill the worker; the old index keeps serving
            log.exception("re-index failed; still serving the previous index")
            with self._state_lock:
                self._last_error = f"{type(exc).__name__}: {exc}"
            return
        old, self._kb = self._kb, fresh
        if self._retired is not None:
            _close(self._retired)
        self._retired = old
        with self._state_lock:
            self._completed += 1
            self._last_error = None
        log.info("re-indexed and swapped in %.1f s", time.perf_counter() - started)
