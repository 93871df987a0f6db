"""SQLite store of the answers the bot posted and the 👍/👎 votes on them, and of the Slack events handled.

Every answer is recorded (the share button and the votes refer to it by id); a vote row joins it to the
question, the answer text and its citations, which is what ``kgqa feedback export`` prints. One connection
per call: Bolt runs listeners on a thread pool, and replicas share the file (see :mod:`kgqa.apps.state`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from kgqa.apps.state import connect, open_state, state_path
from kgqa.config import Settings
from kgqa.errors import InputError
from kgqa.types import Answer, Citation, RelatedConcept

Vote = Literal["up", "down"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,        -- Answer.to_dict() as JSON
    channel TEXT NOT NULL,
    user TEXT NOT NULL,
    ts REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(answer_id),
    user TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    ts REAL NOT NULL,
    PRIMARY KEY (answer_id, user)  -- changing one's mind replaces the vote
);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,   -- Slack's event id: a redelivery carries the same one
    ts REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (ts);
"""


def default_path(settings: Settings) -> Path:
    """The state database (``KGQA_STATE_URL``; default ``<index_dir>/slack/feedback.sqlite``)."""
    return state_path(settings)


def answer_from_dict(d: dict[str, Any]) -> Answer:
    return Answer(
        answer=d["answer"],
        citations=[Citation(**c) for c in d.get("citations", [])],
        related_concepts=[RelatedConcept(**r) for r in d.get("related_concepts", [])],
        concepts=list(d.get("concepts", [])),
        abstained=bool(d.get("abstained", False)),
    )


@dataclass(frozen=True)
class StoredAnswer:
    answer_id: str
    question: str
    answer: Answer
    channel: str
    user: str


@dataclass(frozen=True)
class FeedbackRow:
    answer_id: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    vote: str
    user: str
    channel: str
    ts: str  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        open_state(self.path, SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with connect(self.path) as db:
            yield db

    def first_delivery(self, event_id: str, ttl: float) -> bool:
        """True for the first delivery of ``event_id`` to any process sharing this store, False for a redelivery
        within ``ttl`` seconds. One atomic insert decides, so two replicas given the same event at once cannot
        both win."""
        now = time.time()
        with self._connect() as db:
            db.execute("DELETE FROM events WHERE ts < ?", (now - ttl,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO events (event_id, ts) VALUES (?, ?)", (event_id, now)
            ).rowcount
        return inserted == 1

    def record_answer(self, question: str, answer: Answer, *, channel: str, user: str, place: str) -> str:
        """Store an answer; its id hashes where it was asked (``place``: thread or trigger), the question and
        the answer, so a retried delivery records the same row."""
        payload = json.dumps(answer.to_dict(), ensure_ascii=False, sort_keys=True)
        key = "\x1f".join([channel, place, question, payload])
        answer_id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO answers (answer_id, question, answer, channel, user, ts) "
                "VALUES (?,?,?,?,?,?)",
                (answer_id, question, payload, channel, user, time.time()),
            )
        return answer_id

    def get(self, answer_id: str) -> StoredAnswer | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT question, answer, channel, user FROM answers WHERE answer_id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredAnswer(answer_id, row[0], answer_from_dict(json.loads(row[1])), row[2], row[3])

    def vote(self, answer_id: str, vote: str, user: str) -> bool:
        """Record ``user``'s vote; False when the answer is unknown (e.g. another store, or deleted)."""
        if vote not in ("up", "down"):
            raise InputError(f"vote must be 'up' or 'down', got {vote!r}")
        with self._connect() as db:
            if db.execute("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT OR REPLACE INTO votes (answer_id, user, vote, ts) VALUES (?,?,?,?)",
                (answer_id, user, vote, time.time()),
            )
        return True

    def export(self) -> list[FeedbackRow]:
        """Every vote with its question, answer and citations, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT v.answer_id, a.question, a.answer, v.vote, v.user, a.channel, v.ts "
                "FROM votes v JOIN answers a USING (answer_id) ORDER BY v.ts, v.answer_id, v.user"
            ).fetchall()
        out = []
        for answer_id, question, payload, vote, user, channel, ts in rows:
            answer = json.loads(payload)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
            out.append(
                FeedbackRow(
                    answer_id,
                    question,
                    answer["answer"],
                    answer.get("citations", []),
                    vote,
                    user,
                    channel,
                    stamp,
                )
            )
        return out
