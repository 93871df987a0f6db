"""What comes back from the bot is inert, its failures still answer, and it leaves the service's logging
alone: a real uvicorn with the bot mounted, a fake Slack Web API, and a knowledge base whose corpus holds a
document written to phish."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

import pytest
from fake_slack import BOT_USER, Call
from slack_case import Bot

from kgqa.apps.slack.feedback import default_path
from kgqa.pipeline import KnowledgeBase

if TYPE_CHECKING:
    from slack_case import FakeIndexFactory

pytestmark = pytest.mark.integration

CHANNEL = "CGENERAL"
PHISH = (
    "# Zorblax\n\n## What is Zorblax?\n\n"
    "Zorblax is a made-up sharding protocol for zorblax clusters. <!channel> zorblax users must click "
    "<https://evil.example|Click to verify> and message <@U123> for a zorblax prize <!here>.\n"
)
PHISH_Q = "What is Zorblax?"
# literal text as Slack delivers what a user typed: its three control characters arrive escaped
TYPED = "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|Click to verify&gt; 量子纠缠是什么？"
LIVE = re.compile(r"<[!@#]|<(?:https?|mailto):")


@pytest.fixture(scope="module")
def knowledge_base(make_fake_index: FakeIndexFactory) -> KnowledgeBase:
    return make_fake_index("slack-phish-kb", files={"zorblax.md": PHISH}).load()


def shown(call: Call) -> str:
    """Everything of a call that Slack renders: the fallback text and the blocks (not the metadata)."""
    return json.dumps([call.params.get("text", ""), call.params.get("blocks", [])], ensure_ascii=False)


def mention(bot: Bot, text: str) -> dict[str, Any]:
    msg = bot.fake.user_message(CHANNEL, f"<@{BOT_USER}> {text}")
    event = {"type": "app_mention", "channel": CHANNEL, "user": "UALICE", "text": msg["text"], "ts": msg["ts"]}
    assert bot.slack.event(event).status_code == 200
    return msg


def direct_message(bot: Bot, text: str) -> None:
    msg = bot.fake.user_message("DALICE", text)
    event = {"type": "message", "channel_type": "im", "channel": "DALICE", "user": "UALICE", "text": text,
             "ts": msg["ts"]}
    assert bot.slack.event(event).status_code == 200


def test_injection_in_questions_and_documents_never_comes_back_live(bot: Bot) -> None:
    answer = bot.kb.kb.ask(PHISH_Q)
    # the phishing text is what is answered
    assert not answer.abstained and "<https://evil.example|Click to verify>" in answer.answer
    mention(bot, TYPED)
    mention(bot, PHISH_Q)
    direct_message(bot, TYPED)
    direct_message(bot, PHISH_Q)
    posts = bot.fake.wait_for("chat.postMessage", 4)
    acks = [bot.slack.command(text, response_url=bot.fake.response_url(f"slash-{i}")) for i, text in
            enumerate([TYPED, PHISH_Q])]
    replies = bot.fake.wait_for("response_url", 2)

    assert {q for q, _ in bot.kb.asked} == {TYPED.replace("&lt;", "<").replace("&gt;", ">"), PHISH_Q}
    out = [shown(c) for c in posts + replies] + [a.text for a in acks]
    for text in out:
        assert not LIVE.search(text), text
    # it all came back, shown as typed
    assert sum("&lt;https://evil.example|Click to verify&gt;" in t for t in out) >= 4
    assert any("&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;" in t for t in out)


@pytest.mark.parametrize("timestamp", ["abc", "", "1.5e9", "-100", "１７００００００００"])
def test_a_malformed_slack_timestamp_is_a_4xx(bot: Bot, timestamp: str) -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}})
    r = bot.http.post(
        "/slack/events",
        content=body.encode(),
        headers={
            b"Content-Type": b"application/json",
            b"X-Slack-Request-Timestamp": timestamp.encode("utf-8"),
            b"X-Slack-Signature": b"v0=" + b"0" * 64,
        },
    )
    assert 400 <= r.status_code < 500, r.text
    assert "X-Slack-Request-Timestamp" in r.json()["error"]["message"]


def test_the_access_log_survives_a_slack_event(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kgqa"):
        mention(bot, PHISH_Q)
        bot.fake.wait_for("chat.postMessage")
        assert bot.http.get("/v1/models").status_code == 200
        assert logging.getLogger("kgqa").level == logging.INFO
    access = [r.getMessage() for r in caplog.records if r.name == "kgqa.access"]
    assert any('"POST /slack/events" 200' in m for m in access), access
    assert any('"GET /v1/models" 200' in m for m in access), access


def test_an_answer_is_posted_when_the_feedback_store_cannot_be_written(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    db = default_path(bot.settings)
    for f in db.parent.glob(db.name + "*"):
        f.unlink()
    db.mkdir()  # sqlite cannot open a directory: every write to the store fails from now on
    with caplog.at_level(logging.ERROR, logger="kgqa"):
        mention(bot, PHISH_Q)
        (post,) = bot.fake.wait_for("chat.postMessage")
        reply_hook = bot.fake.response_url("slash-store")
        bot.slack.command(PHISH_Q, response_url=reply_hook)
        (reply,) = bot.fake.wait_for("response_url")
    for call in (post, reply):
        assert "Zorblax is a made-up sharding protocol" in call.params["text"]
        assert not any(b.get("block_id") == "kgqa_feedback" for b in call.params["blocks"])  # nothing to vote on
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and "feedback store" in r.getMessage()]
    assert len(failures) == 2 and str(db) in failures[0].getMessage()




def test_a_vote_the_store_cannot_take_is_answered_with_an_apology(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    mention(bot, PHISH_Q)
    (post,) = bot.fake.wait_for("chat.postMessage")
    up = next(e for b in post.params["blocks"] if b.get("block_id") == "kgqa_feedback" for e in b["elements"])
    db = default_path(bot.settings)
    for f in db.parent.glob(db.name + "*"):
        f.unlink()
    db.mkdir()
    message = bot.fake.threads[(CHANNEL, post.params["thread_ts"])][-1]
    with caplog.at_level(logging.ERROR, logger="kgqa"):
        bot.slack.click(up, channel=CHANNEL, response_url=bot.fake.response_url("vote"), message=message)
        (reply,) = bot.fake.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral" and "could not reach my feedback store" in reply.params["text"]
    assert any("cannot record a Slack vote" in r.getMessage() for r in caplog.records)
