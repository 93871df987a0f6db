"""The state the delivery channels keep beside the index: Slack's answers and votes, and the ids of the events
already handled. Several ``kgqa serve`` replicas share it, so it lives in one SQLite database that every
process opens (WAL mode: readers never block the one writer; a busy timeout makes writers queue instead of
failing), and every "have we seen this?" is one atomic statement, never a read followed by a write.

``KGQA_STATE_URL`` says where it is: unset, ``<KGQA_INDEX_DIR>/slack/feedback.sqlite`` (where it always was);
else a ``sqlite:///`` URL. SQLite over a network file system is not safe (its locks are not), so replicas on
several hosts need a state database each host reaches; only SQLite is implemented so far.

>>> state_path(Settings(index_dir="idx", state_url="sqlite:///var/kgqa/state.sqlite"))
PosixPath('var/kgqa/state.sqlite')
>>> state_path(Settings(index_dir="idx", state_url="sqlite:////srv/kgqa/state.sqlite"))
PosixPath('/srv/kgqa/state.sqlite')
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from kgqa.config import Settings
from kgqa.errors import ConfigError
from kgqa.tuning import STATE

SQLITE_PREFIX = "sqlite:///"


def state_path(settings: Settings) -> Path:
    """The SQLite file of the shared state, from ``KGQA_STATE_URL`` (default: in the index folder)."""
    url = settings.state_url
    if not url:
        return settings.index_dir / "slack" / "feedback.sqlite"
    if url.startswith(SQLITE_PREFIX) and len(url) > len(SQLITE_PREFIX):
        return Path(url[len(SQLITE_PREFIX):])
    scheme = url.split(":", 1)[0] if ":" in url else url
    raise ConfigError(
        f"KGQA_STATE_URL={url!r} is not supported ({scheme!r}): this version keeps its state in SQLite only; "
        "set it to sqlite:///relative/path.sqlite or sqlite:////absolute/path.sqlite on a local disk that every "
        "replica of this host reaches, or leave it unset for <KGQA_INDEX_DIR>/slack/feedback.sqlite."
    )


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One connection for one unit of work, committed on success (callers run on thread pools and in several
    processes, so no connection is shared). Writers wait up to ``STATE.busy_timeout_s`` for the lock."""
    with closing(sqlite3.connect(path, timeout=STATE.busy_timeout_s)) as db, db:
        db.execute(f"PRAGMA busy_timeout = {int(STATE.busy_timeout_s * 1000)}")
        yield db


def open_state(path: Path, schema: str) -> None:
    """Create the folder, switch the database to WAL (persistent: set once, seen by every process) and create
    ``schema``'s tables if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + STATE.busy_timeout_s
    while True:
        try:
            with connect(path) as db:
                mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise ConfigError(
                        f"the state database {path} cannot use WAL mode (SQLite says {mode!r}); put it on a "
                        "local disk (not a network file system) with KGQA_STATE_URL=sqlite:////local/path.sqlite."
                    )
                db.executescript(schema)
            return
        except sqlite3.OperationalError as exc:
            # two processes starting together: SQLite refuses the second one's switch to WAL at once, without
            # waiting (it would deadlock), so it tries again until the busy timeout
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
