"""A question over its time budget (KGQA_ASK_TIMEOUT_S) ends with a 504 naming the setting, checked between
the answer's stages, instead of running on; the pipeline itself stops before the stage that would start late."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from live_server import LiveServer

from kgqa.apps.api import create_app
from kgqa.deadline import Deadline
from kgqa.errors import BudgetExceededError
from kgqa.pipeline import KnowledgeBase

if TYPE_CHECKING:
    from conftest import FakeIndex

pytestmark = pytest.mark.integration

QUESTION = "什么是多头注意力？"


@dataclasses.dataclass
class SlowPlanning:
    """The real engine, with question analysis made slower than the server's whole budget."""

    engine: Any
    seconds: float
    planned: int = 0

    def plan(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self.seconds)
        self.planned += 1
        return self.engine.plan(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


@pytest.fixture(scope="module")
def kb(api_index: FakeIndex) -> KnowledgeBase:
    return api_index.load()


@pytest.fixture
def slow_server(api_index: FakeIndex, kb: KnowledgeBase) -> Iterator[tuple[LiveServer, SlowPlanning]]:
    slow = SlowPlanning(kb.engine, seconds=0.5)
    slow_kb = dataclasses.replace(kb, engine=slow)
    settings = api_index.settings.model_copy(update={"ask_timeout_s": 0.05})
    server = LiveServer.start(create_app(settings, kb_provider=lambda: slow_kb))
    yield server, slow
    server.stop()


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/ask", {"question": QUESTION}),
     ("/v1/chat/completions", {"model": "kgqa", "messages": [{"role": "user", "content": QUESTION}]})],
)
def test_a_question_over_its_budget_is_a_504_naming_the_setting(
    slow_server: tuple[LiveServer, SlowPlanning], path: str, body: dict[str, Any]
) -> None:
    server, slow = slow_server
    r = httpx.post(f"{server.url}{path}", json=body, timeout=30)
    assert r.status_code == 504, r.text
    error = r.json()["error"]
    assert error["type"] == "timeout" and error["request_id"]
    assert "KGQA_ASK_TIMEOUT_S" in error["message"] and "before retrieving passages" in error["message"]
    assert slow.planned == 1  # it stopped after the stage that ran over, not before it started


def test_with_the_budget_off_the_same_slow_question_is_answered(
    api_index: FakeIndex, kb: KnowledgeBase
) -> None:
    slow_kb = dataclasses.replace(kb, engine=SlowPlanning(kb.engine, seconds=0.2))
    settings = api_index.settings.model_copy(update={"ask_timeout_s": 0})
    server = LiveServer.start(create_app(settings, kb_provider=lambda: slow_kb))
    try:
        r = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=30)
    finally:
        server.stop()
    assert r.status_code == 200 and r.json()["citations"]


def ticking(*times: float) -> Any:
    """A clock reading ``times`` in turn, then the last one for ever."""
    it = iter(times)
    last = times[-1]

    def clock() -> float:
        nonlocal last
        last = next(it, last)
        return last

    return clock


@pytest.mark.parametrize(
    ("times", "stage"),
    [((0.0, 5.0), "retrieving passages"), ((0.0, 0.1, 5.0), "composing the answer"),
     ((0.0, 0.1, 0.2, 5.0), "adding the concept graph's part")],
)
def test_the_pipeline_stops_before_the_stage_that_would_start_over_budget(
    kb: KnowledgeBase, times: tuple[float, ...], stage: str
) -> None:
    budget = Deadline(1.0, "KGQA_ASK_TIMEOUT_S", clock=ticking(*times))
    expected = f"budget of 1 s \\(KGQA_ASK_TIMEOUT_S\\) after 5.0 s, before {stage}"
    with pytest.raises(BudgetExceededError, match=expected):
        kb.ask(QUESTION, deadline=budget)
    within = Deadline(1.0, "KGQA_ASK_TIMEOUT_S", clock=ticking(0.0, 0.1, 0.2, 0.3))
    assert kb.ask(QUESTION, deadline=within) == kb.ask(QUESTION)
