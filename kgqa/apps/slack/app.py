"""The Bolt app and its wiring: the Web API client, the listeners of :class:`.bot.SlackBot`, and retries dropped.

HTTP mode needs the signing secret (Bolt checks each request's signature and rejects timestamps older than
5 minutes); Socket Mode requests are not signed.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from kgqa.apps.slack.blocks import RELATED_ACTION, SHARE_ACTION, VOTE_DOWN_ACTION, VOTE_UP_ACTION
from kgqa.apps.slack.bot import SlackBot
from kgqa.apps.slack.feedback import FeedbackStore, default_path
from kgqa.config import Settings
from kgqa.errors import ConfigError
from kgqa.tuning import STATE

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase

log = logging.getLogger(__name__)

BOLT_LOGGER = "kgqa.slack.bolt"


def make_client(settings: Settings) -> WebClient:
    """A Web API client for ``settings.slack_api_url`` that waits out 429s (``Retry-After``) and retries
    dropped connections."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=2)],
    )


def create_bolt_app(
    settings: Settings,
    get_kb: Callable[[], KnowledgeBase],
    *,
    store: FeedbackStore | None = None,
    socket_mode: bool = False,
) -> App:
    """The Bolt app with every listener registered. HTTP mode needs the signing secret (Bolt checks each
    request's signature and rejects timestamps older than 5 minutes); Socket Mode requests are not signed."""
    if not settings.slack_bot_token:
        raise ConfigError("the Slack bot needs KGQA_SLACK_BOT_TOKEN (the xoxb- token of the installed app)")
    if not socket_mode and not settings.slack_signing_secret:
        raise ConfigError(
            "the Slack HTTP endpoint needs KGQA_SLACK_SIGNING_SECRET (Basic Information > App "
            "Credentials), or run Socket Mode with `kgqa slack --socket`"
        )
    app = App(
        # Bolt configures a logger named after the app on every request, copying the level of ``logger``:
        # the name must not be "kgqa", or the package's log level (and with it the access log) is reset
        name=BOLT_LOGGER,
        client=make_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not socket_mode,
        # auth.test runs on the first request instead of at construction: the app starts without Slack
        token_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger(BOLT_LOGGER),
        listener_executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="kgqa-slack"),
    )
    store = store or FeedbackStore(default_path(settings))
    register(app, SlackBot(get_kb, store, settings.ask_timeout_s))
    return app


def register(app: App, bot: SlackBot) -> None:
    first = first_delivery(bot.store)

    @app.middleware
    def drop_retries(body: dict[str, Any], request: BoltRequest, next: Callable[[], BoltResponse]) -> Any:
        # Slack redelivers an event (X-Slack-Retry-Num) when its ack was late or lost, perhaps to another
        # replica; answer each event once
        event_id = body.get("event_id")
        if event_id and not first(str(event_id)):
            retry = request.headers.get("x-slack-retry-num", ["?"])[0]
            log.info("event %s already handled; ignoring delivery retry %s", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    app.event("app_mention")(bot.on_mention)
    app.event("message")(bot.on_message)
    app.command(re.compile(r"^/"))(bot.on_command)
    app.action(re.compile(rf"^{RELATED_ACTION}:\d+$"))(bot.on_related)
    app.action(re.compile(rf"^({VOTE_UP_ACTION}|{VOTE_DOWN_ACTION})$"))(bot.on_vote)
    app.action(SHARE_ACTION)(bot.on_share)


def first_delivery(store: FeedbackStore, ttl: float = STATE.event_ttl_s) -> Callable[[str], bool]:
    """Whether an event id is seen for the first time, by every process sharing ``store``. When the store
    cannot be reached the process remembers ids itself (a retry sent to another replica may then be answered
    twice: better than not at all)."""
    local = RecentIds(ttl)

    def first(event_id: str) -> bool:
        try:
            return store.first_delivery(event_id, ttl)
        except sqlite3.Error as exc:
            log.warning("cannot record Slack event %s in the state store %s (%s); de-duplicating in this "
                        "process only", event_id, store.path, exc)
            return local.first(event_id)

    return first


class RecentIds:
    """Ids seen in the last ``ttl`` seconds (bounded), safe across threads."""

    def __init__(self, ttl: float = 3600, max_size: int = 10_000) -> None:
        self.ttl, self.max_size = ttl, max_size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time ``key`` is offered (within ``ttl``), False afterwards."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self.max_size or next(iter(self._seen.values())) < now - self.ttl
            ):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True
