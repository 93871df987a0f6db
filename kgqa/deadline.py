"""A time budget for one unit of work, checked between its stages.

A Python thread cannot be stopped from outside, so a question or a build step that has run over its budget is
stopped at the next check: the stage running when the budget ran out finishes, the next one never starts.

>>> ticks = iter([0.0, 0.5, 2.5])
>>> budget = Deadline(2.0, "KGQA_ASK_TIMEOUT_S", clock=lambda: next(ticks))
>>> budget.check("retrieving passages")
>>> budget.check("composing the answer")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kgqa.errors.BudgetExceededError: over the time budget of 2 s (KGQA_ASK_TIMEOUT_S) after 2.5 s, before composing...
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kgqa.errors import BudgetExceededError


class Deadline:
    """``seconds`` from now (None or 0: no budget); ``setting`` names what sets it, for the error message, and
    ``fix`` what to do instead (default: raise the setting)."""

    def __init__(self, seconds: float | None, setting: str, *, clock: Callable[[], float] = time.monotonic,
                 fix: str = "") -> None:
        self.seconds, self.setting, self._clock = seconds or None, setting, clock
        self._fix = fix or f"raise {setting}"
        self._started = clock()

    @classmethod
    def none(cls) -> Deadline:
        """No budget: every check passes."""
        return cls(None, "")

    def elapsed(self) -> float:
        return self._clock() - self._started

    def expired(self) -> bool:
        return self.seconds is not None and self.elapsed() > self.seconds

    def check(self, next_stage: str) -> None:
        """Raise :class:`BudgetExceededError` when the budget is spent, before ``next_stage`` starts."""
        if self.seconds is None:
            return
        elapsed = self.elapsed()
        if elapsed > self.seconds:
            raise BudgetExceededError(
                f"over the time budget of {self.seconds:g} s ({self.setting}) after {elapsed:.1f} s, before "
                f"{next_stage}; {self._fix}."
            )
