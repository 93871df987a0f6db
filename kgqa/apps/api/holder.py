"""The served knowledge base: loaded once, re-indexed in the background, swapped atomically.

Queries call :meth:`KBHolder.get` and keep the object they got for the whole request, so a swap
never changes the index under a running query. Re-index requests coalesce: while one build runs,
any number of further requests cause exactly one more build after it, and builds never overlap.

A generation published by another process (``kgqa ingest`` beside the server, or another replica over the
same index folder) is noticed too: at most once per ``poll_seconds`` a query compares the published
generation with the one it serves, and a differing one is loaded in the background and swapped in.
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
# the generation published on disk now (its folder), or None when there is none
Published = Callable[[], object | None]
# told of every finished rebuild ("rebuild") or load of another process's generation ("reload"):
# (kind, seconds, succeeded)
ReindexObserver = Callable[[str, float, bool], None]
POLL_SECONDS = 2.0


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
    def __init__(self, provider: Provider, builder: Builder, published: Published | None = None,
                 poll_seconds: float = POLL_SECONDS, on_reindex: ReindexObserver | None = None) -> None:
        self._provider = provider
        self._on_reindex = on_reindex or (lambda kind, seconds, ok: None)
        self._builder = builder
        self._published = published
        self._poll_seconds = poll_seconds
        self._checked = time.monotonic()
        self._reload = False
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
            self._follow(kb)
            return kb
        with self._load_lock:
            if self._kb is None:
                self._kb = self._provider()
            return self._kb

    def served(self) -> KnowledgeBase | None:
        """What :meth:`get` would return, when that needs no waiting: the knowledge base is loaded and this is
        not the moment to look for another process's generation (which reads the index folder). Else None, and
        the caller calls :meth:`get` where blocking is allowed."""
        kb = self._kb
        if kb is None or (self._published is not None
                          and time.monotonic() - self._checked >= self._poll_seconds):
            return None
        return kb

    def _follow(self, kb: KnowledgeBase) -> None:
        """Load a generation another process published, in the background (the query goes on with ``kb``)."""
        if self._published is None or time.monotonic() - self._checked < self._poll_seconds:
            return
        self._checked = time.monotonic()
        published = self._published()
        if published is None or published == getattr(getattr(kb, "index", None), "folder", published):
            return
        with self._state_lock:
            if self._worker is None:
                self._reload = True
                self._worker = threading.Thread(target=self._run, name="kgqa-reload", daemon=True)
                self._worker.start()

    @property
    def loaded(self) -> bool:
        return self._kb is not None

    @property
    def current(self) -> KnowledgeBase | None:
        """What is served now, without loading or looking for a newer generation (for metrics)."""
        return self._kb

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
                build, reload = self._pending, self._reload
                if not build and not reload:
                    self._worker = None
                    self._idle.notify_all()
                    return
                self._pending = self._reload = False
            if build:
                self._rebuild_once()
            else:
                self._reload_once()

    def _reload_once(self) -> None:
        started = time.perf_counter()
        try:
            fresh = self._provider()
        except Exception:  # a half-published or foreign generation: keep serving, try at the next poll
            log.exception("could not load the newly published index; still serving the previous one")
            self._on_reindex("reload", time.perf_counter() - started, False)
            return
        self._swap(fresh)
        self._on_reindex("reload", time.perf_counter() - started, True)
        log.info("loaded the index another process published: %s", getattr(fresh.index, "folder", "?"))

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
            self._on_reindex("rebuild", time.perf_counter() - started, False)
            return
        self._swap(fresh)
        seconds = time.perf_counter() - started
        # observed before the state says "completed", so whoever waits for that sees the duration recorded
        self._on_reindex("rebuild", seconds, True)
        with self._state_lock:
            self._completed += 1
            self._last_error = None
        log.info("re-indexed and swapped in %.1f s", seconds)

    def _swap(self, fresh: KnowledgeBase) -> None:
        old, self._kb = self._kb, fresh
        if self._retired is not None:
            _close(self._retired)
        self._retired = old
