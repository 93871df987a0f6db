"""The Slack bot under test: the kgqa FastAPI app with Slack mounted, served by a real uvicorn on a free port,
its WebClient pointed at a fake Slack Web API (another local server), answering from a real knowledge base
built from a copy of the corpus with the hash embedder. Shared helpers live in ``slack_case``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fake_slack import FakeSlack
from signed import SlackSender
from slack_case import SIGNING_SECRET, Bot, RecordingKB, make_app, serve, slack_settings

from kgqa.apps.slack.feedback import FeedbackStore, default_path
from kgqa.pipeline import KnowledgeBase

if TYPE_CHECKING:
    from conftest import FakeIndexFactory


@pytest.fixture(scope="session")
def knowledge_base(make_fake_index: FakeIndexFactory) -> KnowledgeBase:
    return make_fake_index("slack-kb").load()


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


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
