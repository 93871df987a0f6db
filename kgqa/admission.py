"""Long questions take turns: at most ``ADMISSION.long_slots`` of them are answered at once, so clients sending
questions at the length cap (each costs several normal ones) cannot take every core from the short ones.

>>> with turn("什么是注意力？"):
...     pass
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from kgqa.tuning import ADMISSION

_LONG = threading.BoundedSemaphore(ADMISSION.long_slots)
_count_lock = threading.Lock()
_in_flight = 0


def in_flight() -> int:
    """Questions this process is answering now (inside ``turn``)."""
    return _in_flight


def _add(n: int) -> None:
    global _in_flight
    with _count_lock:
        _in_flight += n


def is_long(text: str) -> bool:
    return len(text) > ADMISSION.long_chars


@contextmanager
def turn(question: str) -> Iterator[None]:
    """Waits for a slot when ``question`` is long; a short question goes at once. Counted in ``in_flight``."""
    _add(1)
    try:
        if not is_long(question):
            yield
            return
        with _LONG:
            yield
    finally:
        _add(-1)
