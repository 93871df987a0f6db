"""GET /metrics scraped from real servers and parsed with prometheus_client's own parser: requests by route
template, ask stages and outcomes, the served index, re-index durations, and one registry per app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer
from prometheus_client.parser import text_string_to_metric_families

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "second-app-token"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: httpx.Client) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_an_ask_moves_requests_stages_and_outcomes(client: httpx.Client) -> None:
    questions = ["什么是知识蒸馏？", "明天会下雨吗？", "你好"]
    before = scrape(client)
    outcomes = [client.post("/v1/ask", json={"question": q}).json()["outcome"] for q in questions]
    after = scrape(client)

    assert outcomes[2] == "chitchat"
    assert moved(before, after, "kgqa_http_requests_total", method="POST", route="/v1/ask", status="200") == 3
    for outcome in ("answer", "caveat", "refused", "chitchat"):
        assert moved(before, after, "kgqa_ask_outcomes_total", outcome=outcome) == outcomes.count(outcome)
    # a chit-chat turn stops after its own stage; a question goes through every stage, a refusal skips the graph
    questions_asked = len(questions) - 1
    assert moved(before, after, "kgqa_ask_stage_seconds_count", stage="chitchat") == 1
    for stage in ("analyse", "retrieve", "decide", "compose"):
        assert moved(before, after, "kgqa_ask_stage_seconds_count", stage=stage) == questions_asked
        assert moved(before, after, "kgqa_ask_stage_seconds_sum", stage=stage) > 0
    answered = sum(o in ("answer", "caveat") for o in outcomes)
    assert moved(before, after, "kgqa_ask_stage_seconds_count", stage="graph") == answered
    assert moved(before, after, "kgqa_http_request_duration_seconds_count", method="POST", route="/v1/ask") == 3


def test_the_chat_endpoint_counts_its_outcome(client: httpx.Client) -> None:
    before = scrape(client)
    client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "谢谢"}]})
    after = scrape(client)
    assert moved(before, after, "kgqa_ask_outcomes_total", outcome="chitchat") == 1
    assert moved(before, after, "kgqa_http_requests_total", method="POST", route="/v1/chat/completions",
                 status="200") == 1


def test_routes_are_labelled_by_template_never_by_raw_path(client: httpx.Client) -> None:
    before = scrape(client)
    assert client.get("/v1/documents/llm-architecture-design").status_code == 200
    assert client.get("/v1/documents/no-such-document").status_code == 404
    assert client.get("/wp-admin/setup.php").status_code == 404
    assert client.request("PROPFIND", "/v1/ask").status_code == 405
    assert client.get("/static/app.js").status_code == 200
    after = scrape(client)

    template = "/v1/documents/{doc_id}"
    assert moved(before, after, "kgqa_http_requests_total", method="GET", route=template, status="200") == 1
    assert moved(before, after, "kgqa_http_requests_total", method="GET", route=template, status="404") == 1
    assert moved(before, after, "kgqa_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert moved(before, after, "kgqa_http_requests_total", method="other", route="/v1/ask", status="405") == 1
    assert moved(before, after, "kgqa_http_requests_total", method="GET", route="/static", status="200") == 1
    routes = {dict(labels).get("route") for _, labels in after}
    assert not routes & {"/v1/documents/llm-architecture-design", "/v1/documents/no-such-document",
                         "/wp-admin/setup.php", "/static/app.js"}


def test_the_served_index_is_described(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    samples = scrape(client)
    info = [dict(labels) for name, labels in samples if name == "kgqa_index_info"]
    assert info == [{"generation": health["index"]["generation"], "model": health["index"]["model"]}]
    for size in ("documents", "chunks", "concepts"):
        assert value(samples, f"kgqa_index_{size}") == health[size] > 0


@pytest.fixture
def second(tmp_path: Path) -> Iterator[LiveServer]:
    """Another app in the same process, over its own index, rate limited."""
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "indexes", model_dir=tmp_path / "m",
                        embedding_model="fake-hash-embedder", admin_token=ADMIN_TOKEN, rate_limit="3/minute",
                        _env_file=None)  # type: ignore[call-arg]
    embedder = FakeEmbedder()
    build_index(settings, embedder=embedder)
    server = LiveServer.start(create_app(settings, embedder=embedder))
    yield server
    server.stop()


def test_reindex_durations_and_a_registry_per_app(client: httpx.Client, second: LiveServer) -> None:
    first_before = scrape(client)
    with httpx.Client(base_url=second.url, timeout=30) as other:
        before = scrape(other)
        assert value(before, "kgqa_http_requests_total", method="POST", route="/v1/ask", status="200") == 0
        completed = other.get("/healthz").json()["reindex"]["completed"]
        doc = "# Zebra quantisation\n\nZebra quantisation is a made-up method found only in this document.\n"
        r = other.post("/v1/documents", files={"file": ("zebra.md", doc.encode(), "text/markdown")},
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 202
        health = second.wait_reindexed(other, completed)
        after = scrape(other)
        statuses = [other.get("/v1/models").status_code for _ in range(3)]
        scrapes = [other.get("/metrics").status_code for _ in range(5)]
        limited = scrape(other)

    assert moved(before, after, "kgqa_reindex_duration_seconds_count", kind="rebuild", result="ok") == 1
    assert moved(before, after, "kgqa_reindex_duration_seconds_sum", kind="rebuild", result="ok") > 0
    assert value(after, "kgqa_index_documents") == value(before, "kgqa_index_documents") + 1
    assert [dict(labels)["generation"] for name, labels in after if name == "kgqa_index_info"] == \
        [health["index"]["generation"]]
    # the rate limit (3/minute: the upload and two more) answers 429 before routing; still counted by route
    assert statuses == [200, 200, 429]
    assert value(limited, "kgqa_http_requests_total", method="GET", route="/v1/models", status="429") == 1
    # /metrics is outside /v1/ and never limited
    assert scrapes == [200] * 5
    assert value(limited, "kgqa_http_requests_total", method="GET", route="/metrics", status="200") == 2 + 5
    # the first app's counts did not move with the second's requests
    first_after = scrape(client)
    assert moved(first_before, first_after, "kgqa_http_requests_total", method="POST", route="/v1/documents",
                 status="202") == 0
    assert moved(first_before, first_after, "kgqa_reindex_duration_seconds_count", kind="rebuild",
                 result="ok") == 0
