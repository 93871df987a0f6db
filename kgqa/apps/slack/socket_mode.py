"""Socket Mode: the bot connects out to Slack over a WebSocket, for installs without a public URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt.adapter.socket_mode import SocketModeHandler

from kgqa.apps.slack.app import create_bolt_app, make_client
from kgqa.apps.slack.feedback import FeedbackStore
from kgqa.config import Settings
from kgqa.errors import ConfigError

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase


def socket_mode_handler(
    settings: Settings, get_kb: Callable[[], KnowledgeBase], *, store: FeedbackStore | None = None
) -> SocketModeHandler:
    """The Bolt app behind a Socket Mode connection (not yet connected: call ``.start()``)."""
    if not settings.slack_app_token:
        raise ConfigError(
            "Socket Mode needs KGQA_SLACK_APP_TOKEN: an app-level token (xapp-...) with the "
            "connections:write scope, from Basic Information > App-Level Tokens"
        )
    bolt = create_bolt_app(settings, get_kb, store=store, socket_mode=True)
    return SocketModeHandler(bolt, settings.slack_app_token, web_client=make_client(settings))


def run_socket_mode(settings: Settings, get_kb: Callable[[], KnowledgeBase]) -> None:
    """Check the configuration, load the knowledge base, then connect and serve until interrupted."""
    handler = socket_mode_handler(settings, get_kb)
    get_kb()  # fail at startup, not on the first question
    handler.start()
