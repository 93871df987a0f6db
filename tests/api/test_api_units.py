"""Fast checks of the API's pure helpers, the KB holder, and error mapping (via dependency overrides)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kgqa.apps.api import create_app
from kgqa.apps.api.chat import question_and_history, split_deltas, with_sources
from kgqa.apps.api.deps import get_kb
from kgqa.apps.api.holder import KBHolder
from kgqa.apps.api.schemas import ChatMessage
from kgqa.config import Settings
from kgqa.errors import ConceptNotFoundError, IndexError_, InputError, KgqaError
from kgqa.types import Answer, Citation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text", ["", "一句话", "第一句。第二句！第三句？", "First. Second: third\nfourth", "长" * 100]
)
def test_split_deltas_joins_back(text: str) -> None:
    pieces = split_deltas(text, max_len=16)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= 16 for p in pieces)


def test_with_sources_numbers_the_citations() -> None:
    cite = Citation(1, "c1", "doc", "Title", "H1 > H2", "quote", 3, 8, 0.5)
    text = with_sources(Answer("答案[1]。", [cite]))
    assert text.endswith("Sources:\n[1] Title › H1 > H2 (doc, chars 3–8)")
    assert with_sources(Answer("no citations")) == "no citations"


def test_question_and_history_from_chat_messages() -> None:
    msgs = [
        ChatMessage(role="system", content="be brief"),
        ChatMessage(role="user", content="什么是RoPE"),
        ChatMessage(role="assistant", content="旋转位置编码"),
        ChatMessage(role="user", content=[{"type": "text", "text": "它的优点？"}]),
    ]
    question, history = question_and_history(msgs)
    assert question == "它的优点？"
    assert [(m.role, m.content) for m in history] == [("user", "什么是RoPE"), ("assistant", "旋转位置编码")]
    with pytest.raises(InputError, match="last message"):
        question_and_history(msgs[:3])


def test_holder_coalesces_reindexes_and_never_overlaps() -> None:
    running, overlaps, builds = 0, 0, 0
    lock = threading.Lock()
    release = threading.Event()
    started = threading.Event()

    def build() -> None:
        nonlocal running, overlaps, builds
        with lock:
            running += 1
            overlaps += running > 1
            builds += 1
        started.set()
        release.wait(5)
        with lock:
            running -= 1

    loads: list[int] = []
    holder = KBHolder(lambda: loads.append(1) or len(loads), build)  # type: ignore[arg-type, return-value, func-returns-value]
    assert holder.get() == 1
    holder.request_reindex()
    assert started.wait(5)  # the first build is running
    for _ in range(4):  # four more requests while it runs: one more build, not four
        holder.request_reindex()
    release.set()
    assert holder.wait_idle(timeout=10)
    assert (builds, overlaps) == (2, 0)
    assert holder.get() == 3 and holder.state().completed == 2


def test_holder_keeps_serving_after_a_failed_build() -> None:
    def build() -> None:
        raise KgqaError("disk full")

    holder = KBHolder(lambda: "kb", build)  # type: ignore[arg-type, return-value]
    holder.request_reindex()
    assert holder.wait_idle(timeout=10)
    assert holder.get() == "kb"
    assert holder.state().last_error == "KgqaError: disk full"


class RaisingKB:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def ask(self, *args: Any) -> Answer:
        raise self.exc

    def retrieve(self, *args: Any) -> list[Any]:
        raise self.exc


@pytest.fixture
def app(tmp_path: Path) -> Any:
    settings = Settings(
        corpus_dir=tmp_path, index_dir=tmp_path / "idx", max_question_chars=50, _env_file=None
    )  # type: ignore[call-arg]
    return create_app(settings, kb_provider=lambda: pytest.fail("the KB must come from the override"))


@pytest.mark.parametrize(
    ("exc", "status", "type_"),
    [
        (InputError("k must be > 0, got -3"), 422, "invalid_input"),
        (ConceptNotFoundError("rop", ["rope"]), 404, "concept_not_found"),
        (IndexError_("no index in indexes; build one with `kgqa ingest`."), 503, "index_unavailable"),
        (KgqaError("something else"), 400, "kgqa_error"),
    ],
)
def test_kgqa_errors_become_json_with_a_status(app: Any, exc: Exception, status: int, type_: str) -> None:
    app.dependency_overrides[get_kb] = lambda: RaisingKB(exc)
    response = TestClient(app).post("/v1/ask", json={"question": "什么是RoPE"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["type"] == type_ and error["message"] == str(exc)
    assert error["request_id"] == response.headers["x-request-id"]


def test_unexpected_errors_are_json_500s(app: Any) -> None:
    app.dependency_overrides[get_kb] = lambda: RaisingKB(RuntimeError("bug"))
    response = TestClient(app, raise_server_exceptions=False).post("/v1/retrieve", json={"query": "RoPE"})
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "internal_error"


def test_question_length_limit_is_a_413_before_the_kb_is_asked(app: Any) -> None:
    app.dependency_overrides[get_kb] = lambda: RaisingKB(AssertionError("must not be called"))
    response = TestClient(app).post("/v1/ask", json={"question": "长" * 51})
    assert response.status_code == 413
    assert "51 characters, over the limit of 50" in response.json()["error"]["message"]


def test_serve_is_registered_on_the_cli() -> None:
    from typer.testing import CliRunner

    import kgqa.apps.cli_serve  # noqa: F401  (registers the command, as kgqa.apps.cli.main does)
    from kgqa.apps.cli import app as cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output


def test_serve_refuses_a_taken_port_before_loading_anything() -> None:
    import socket

    from kgqa.apps.serve import check_port
    from kgqa.errors import ConfigError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}.*--port"):
            check_port("127.0.0.1", port)


def test_holder_follows_a_generation_another_process_published(fake_settings, fake_embedder) -> None:
    """`kgqa ingest` beside a running server (or another replica) publishes a generation: it is served."""
    from kgqa.index.manifest import current_generation
    from kgqa.pipeline import build_index, load

    build_index(fake_settings, embedder=fake_embedder)
    holder = KBHolder(lambda: load(fake_settings, embedder=fake_embedder), lambda: None,
                      published=lambda: current_generation(fake_settings.index_dir), poll_seconds=0)
    first = holder.get()
    (fake_settings.corpus_dir / "extra.md").write_text("# 斑马量化术\n\n斑马量化术是一种虚构的方法。\n", "utf-8")
    build_index(fake_settings, embedder=fake_embedder)  # as another process would
    assert holder.get() is first  # the query in flight keeps its index; the new one loads in the background
    assert holder.wait_idle(timeout=30)
    served = holder.get()
    assert served is not first and "extra" in served.index.documents
    assert served.index.folder == current_generation(fake_settings.index_dir)
    holder.close()


def test_holder_serves_without_waiting_only_when_nothing_must_be_read() -> None:
    """``served`` (what the event loop takes) is None before the first load and when it is time to look for
    another process's generation; then ``get`` (in a worker thread) loads or looks, and ``served`` has it."""
    clock = {"published": "gen-1", "looks": 0}

    def published() -> object:
        clock["looks"] += 1
        return clock["published"]

    kb = object()
    holder = KBHolder(lambda: kb, lambda: None)  # type: ignore[arg-type,return-value]
    assert holder.served() is None  # not loaded yet
    assert holder.get() is kb and holder.served() is kb
    polling = KBHolder(lambda: kb, lambda: None, published=published, poll_seconds=0)  # type: ignore[arg-type,return-value]
    polling.get()
    assert polling.served() is None  # a look is due at every request: never on the event loop
    looks = clock["looks"]
    assert polling.get() is kb and clock["looks"] == looks + 1
    hourly = KBHolder(lambda: kb, lambda: None, published=published, poll_seconds=3600)  # type: ignore[arg-type,return-value]
    hourly.get()
    assert hourly.served() is kb and clock["looks"] == looks + 1  # within the poll interval: nothing read
