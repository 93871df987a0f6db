"""What the Slack tests share besides fixtures: the bot's credentials, the recording knowledge base, the running
bot's handles and the helpers that start one (a module of its own: test modules cannot import a conftest by name,
since several test folders have one)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fake_slack import FakeSlack
from fastapi import FastAPI
from signed import SlackSender

from kgqa.apps.api import create_app
from kgqa.apps.slack import mount_slack
from kgqa.apps.slack.feedback import FeedbackStore
from kgqa.config import Settings
from kgqa.deadline import Deadline
from kgqa.pipeline import KnowledgeBase
from kgqa.testing import LiveServer
from kgqa.types import Answer

BOT_TOKEN = "xoxb-0000-test-token-never-logged"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class RecordingKB:
    """The real knowledge base, recording each question and its history; ``delay`` makes answers slow."""

    kb: KnowledgeBase
    delay: float = 0.0
    asked: list[tuple[str, list[dict[str, str]] | None]] = field(default_factory=list)

    def ask(
        self, question: str, history: Sequence[dict[str, str]] | None = None, k: int | None = None,
        deadline: Deadline | None = None,
    ) -> Answer:
        self.asked.append((question, list(history) if history is not None else None))
        if self.delay:
            time.sleep(self.delay)
        return self.kb.ask(question, history, k, deadline=deadline)


@dataclass
class Bot:
    url: str
    http: httpx.Client
    slack: SlackSender
    fake: FakeSlack
    kb: RecordingKB
    store: FeedbackStore
    settings: Settings


def serve(app: FastAPI) -> tuple[str, Callable[[], None]]:
    server = LiveServer.start(app, name="uvicorn-slack", timeout=30)
    return server.url, server.stop


def slack_settings(tmp_path: Path, api_url: str) -> Settings:
    return Settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "indexes",
        model_dir=tmp_path / "models",
        embedding_model="fake-hash-embedder",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=api_url,
        _env_file=None,
    )  # type: ignore[call-arg]


def make_app(settings: Settings, kb: RecordingKB) -> FastAPI:
    """The kgqa service with the bot mounted at /slack/events, as `kgqa serve` runs it."""
    app = create_app(settings, kb_provider=lambda: kb)  # type: ignore[arg-type, return-value]
    if not hasattr(app.state, "slack_app"):  # until create_app mounts the bot itself
        assert mount_slack(app, settings, app.state.kb_holder.get)
    return app


def blocks_of(call: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = call.params["blocks"]
    return blocks
