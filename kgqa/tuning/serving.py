"""Serving: retries of remote calls, the shared state database, admission of long questions, rebuilds.

Part of :mod:`kgqa.tuning`; see its docstring for the rules every constant follows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Retry:
    """Retries of a remote embedding request (``index/remote.py``) on 408, 429, 5xx and connection errors."""

    # five tries with waits of about 0.5, 1, 2 and 4 s: a server restarting or scaling up (TEI loads
    # multilingual-e5-small in a few seconds) is back before the last one; a server that is down is reported
    # within about 8 s instead of hanging a build. Not fitted.
    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 8.0
    # a Retry-After (429/503) is honoured up to this many seconds; a server asking for longer is reported
    # instead, with what it asked for. Not fitted.
    max_retry_after: float = 60.0


@dataclass(frozen=True)
class State:
    """The shared state database of the delivery channels (``apps/state.py``)."""

    # a writer holds SQLite's lock for about a millisecond (one insert), so even a burst of Slack deliveries
    # to several replicas queues for far less; 10 s only runs out when a process holds the lock while stuck,
    # and then failing (and logging) beats waiting for ever. Not fitted.
    busy_timeout_s: float = 10.0
    # Slack redelivers an event at most three times, within about 5 minutes of the first; event ids are kept
    # an hour, then pruned, so the table stays small. Not fitted.
    event_ttl_s: float = 3600.0


@dataclass(frozen=True)
class Admission:
    """How many long questions are answered at once (``admission.py``)."""

    # a question longer than this is long: the longest of the 314 dev-set questions has 106 characters, and a
    # question at the 2,000-character cap costs about 5 normal ones (`python bench/attack.py --start`)
    long_chars: int = 300
    # one at a time: four clients sending cap-length questions back to back otherwise keep both cores of a
    # small machine busy, and a normal question's p95 went from 38 to 227 ms. Not fitted.
    long_slots: int = 1


@dataclass(frozen=True)
class Rebuild:
    """The background rebuild of a server on the default model, in a child process (``apps/api/rebuild.py``)."""

    # added to the server's niceness in the build process: requests come first, and the build still has every
    # core nobody else wants. 5, not more: beside two busy processes on two cores, a nice-10 build gets about
    # 0.1 core (weight 110 against 1024 each), a seventh of an even share, which would stretch a 20 s rebuild
    # past two minutes; at nice 5 (weight 335) it gets about 0.3 core. Not fitted.
    niceness: int = 5


RETRY = Retry()
STATE = State()
ADMISSION = Admission()
REBUILD = Rebuild()
