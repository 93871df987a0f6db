"""The Slack bot end to end: signed requests into /slack/events of a real uvicorn, Web API calls out to a fake
Slack server, answers from the real knowledge base (hash embedder)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from fake_slack import BOT_ID, BOT_USER, Call, first_block
from slack_case import BOT_TOKEN, Bot, blocks_of
from typer.testing import CliRunner

import kgqa.apps.cli_slack  # noqa: F401  (registers `kgqa feedback export`)
from kgqa.apps.cli import app as cli
from kgqa.apps.slack.thread import unescape

pytestmark = pytest.mark.integration

CHANNEL = "CGENERAL"
# near the corpus wording: the hash embedder answers it (paraphrases abstain without the real model)
QUESTION = "多头注意力是一种将输入序列分成多个子序列的方法吗？"
FOLLOW_UP = "它有什么优点？"


def mention(bot: Bot, text: str, thread_ts: str | None = None) -> dict[str, Any]:
    msg = bot.fake.user_message(CHANNEL, f"<@{BOT_USER}> {text}", thread_ts=thread_ts)
    resp = bot.slack.event(
        {
            "type": "app_mention",
            "channel": CHANNEL,
            "user": msg["user"],
            "text": msg["text"],
            "ts": msg["ts"],
            **({"thread_ts": thread_ts} if thread_ts else {}),
        }
    )
    assert resp.status_code == 200, resp.text
    return msg


def buttons(blocks: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(prefix)
    ]


def test_mention_gets_a_threaded_reply_with_blocks(bot: Bot) -> None:
    msg = mention(bot, QUESTION)
    (post,) = bot.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL and post.params["thread_ts"] == msg["ts"]
    assert post.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    blocks = blocks_of(post)
    answer = bot.kb.kb.ask(QUESTION)
    assert not answer.abstained and answer.citations
    assert first_block(blocks, "section")["text"]["text"].startswith(answer.answer[:20].replace("&", "&amp;"))
    citations = first_block(blocks, "context", lambda b: b["elements"][0]["text"].startswith("*[1]*"))
    assert answer.citations[0].title in citations["elements"][0]["text"]
    assert [b["text"]["text"] for b in buttons(blocks, "kgqa_vote")] == ["👍", "👎"]
    assert not buttons(blocks, "kgqa_share")  # only ephemeral answers are shared
    assert post.params["metadata"]["event_payload"]["question"] == QUESTION
    # the reaction shows while working and goes away after
    added, removed = bot.fake.wait_for("reactions.add")[0], bot.fake.wait_for("reactions.remove")[0]
    assert added.params["name"] == removed.params["name"] == "hourglass_flowing_sand"
    assert added.params["timestamp"] == msg["ts"] and added.at <= post.at <= removed.at
    assert bot.kb.asked == [(QUESTION, None)]


def test_follow_up_in_a_thread_uses_its_history(bot: Bot) -> None:
    root = mention(bot, QUESTION)
    first = bot.fake.wait_for("chat.postMessage")[0]
    mention(bot, FOLLOW_UP, thread_ts=root["ts"])
    second = bot.fake.wait_for("chat.postMessage", 2)[1]
    assert second.params["thread_ts"] == root["ts"]
    replies = bot.fake.wait_for("conversations.replies")
    assert replies[0].params["ts"] == root["ts"]
    question, history = bot.kb.asked[1]
    assert question == FOLLOW_UP
    assert history == [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": unescape(first.params["text"])},
    ]


def test_direct_message_is_answered_in_a_thread(bot: Bot) -> None:
    msg = bot.fake.user_message("DALICE", QUESTION)
    resp = bot.slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DALICE",
            "user": "UALICE",
            "text": QUESTION,
            "ts": msg["ts"],
        }
    )
    assert resp.status_code == 200
    (post,) = bot.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "DALICE" and post.params["thread_ts"] == msg["ts"]
    assert bot.kb.asked == [(QUESTION, None)]


def test_slash_command_answers_ephemerally_and_the_share_button_posts_it(bot: Bot) -> None:
    hook = bot.fake.response_url("slash-1")
    started = time.monotonic()
    resp = bot.slack.command(QUESTION, response_url=hook)
    assert resp.status_code == 200 and time.monotonic() - started < 3
    assert QUESTION in resp.text  # the ack itself says what is being looked up
    (reply,) = bot.fake.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral"
    (share,) = buttons(blocks_of(reply), "kgqa_share")
    assert not bot.fake.of("chat.postMessage")

    resp = bot.slack.click(
        share, channel=CHANNEL, response_url=bot.fake.response_url("share-1"), message=None
    )
    assert resp.status_code == 200
    (post,) = bot.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL and "thread_ts" not in post.params
    shared = blocks_of(post)
    assert f"<@UALICE> asked: {QUESTION}" in first_block(shared, "context")["elements"][0]["text"]
    assert not buttons(shared, "kgqa_share") and buttons(shared, "kgqa_vote")
    deleted = bot.fake.wait_for("response_url", 2)[1]
    assert deleted.path.endswith("share-1") and deleted.params["delete_original"] is True


def test_related_concept_button_asks_in_the_same_thread(bot: Bot) -> None:
    root = mention(bot, QUESTION)
    answer_post = bot.fake.wait_for("chat.postMessage")[0]
    related = buttons(blocks_of(answer_post), "kgqa_related")
    assert related, "the answer should offer related concepts"
    message = bot.fake.threads[(CHANNEL, root["ts"])][-1]
    resp = bot.slack.click(
        related[0], channel=CHANNEL, response_url=bot.fake.response_url("rel"), message=message
    )
    assert resp.status_code == 200
    post = bot.fake.wait_for("chat.postMessage", 2)[1]
    assert post.params["thread_ts"] == root["ts"]
    assert first_block(blocks_of(post), "context")["elements"][0]["text"].startswith("<@UALICE> asked:")
    question, history = bot.kb.asked[1]
    assert question == related[0]["value"]
    assert history and history[0] == {"role": "user", "content": QUESTION}
    assert post.params["metadata"]["event_payload"]["source"] == "button"


def test_feedback_votes_are_stored_and_exported(bot: Bot) -> None:
    mention(bot, QUESTION)
    post = bot.fake.wait_for("chat.postMessage")[0]
    up, down = buttons(blocks_of(post), "kgqa_vote")
    message = bot.fake.threads[(CHANNEL, post.params["thread_ts"])][-1]
    bot.slack.click(
        up, channel=CHANNEL, response_url=bot.fake.response_url("v1"), message=message, user="UALICE"
    )
    bot.slack.click(
        down, channel=CHANNEL, response_url=bot.fake.response_url("v2"), message=message, user="UBOB"
    )
    thanks = bot.fake.wait_for("response_url", 2)
    assert all(t.params["response_type"] == "ephemeral" for t in thanks)

    result = CliRunner().invoke(cli, ["feedback", "export", "--db", str(bot.store.path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert sorted((r["user"], r["vote"]) for r in rows) == [("UALICE", "up"), ("UBOB", "down")]
    expected = bot.kb.kb.ask(QUESTION)
    for row in rows:
        assert row["question"] == QUESTION and row["answer"] == expected.answer and row["channel"] == CHANNEL
        assert [c["quote"] for c in row["citations"]] == [c.quote for c in expected.citations]
    csv_out = CliRunner().invoke(cli, ["feedback", "export", "--db", str(bot.store.path), "--format", "csv"])
    assert csv_out.output.splitlines()[0].startswith("ts,vote,user,channel,question")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"secret": "not-the-signing-secret"}, id="bad-signature"),
        pytest.param({"signed": False}, id="missing-signature"),
        pytest.param({"age": 6 * 60}, id="stale-timestamp"),
    ],
)
def test_unsigned_or_stale_requests_are_rejected(bot: Bot, tamper: dict[str, Any]) -> None:
    msg = bot.fake.user_message(CHANNEL, f"<@{BOT_USER}> {QUESTION}")
    event = {
        "type": "app_mention",
        "channel": CHANNEL,
        "user": "UALICE",
        "text": msg["text"],
        "ts": msg["ts"],
    }
    assert bot.slack.event(event, **tamper).status_code == 401
    assert bot.slack.command(QUESTION, response_url=bot.fake.response_url("x"), **tamper).status_code == 401
    time.sleep(0.3)
    assert bot.kb.asked == [] and not bot.fake.of("chat.postMessage")


def test_a_retried_event_is_answered_once(bot: Bot) -> None:
    msg = bot.fake.user_message(CHANNEL, f"<@{BOT_USER}> {QUESTION}")
    event = {
        "type": "app_mention",
        "channel": CHANNEL,
        "user": "UALICE",
        "text": msg["text"],
        "ts": msg["ts"],
    }
    assert bot.slack.event(event, event_id="EvRETRIED1").status_code == 200
    assert bot.slack.event(event, event_id="EvRETRIED1", retry=1).status_code == 200
    assert bot.slack.event(event, event_id="EvRETRIED1", retry=2).status_code == 200
    bot.fake.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(bot.fake.of("chat.postMessage")) == 1 and len(bot.kb.asked) == 1


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(
            {"type": "message", "channel_type": "im", "subtype": "bot_message", "bot_id": "BOTHER"},
            id="other-bot-dm",
        ),
        pytest.param({"type": "app_mention", "bot_id": "BOTHER", "user": "UOTHERBOT"}, id="bot-mention"),
        pytest.param(
            {"type": "message", "channel_type": "im", "user": BOT_USER, "bot_id": BOT_ID}, id="own-message"
        ),
        pytest.param({"type": "message", "channel_type": "im", "subtype": "message_changed"}, id="edit"),
        pytest.param(
            {"type": "message", "channel_type": "channel", "user": "UALICE"}, id="plain-channel-message"
        ),
    ],
)
def test_bot_and_own_messages_are_ignored(bot: Bot, event: dict[str, Any]) -> None:
    ts = bot.fake.new_ts()
    resp = bot.slack.event({"channel": "DALICE", "text": f"<@{BOT_USER}> {QUESTION}", "ts": ts, **event})
    assert resp.status_code == 200
    time.sleep(0.5)
    assert bot.kb.asked == [] and not bot.fake.of("chat.postMessage")


def test_a_slow_answer_is_still_acknowledged_within_3_seconds(start_bot: Callable[..., Bot]) -> None:
    bot = start_bot(delay=4.0)
    msg = bot.fake.user_message(CHANNEL, f"<@{BOT_USER}> {QUESTION}")
    started = time.monotonic()
    resp = bot.slack.event(
        {"type": "app_mention", "channel": CHANNEL, "user": "UALICE", "text": msg["text"], "ts": msg["ts"]}
    )
    acked = time.monotonic() - started
    assert resp.status_code == 200 and acked < 3.0, f"acknowledged after {acked:.2f} s"
    slash_started = time.monotonic()
    assert bot.slack.command(QUESTION, response_url=bot.fake.response_url("slow")).status_code == 200
    assert time.monotonic() - slash_started < 3.0
    (post,) = bot.fake.wait_for("chat.postMessage", timeout=30)
    assert post.at - started >= 4.0  # the answer came after the ack, once the slow ask finished
    bot.fake.wait_for("response_url", timeout=30)


def test_a_question_over_its_time_budget_gets_a_notice_naming_the_setting(start_bot: Callable[..., Bot]) -> None:
    bot = start_bot(delay=0.5, ask_timeout_s=0.1)
    msg = bot.fake.user_message(CHANNEL, f"<@{BOT_USER}> {QUESTION}")
    event = {"type": "app_mention", "channel": CHANNEL, "user": "UALICE", "text": msg["text"], "ts": msg["ts"]}
    assert bot.slack.event(event).status_code == 200
    (post,) = bot.fake.wait_for("chat.postMessage", timeout=30)
    assert post.params["thread_ts"] == msg["ts"]
    assert "KGQA_ASK_TIMEOUT_S" in post.params["text"] and "ask again later" in post.params["text"]


def test_a_429_from_the_web_api_is_retried_after_retry_after(bot: Bot) -> None:
    bot.fake.rate_limit_once("chat.postMessage", retry_after=1)
    mention(bot, QUESTION)
    (post,) = bot.fake.wait_for("chat.postMessage")
    (limited,) = [c for c in bot.fake.calls if c.method == "chat.postMessage" and c.status == 429]
    assert post.at - limited.at >= 1.0
    assert post.params["blocks"] == limited.params["blocks"]


def test_the_token_is_never_logged(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        mention(bot, QUESTION)
        bot.fake.wait_for("reactions.remove")
        bot.slack.event({"type": "app_mention"}, secret="wrong")  # a rejected request logs too
    assert any(r.name.startswith("slack_sdk") for r in caplog.records), (
        "debug logging should have been captured"
    )
    for record in caplog.records:
        assert BOT_TOKEN not in record.getMessage()
        assert bot.settings.slack_signing_secret not in record.getMessage()


def test_calls_seen_by_the_fake(bot: Bot) -> None:
    """The first request authenticates once (auth.test) and every call carries the bot token."""
    mention(bot, QUESTION)
    bot.fake.wait_for("reactions.remove")
    mention(bot, FOLLOW_UP)
    bot.fake.wait_for("chat.postMessage", 2)
    auth: list[Call] = bot.fake.of("auth.test")
    assert len(auth) == 1
    assert {c.headers.get("authorization") for c in bot.fake.calls if c.method != "response_url"} == {
        f"Bearer {BOT_TOKEN}"
    }
