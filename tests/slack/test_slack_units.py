"""The pure parts of the Slack bot (Block Kit, thread history, retry ids), its feedback store and config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kgqa.apps.slack import mount_slack, slack_status
from kgqa.apps.slack.app import RecentIds
from kgqa.apps.slack.blocks import (
    BUTTON_TEXT_LIMIT,
    MESSAGE_BLOCKS,
    SECTION_LIMIT,
    answer_blocks,
    mrkdwn,
    split_text,
)
from kgqa.apps.slack.feedback import FeedbackStore
from kgqa.apps.slack.socket_mode import socket_mode_handler
from kgqa.apps.slack.thread import answer_metadata, question_text, thread_history
from kgqa.config import Settings
from kgqa.errors import ConfigError, InputError
from kgqa.types import Answer, Citation, RelatedConcept

pytestmark = pytest.mark.unit


def citation(n: int) -> Citation:
    return Citation(
        n, f"c{n}", "doc", "Transformer 面试题", "注意力 > 多头", f"多头注意力的第{n}句。" * 30, 0, 9, 0.5
    )


def related(i: int, label: str = "RoPE") -> RelatedConcept:
    return RelatedConcept(f"r{i}", label, "旋转位置编码", "related_to", f"什么是旋转位置编码{i}？")


def settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg, arg-type]


# -- splitting and escaping ----------------------------------------------------------------------------------


def test_split_prefers_paragraphs_then_sentences_and_keeps_citation_markers() -> None:
    para = "多头注意力把输入投影到多个子空间。" * 60  # 1,020 characters
    text = "\n\n".join([para, para, para, para])
    pieces = split_text(text, limit=SECTION_LIMIT)
    assert all(len(p) <= SECTION_LIMIT for p in pieces)
    assert pieces[0] == "\n\n".join([para, para])
    sentences = "".join(f"第{i}句说明注意力的作用。[{i % 9 + 1}]" for i in range(400))
    pieces = split_text(sentences, limit=SECTION_LIMIT)
    assert all(len(p) <= SECTION_LIMIT for p in pieces) and "".join(pieces) == sentences
    assert all(p.endswith("]") for p in pieces)  # cut after a sentence's markers, not between


def test_split_never_cuts_an_escaped_entity() -> None:
    text = mrkdwn("x" * 2998 + "&" + "y" * 10)
    pieces = split_text(text, limit=3000)
    assert pieces[0] == "x" * 2998 and pieces[1].startswith("&amp;")


def test_mrkdwn_escapes_control_characters_and_converts_bold() -> None:
    assert mrkdwn("**QKV** <b> & a*b") == "*QKV* &lt;b&gt; &amp; a*b"
    assert mrkdwn("## 小结\n正文") == "*小结*\n正文"


# -- Block Kit -----------------------------------------------------------------------------------------------


def test_a_long_answer_is_split_into_sections_within_the_limit() -> None:
    text = "\n".join(f"{i}. 自注意力的计算复杂度与序列长度的平方成正比[1]。" * 20 for i in range(30))
    blocks = answer_blocks(Answer(text, [citation(1)]), "a1")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s) <= SECTION_LIMIT for s in sections)
    assert "".join(sections).replace("\n", "") == text.replace("\n", "")


def test_citations_context_blocks_hold_at_most_ten_elements() -> None:
    blocks = answer_blocks(Answer("答案[1]", [citation(n) for n in range(1, 13)]), "a1")
    contexts = [b for b in blocks if b["type"] == "context"]
    assert [len(c["elements"]) for c in contexts] == [10, 2]
    first = contexts[0]["elements"][0]["text"]
    assert first.startswith("*[1]* Transformer 面试题 › 注意力 &gt; 多头\n“多头注意力的第1句。")
    assert len(first) < 300  # the quote is shortened


def test_buttons_related_feedback_and_share() -> None:
    answer = Answer("答案", [], [related(i, "L" * 100) for i in range(7)])
    blocks = answer_blocks(answer, "a1", share=True)
    actions = {b["block_id"]: b["elements"] for b in blocks if b["type"] == "actions"}
    rel = actions["kgqa_related"]
    assert len(rel) == 5 and [b["action_id"] for b in rel] == [f"kgqa_related:{i}" for i in range(5)]
    assert rel[0]["value"] == "什么是旋转位置编码0？" and rel[0]["text"]["text"] == "🔗 旋转位置编码"
    assert [b["action_id"] for b in actions["kgqa_feedback"]] == [
        "kgqa_vote_up",
        "kgqa_vote_down",
        "kgqa_share",
    ]
    assert all(b["value"] == "a1" for b in actions["kgqa_feedback"])
    long_label = answer_blocks(Answer("x", [], [RelatedConcept("r", "L" * 100, "", "rel", "")]), "a")
    button = next(b for b in long_label if b["type"] == "actions")["elements"][0]
    assert len(button["text"]["text"]) <= BUTTON_TEXT_LIMIT and button["value"] == "L" * 100


def test_an_abstention_says_so_and_offers_concepts() -> None:
    answer = Answer(
        "The knowledge base has no passage about “xyz”. Nearby topics it does cover: RoPE.",
        [],
        [related(0)],
        [],
        abstained=True,
    )
    blocks = answer_blocks(answer, "a1")
    assert blocks[0]["text"]["text"].startswith(":grey_question: The knowledge base has no passage")
    assert blocks[1]["elements"][0]["text"] == "Try one of these instead:"
    assert blocks[2]["elements"][0]["action_id"] == "kgqa_related:0"


def test_a_huge_answer_still_fits_in_one_message() -> None:
    blocks = answer_blocks(Answer("长" * 200_000, [citation(1)]), "a1", asked_by="U1", question="q")
    assert len(blocks) <= MESSAGE_BLOCKS
    assert blocks[0]["elements"][0]["text"] == "<@U1> asked: q"


# -- threads -------------------------------------------------------------------------------------------------


def test_question_text_strips_mentions_links_and_escapes() -> None:
    assert question_text("<@UBOT>  what is <https://x.io|RoPE> &lt;2&gt;?") == "what is RoPE <2>?"
    assert question_text("<!here> <#C1|general> 解释一下 KV cache") == "解释一下 KV cache"


def test_thread_history_turns_messages_into_roles() -> None:
    messages = [
        {"ts": "1.0", "user": "U1", "text": "<@UB> 什么是多头注意力？"},
        {
            "ts": "2.0",
            "user": "UB",
            "bot_id": "BB",
            "text": "多头注意力……[1]",
            "metadata": answer_metadata("a1", "什么是多头注意力？", "message"),
        },
        {
            "ts": "3.0",
            "user": "UB",
            "bot_id": "BB",
            "text": "旋转位置编码……[1]",
            "metadata": answer_metadata("a2", "什么是旋转位置编码？", "button"),
        },
        {"ts": "3.5", "bot_id": "BOTHER", "subtype": "bot_message", "text": "deploy finished"},
        {"ts": "3.6", "user": "U2", "subtype": "channel_join", "text": "joined"},
        {"ts": "4.0", "user": "U1", "text": "<@UB> 它有什么优点？"},
    ]
    history = thread_history(messages, bot_user_id="UB", bot_id="BB", before_ts="4.0")
    assert history == [
        {"role": "user", "content": "什么是多头注意力？"},
        {"role": "assistant", "content": "多头注意力……[1]"},
        {"role": "user", "content": "什么是旋转位置编码？"},
        {"role": "assistant", "content": "旋转位置编码……[1]"},
    ]
    assert len(thread_history(messages * 10, bot_user_id="UB", bot_id="BB", limit=12)) == 12


def test_recent_ids_remember_within_ttl_and_stay_bounded() -> None:
    ids = RecentIds(ttl=3600, max_size=3)
    assert ids.first("Ev1") and not ids.first("Ev1")
    for key in ("Ev2", "Ev3", "Ev4"):
        assert ids.first(key)
    assert ids.first("Ev1")  # evicted as the oldest once the cap was reached
    expired = RecentIds(ttl=0)
    assert expired.first("Ev1") and expired.first("Ev1")


# -- feedback store ------------------------------------------------------------------------------------------


def test_feedback_store_round_trip_and_changed_votes(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    answer = Answer("答案[1]", [citation(1)], [related(0)], ["mha"])
    answer_id = store.record_answer("问题", answer, channel="C1", user="U1", place="1.0/1.0")
    assert store.record_answer("问题", answer, channel="C1", user="U1", place="1.0/1.0") == answer_id
    stored = store.get(answer_id)
    assert stored is not None and stored.answer == answer and stored.question == "问题"
    assert store.vote(answer_id, "up", "U1") and store.vote(answer_id, "down", "U1")
    assert not store.vote("unknown", "up", "U1")
    (row,) = store.export()
    assert (row.vote, row.user, row.question, row.answer) == ("down", "U1", "问题", "答案[1]")
    assert row.citations[0]["quote"] == citation(1).quote
    json.dumps(row.to_dict())
    with pytest.raises(InputError, match="vote must be 'up' or 'down', got 'meh'"):
        store.vote(answer_id, "meh", "U1")


# -- configuration -------------------------------------------------------------------------------------------


def test_without_token_and_secret_nothing_is_mounted() -> None:
    app = FastAPI()
    assert not mount_slack(app, settings(slack_bot_token="xoxb-1"), lambda: None)  # type: ignore[arg-type]
    assert TestClient(app).post("/slack/events", content=b"{}").status_code == 404
    assert slack_status(settings()) == "off: set KGQA_SLACK_BOT_TOKEN and KGQA_SLACK_SIGNING_SECRET"
    assert slack_status(settings(slack_bot_token="xoxb-1")) == "off: set KGQA_SLACK_SIGNING_SECRET"
    assert slack_status(settings(slack_bot_token="xoxb-1", slack_signing_secret="s")) == "on"


def test_socket_mode_needs_an_app_token_and_uses_the_configured_api(tmp_path: Path) -> None:
    base = settings(index_dir=tmp_path, slack_bot_token="xoxb-1", slack_api_url="http://127.0.0.1:9/api/")
    with pytest.raises(ConfigError, match="KGQA_SLACK_APP_TOKEN"):
        socket_mode_handler(base, lambda: None)  # type: ignore[arg-type]
    handler = socket_mode_handler(base.model_copy(update={"slack_app_token": "xapp-1"}), lambda: None)  # type: ignore[arg-type]
    assert handler.client.web_client.base_url == "http://127.0.0.1:9/api/"
    assert handler.app.client.base_url == "http://127.0.0.1:9/api/"


def test_the_manifest_matches_what_the_bot_handles() -> None:
    import yaml

    import kgqa.apps.slack

    manifest = yaml.safe_load((Path(kgqa.apps.slack.__file__).parent / "manifest.yaml").read_text("utf-8"))
    s = manifest["settings"]
    assert s["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    urls = [s["event_subscriptions"]["request_url"], s["interactivity"]["request_url"]]
    urls += [c["url"] for c in manifest["features"]["slash_commands"]]
    assert all(u.endswith("/slack/events") for u in urls)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {"app_mentions:read", "chat:write", "commands", "reactions:write", "im:history",
              "channels:history"}
    assert needed <= scopes


def test_kgqa_slack_without_socket_says_how_it_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import kgqa.apps.cli_slack  # noqa: F401  (registers the commands)
    from kgqa.apps import cli

    monkeypatch.setattr(cli, "settings", lambda: settings(slack_bot_token="xoxb-1"))
    result = CliRunner().invoke(cli.app, ["slack"])
    assert result.exit_code == 0
    assert "HTTP mode: off: set KGQA_SLACK_SIGNING_SECRET" in result.output
    assert "xoxb-1" not in result.output
    result = CliRunner().invoke(cli.app, ["slack", "--socket"])
    assert result.exit_code == 2 and "KGQA_SLACK_APP_TOKEN" in result.output


def test_every_outgoing_string_is_escaped_and_never_cut_inside_an_entity() -> None:
    from kgqa.apps.slack.blocks import clipped, escape, fallback_text, notice_blocks, notice_text, user_mention

    live = "<!channel> <@U123> <https://evil.example|Click>"
    answer = Answer(live, [], [], [], abstained=True)
    assert fallback_text(answer) == notice_text(live) == escape(live)
    assert "<" not in json.dumps(notice_blocks(live)) and "<" not in json.dumps(answer_blocks(answer, "a1"))
    assert clipped("x" * 8 + "<b>", 10) == "x" * 8 + "…"  # "&lt;" would be cut: it is left out whole
    assert user_mention("U0123ABC") == "<@U0123ABC>" and user_mention("U1> <!channel") == "U1&gt; &lt;!channel"


def test_the_bots_own_escaped_answers_read_back_as_plain_history() -> None:
    msgs = [{"ts": "1.0", "user": "UBOT", "text": "a &lt;= b &amp;&amp; c"}]
    assert thread_history(msgs, bot_user_id="UBOT", bot_id=None) == [{"role": "assistant", "content": "a <= b && c"}]
