"""Stage timings for whoever asks for them (the HTTP service's metrics): the pipeline marks the end of each
stage, an observer receives ``(stage, seconds)``. With no observer nothing is measured.

>>> seen = []
>>> laps = Laps(lambda stage, seconds: seen.append(stage))
>>> laps.lap("analyse"); laps.lap("retrieve")
>>> seen
['analyse', 'retrieve']
"""

from __future__ import annotations

import time
from collections.abc import Callable

StageObserver = Callable[[str, float], None]


class Laps:
    """A stopwatch whose every ``lap(stage)`` reports the time since the previous lap (or since it was made)."""

    def __init__(self, observe: StageObserver | None) -> None:
        self._observe = observe
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        if self._observe is None:
            return
        now = time.perf_counter()
        self._observe(stage, now - self._last)
        self._last = now
