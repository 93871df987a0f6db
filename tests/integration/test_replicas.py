"""Two ``kgqa serve`` replicas, separate processes over one index folder: they answer alike, a document
uploaded through one is served by both, and a Slack event redelivered to the other replica is answered once
(the replicas share the state database in the index folder)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))  # the fake Slack and signed requests
from fake_slack import BOT_USER, FakeSlack  # noqa: E402
from signed import SlackSender  # noqa: E402

if TYPE_CHECKING:
    from conftest import FakeIndex, FakeIndexFactory

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ADMIN = "replica-admin-token"
BOT_TOKEN = "xoxb-replica-test"
SECRET = "replica-signing-secret-0123456789"
QUESTION = "多头注意力是一种将输入序列分成多个子序列的方法吗？"
ZEBRA = "# 斑马量化术\n\n斑马量化术是一种虚构的量化方法，它把权重按斑马条纹分组。\n"
CHANNEL = "CGENERAL"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    proc: subprocess.Popen[str]
    http: httpx.Client
    slack: SlackSender

    def health(self) -> dict[str, Any]:
        health: dict[str, Any] = self.http.get("/healthz").json()
        return health

    def ask(self, question: str) -> dict[str, Any]:
        r = self.http.post("/v1/ask", json={"question": question})
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer


def start(built: FakeIndex, api_url: str) -> Replica:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "KGQA_CORPUS_DIR": str(built.settings.corpus_dir), "KGQA_INDEX_DIR": str(built.settings.index_dir),
           "KGQA_EMBEDDING_MODEL": "fake-hash-embedder", "KGQA_ADMIN_TOKEN": ADMIN, "KGQA_RATE_LIMIT": "",
           "KGQA_SLACK_BOT_TOKEN": BOT_TOKEN, "KGQA_SLACK_SIGNING_SECRET": SECRET, "KGQA_SLACK_API_URL": api_url}
    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("fake_replica.py")), str(port)],
                            env=env, cwd=built.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    return Replica(proc, http, SlackSender(http, SECRET))


def wait_until(replica: Replica, ready: Any, what: str, timeout: float = 90) -> dict[str, Any]:
    """Poll /healthz until ``ready(health)``; the replica must stay alive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert replica.proc.poll() is None, f"the replica exited: {replica.proc.communicate()[1][-3000:]}"
        try:
            health = replica.health()
        except httpx.HTTPError:
            time.sleep(0.3)
            continue
        if ready(health):
            return health
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout} s")


def idle(health: dict[str, Any]) -> bool:
    return not health["reindex"]["running"] and not health["reindex"]["pending"]


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def replicas(make_fake_index: FakeIndexFactory, fake_slack: FakeSlack) -> Iterator[tuple[Replica, Replica]]:
    built = make_fake_index("replicas")
    pair = (start(built, fake_slack.api_url), start(built, fake_slack.api_url))
    try:
        for replica in pair:  # each checks the index against its documents at start: nothing changed
            wait_until(replica, idle, "the replica did not start")
        yield pair
    finally:
        for replica in pair:
            replica.http.close()
            replica.proc.terminate()
            replica.proc.communicate(timeout=30)


def test_both_replicas_answer_a_question_alike(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    assert a.health()["index"]["generation"] == b.health()["index"]["generation"]
    first, second = a.ask(QUESTION), b.ask(QUESTION)
    assert first["citations"] and not first["abstained"]
    assert first == second


def test_a_document_uploaded_through_one_replica_is_served_by_both(replicas: tuple[Replica, Replica]) -> None:
    a, b = replicas
    before = a.health()
    r = a.http.post("/v1/documents", files={"file": ("zebra.md", ZEBRA.encode(), "text/markdown")},
                    headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 202, r.text
    grown = before["documents"] + 1
    wait_until(a, lambda h: idle(h) and h["documents"] == grown, "the uploading replica did not re-index")
    # the other replica notices the generation the first one published and swaps it in
    wait_until(b, lambda h: h["documents"] == grown, "the other replica did not follow the new generation")
    for replica in (a, b):
        answer = replica.ask("什么是斑马量化术？")
        assert answer["citations"] and answer["citations"][0]["doc_id"] == "zebra", answer
    assert a.health()["index"]["generation"] == b.health()["index"]["generation"]


def mention_event(fake: FakeSlack, text: str) -> dict[str, Any]:
    msg = fake.user_message(CHANNEL, f"<@{BOT_USER}> {text}")
    return {"type": "app_mention", "channel": CHANNEL, "user": "UALICE", "text": msg["text"], "ts": msg["ts"]}


def test_a_slack_retry_sent_to_the_other_replica_is_answered_once(
    replicas: tuple[Replica, Replica], fake_slack: FakeSlack
) -> None:
    a, b = replicas
    fake_slack.reset()
    event = mention_event(fake_slack, QUESTION)
    assert a.slack.event(event, event_id="EvREPLICA1").status_code == 200
    (post,) = fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    assert b.slack.event(event, event_id="EvREPLICA1", retry=1).status_code == 200
    # the same question in a new message, sent after the retry to the same replica: once it is answered, an
    # accepted retry (started earlier, same work) would have been answered too
    sentinel = mention_event(fake_slack, QUESTION)
    assert b.slack.event(sentinel, event_id="EvREPLICA2").status_code == 200
    posts = fake_slack.wait_for("chat.postMessage", 2)
    time.sleep(0.5)
    posts = fake_slack.of("chat.postMessage")
    assert sorted(p.params["thread_ts"] for p in posts) == sorted([event["ts"], sentinel["ts"]]), posts
    # a vote on the answer the first replica recorded, clicked through the other one, finds it
    up = next(e for blk in post.params["blocks"] if blk.get("block_id") == "kgqa_feedback" for e in blk["elements"])
    message = fake_slack.threads[(CHANNEL, event["ts"])][-1]
    assert b.slack.click(up, channel=CHANNEL, response_url=fake_slack.response_url("vote"),
                         message=message).status_code == 200
    (reply,) = fake_slack.wait_for("response_url")
    assert "is recorded" in reply.params["text"], reply.params
