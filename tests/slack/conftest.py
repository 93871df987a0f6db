"""The Slack bot under test: the kgqa FastAPI app with Slack mounted, served by a real uvicorn on a free port,
its WebClient pointed at a fake Slack Web API (another local server), answering from a real knowledge base
built from a copy of the corpus with the hash embedder."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fake_slack import FakeSlack
from fastapi import FastAPI
from signed import SlackSender

from kgqa.apps.api import create_app
from kgqa.apps.slack import mount_slack
from kgqa.apps.slack.feedback import FeedbackStore, default_path
from kgqa.config import Settings
from kgqa.deadline import Deadline
from kgqa.pipeline import KnowledgeBase
from kgqa.testing import LiveServer
from kgqa.types import Answer

if TYPE_CHECKING:
    from conftest import FakeIndexFactory

BOT_TOKEN = "xoxb-0000-test-token-never-logged"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(scope="session")
def knowledge_base(make_fake_index: FakeIndexFactory) -> KnowledgeBase:
    return make_fake_index("slack-kb").load()


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


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


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


@pytest.fixture
def start_bot(
    tmp_path: Path, fake_slack: FakeSlack, knowledge_base: KnowledgeBase
) -> Iterator[Callable[..., Bot]]:
    stops: list[Callable[[], None]] = []
    clients: list[httpx.Client] = []

    def start(delay: float = 0.0, **overrides: Any) -> Bot:
        fake_slack.reset()
        settings = slack_settings(tmp_path, fake_slack.api_url).model_copy(update=overrides)
        kb = RecordingKB(knowledge_base, delay)
        app = make_app(settings, kb)
        url, stop = serve(app)
        stops.append(stop)
        http = httpx.Client(base_url=url, timeout=30)
        clients.append(http)
        return Bot(
            url,
            http,
            SlackSender(http, SIGNING_SECRET),
            fake_slack,
            kb,
            FeedbackStore(default_path(settings)),
            settings,
        )

    yield start
    for c in clients:
        c.close()
    for stop in stops:
        stop()


@pytest.fixture
def bot(start_bot: Callable[..., Bot]) -> Bot:
    return start_bot()


def blocks_of(call: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = call.params["blocks"]
    return blocks
