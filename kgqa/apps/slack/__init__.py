"""The Slack bot: ask in channels (@mention), direct messages and ``/kgqa``; threaded, cited answers.

HTTP mode mounts on the FastAPI service (:func:`mount_slack`); Socket Mode runs alone
(``kgqa slack --socket``). Importing this package does not import Slack's SDK, so the service runs
without the ``slack`` extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING

from kgqa.config import Settings
from kgqa.errors import ConfigError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from kgqa.apps.slack.feedback import FeedbackStore
    from kgqa.pipeline import KnowledgeBase

__all__ = ["EVENTS_PATH", "missing_settings", "mount_slack", "slack_status"]

EVENTS_PATH = "/slack/events"
INSTALL_HINT = "pip install 'kgqa[slack]'"


def missing_settings(settings: Settings) -> list[str]:
    """The environment variables the HTTP endpoint still needs, e.g. ``["KGQA_SLACK_SIGNING_SECRET"]``."""
    needed = {
        "KGQA_SLACK_BOT_TOKEN": settings.slack_bot_token,
        "KGQA_SLACK_SIGNING_SECRET": settings.slack_signing_secret,
    }
    return [name for name, value in needed.items() if not value]


def sdk_installed() -> bool:
    return importlib.util.find_spec("slack_bolt") is not None


def slack_status(settings: Settings) -> str:
    """For ``/healthz``: ``"on"``, or ``"off: ..."`` saying what to do, e.g.
    ``"off: set KGQA_SLACK_BOT_TOKEN and KGQA_SLACK_SIGNING_SECRET"``."""
    missing = missing_settings(settings)
    if missing:
        return f"off: set {' and '.join(missing)}"
    return "on" if sdk_installed() else f"off: {INSTALL_HINT}"


def mount_slack(
    app: FastAPI,
    settings: Settings,
    get_kb: Callable[[], KnowledgeBase],
    *,
    store: FeedbackStore | None = None,
) -> bool:
    """Serve the Slack bot at ``POST /slack/events`` (events, the slash command and buttons). Returns False
    and mounts nothing without a bot token and a signing secret. ``get_kb`` is called per question, so a
    re-indexed knowledge base is picked up."""
    if missing_settings(settings):
        return False
    if not sdk_installed():
        raise ConfigError(f"KGQA_SLACK_BOT_TOKEN is set but Slack's SDK is not installed: {INSTALL_HINT}")
    from kgqa.apps.slack.app import create_bolt_app
    from kgqa.apps.slack.http import events_router

    bolt = create_bolt_app(settings, get_kb, store=store)
    app.state.slack_app = bolt
    app.include_router(events_router(bolt))
    return True
