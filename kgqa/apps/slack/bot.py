"""The Slack listeners: mentions, direct messages, the slash command and buttons, answered from the knowledge base.

Bolt acknowledges each request before the work starts (``process_before_response=False``: listeners run on
its thread pool, and the HTTP response goes back as soon as ``ack()`` is called; events are acknowledged
automatically), so a slow answer never makes Slack retry. The Bolt app and its wiring live in :mod:`.app`,
rendering in :mod:`.blocks`, thread reading in :mod:`.thread`, votes in :mod:`.feedback`; this module holds the
listeners, the I/O around them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kgqa.apps.slack.blocks import (
    VOTE_UP_ACTION,
    answer_blocks,
    clip,
    fallback_text,
    mrkdwn,
    notice_blocks,
    notice_text,
)
from kgqa.apps.slack.feedback import FeedbackStore
from kgqa.apps.slack.thread import answer_metadata, is_from_bot, question_text, thread_history
from kgqa.deadline import Deadline
from kgqa.errors import KgqaError
from kgqa.types import Answer

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase

log = logging.getLogger(__name__)

WORKING_REACTION = "hourglass_flowing_sand"
USAGE = "Ask me about the documents of this knowledge base: mention me, DM me, or use `/kgqa <your question>`."
FAILED = (
    "Sorry, I could not answer that: something went wrong on my side (the details are in the server log)."
)
GONE = "That answer is no longer stored; please ask again."
STORE_FAILED = "Sorry, I could not reach my feedback store (the details are in the server log); please try later."


class SlackBot:
    """The listeners. Each runs on Bolt's thread pool after the request was acknowledged."""

    def __init__(self, get_kb: Callable[[], KnowledgeBase], store: FeedbackStore, ask_timeout_s: float = 0) -> None:
        self.get_kb = get_kb
        self.store = store
        self.ask_timeout_s = ask_timeout_s

    # -- events: an @mention in a channel, a direct message -------------------------------------------------

    def on_mention(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if not is_from_bot(event):  # another bot mentioning us must not start a loop
            self.answer_message(event, context, client)

    def on_message(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        # channel messages that mention the bot arrive as app_mention; edits, joins and bots are not questions
        if (
            event.get("channel_type") == "im"
            and event.get("subtype") in (None, "file_share")
            and not is_from_bot(event)
        ):
            self.answer_message(event, context, client)

    def answer_message(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        channel, ts, thread_ts = event["channel"], event["ts"], event.get("thread_ts")
        root = thread_ts or ts
        question = question_text(event.get("text") or "")
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=root, text=notice_text(USAGE))
            return
        history = self.history(client, context, channel, thread_ts, before_ts=ts) if thread_ts else None
        self.answer_in_thread(
            client,
            channel=channel,
            root=root,
            trigger_ts=ts,
            question=question,
            user=event.get("user", ""),
            history=history,
            source="message",
        )

    # -- the slash command: an ephemeral answer with a share button ---------------------------------------

    def on_command(
        self, ack: Callable[..., None], command: dict[str, Any], respond: Callable[..., Any]
    ) -> None:
        question = question_text(command.get("text") or "")
        if not question:
            ack(text=notice_text(USAGE))
            return
        ack(text=f":{WORKING_REACTION}: Looking up “{mrkdwn(clip(question, 200))}”…")
        self.answer_ephemeral(
            respond,
            question,
            channel=command.get("channel_id", ""),
            user=command.get("user_id", ""),
            place=command.get("trigger_id", ""),
        )

    def answer_ephemeral(
        self,
        respond: Callable[..., Any],
        question: str,
        *,
        channel: str,
        user: str,
        place: str,
        asked_by: str | None = None,
    ) -> None:
        answer, notice = self.ask(question, None)
        if answer is None:
            respond(response_type="ephemeral", replace_original=False, text=notice_text(notice))
            return
        answer_id = self.record(question, answer, channel=channel, user=user, place=place)
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=fallback_text(answer),
            blocks=answer_blocks(answer, answer_id, question=question, asked_by=asked_by, share=True),
        )

    # -- buttons ------------------------------------------------------------------------------------------

    def on_related(
        self,
        ack: Callable[..., None],
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Callable[..., Any],
    ) -> None:
        ack()
        question, user = action["value"], body["user"]["id"]
        if body.get("container", {}).get("is_ephemeral"):
            self.answer_ephemeral(
                respond,
                question,
                channel=body.get("channel", {}).get("id", ""),
                user=user,
                place=body.get("trigger_id", ""),
                asked_by=user,
            )
            return
        channel, message = body["channel"]["id"], body["message"]
        root = message.get("thread_ts") or message["ts"]
        history = self.history(client, context, channel, root, before_ts=None)
        self.answer_in_thread(
            client,
            channel=channel,
            root=root,
            trigger_ts=message["ts"],
            question=question,
            user=user,
            history=history,
            source="button",
            asked_by=user,
        )

    def on_vote(
        self,
        ack: Callable[..., None],
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Callable[..., Any],
    ) -> None:
        ack()
        vote = "up" if action["action_id"] == VOTE_UP_ACTION else "down"
        try:
            recorded = self.store.vote(action["value"], vote, body["user"]["id"])
        except Exception:
            log.exception("cannot record a Slack vote in the feedback store %s", self.store.path)
            respond(response_type="ephemeral", replace_original=False, text=notice_text(STORE_FAILED))
            return
        text = f"Thanks, your {'👍' if vote == 'up' else '👎'} is recorded." if recorded else GONE
        respond(response_type="ephemeral", replace_original=False, text=notice_text(text))

    def on_share(
        self,
        ack: Callable[..., None],
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Callable[..., Any],
    ) -> None:
        ack()
        try:
            stored = self.store.get(action["value"])
        except Exception:
            log.exception("cannot read a Slack answer from the feedback store %s", self.store.path)
            respond(response_type="ephemeral", replace_original=False, text=notice_text(STORE_FAILED))
            return
        if stored is None:
            respond(response_type="ephemeral", replace_original=False, text=notice_text(GONE))
            return
        user = body["user"]["id"]
        channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id", "")
        try:
            client.chat_postMessage(
                channel=channel,
                text=fallback_text(stored.answer),
                unfurl_links=False,
                blocks=answer_blocks(
                    stored.answer, stored.answer_id, question=stored.question, asked_by=user
                ),
                metadata=answer_metadata(stored.answer_id, stored.question, "button"),
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=notice_text(
                    f"I could not post in this channel ({error}); invite me with `/invite` and try again."
                ),
            )
            return
        respond(delete_original=True)

    # -- the work -----------------------------------------------------------------------------------------

    def ask(self, question: str, history: list[dict[str, str]] | None) -> tuple[Answer | None, str]:
        """The answer, or None and a notice to show instead (bad input says why; a crash says little)."""
        budget = Deadline(self.ask_timeout_s, "KGQA_ASK_TIMEOUT_S", fix="please ask again later")
        try:
            return self.get_kb().ask(question, history, deadline=budget), ""
        except KgqaError as exc:
            return None, f":warning: {exc}"
        except Exception:  # one failing question must not take the listener pool down
            log.exception("answering a Slack question failed")
            return None, FAILED

    def record(self, question: str, answer: Answer, *, channel: str, user: str, place: str) -> str:
        """The answer's feedback id, or "" when the store cannot be written: the user still gets the answer
        (without vote buttons), and the log says why."""
        try:
            return self.store.record_answer(question, answer, channel=channel, user=user, place=place)
        except Exception:
            log.exception("cannot record a Slack answer in the feedback store %s; answering anyway", self.store.path)
            return ""

    def answer_in_thread(
        self,
        client: WebClient,
        *,
        channel: str,
        root: str,
        trigger_ts: str,
        question: str,
        user: str,
        history: list[dict[str, str]] | None,
        source: str,
        asked_by: str | None = None,
    ) -> None:
        with working(client, channel, trigger_ts):
            answer, notice = self.ask(question, history)
            if answer is None:
                client.chat_postMessage(
                    channel=channel, thread_ts=root, text=notice_text(notice), blocks=notice_blocks(notice)
                )
                return
            answer_id = self.record(question, answer, channel=channel, user=user, place=f"{root}/{trigger_ts}")
            client.chat_postMessage(
                channel=channel,
                thread_ts=root,
                text=fallback_text(answer),
                unfurl_links=False,
                blocks=answer_blocks(answer, answer_id, question=question, asked_by=asked_by),
                metadata=answer_metadata(answer_id, question, source),
            )

    def history(
        self, client: WebClient, context: BoltContext, channel: str, root: str, before_ts: str | None
    ) -> list[dict[str, str]] | None:
        """Earlier messages of the thread as conversation history; None when the thread cannot be read."""
        try:
            resp = client.conversations_replies(
                channel=channel, ts=root, limit=100, include_all_metadata=True
            )
        except SlackApiError as exc:
            log.warning(
                "cannot read thread %s in %s (%s); answering without history",
                root,
                channel,
                exc.response.get("error"),
            )
            return None
        return thread_history(
            resp.get("messages") or [],
            bot_user_id=context.bot_user_id,
            bot_id=context.bot_id,
            before_ts=before_ts,
        )


@contextmanager
def working(client: WebClient, channel: str, ts: str) -> Iterator[None]:
    """Show a reaction on the message being answered while the answer is prepared."""
    added = _react(client.reactions_add, channel, ts)
    try:
        yield
    finally:
        if added:
            _react(client.reactions_remove, channel, ts)


def _react(call: Callable[..., Any], channel: str, ts: str) -> bool:
    try:
        call(channel=channel, timestamp=ts, name=WORKING_REACTION)
        return True
    except SlackApiError as exc:  # a missing reactions:write scope must not stop the answer
        log.warning("reaction %s failed: %s", WORKING_REACTION, exc.response.get("error"))
        return False
