"""Per-client rate limits on /v1/* and /slack/events: a 429 with Retry-After past the limit, a budget per
client address, and the settings that size or turn them off. Served by a real uvicorn over the API tests'
index."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.errors import ConfigError
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture
def limited(live: LiveServer, api_settings: Settings) -> Iterator[LiveServer]:
    settings = api_settings.model_copy(update={"rate_limit": "3/minute", "slack_rate_limit": "2/minute"})
    server = LiveServer.start(create_app(settings, embedder=FakeEmbedder()))
    yield server
    server.stop()


def client_from(url: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30, transport=httpx.HTTPTransport(local_address=address))


def test_past_the_limit_a_client_gets_429_with_retry_after(limited: LiveServer) -> None:
    with client_from(limited.url, "127.0.0.1") as client:
        assert [client.get("/v1/models").status_code for _ in range(3)] == [200, 200, 200]
        r = client.post("/v1/ask", json={"question": "什么是 RoPE？"})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        error = r.json()["error"]
        assert error["type"] == "rate_limited" and "KGQA_RATE_LIMIT" in error["message"]
        assert error["request_id"] == r.headers["x-request-id"]
        assert client.get("/healthz").status_code == 200  # only /v1/* and /slack/events are limited


def test_each_client_address_has_its_own_budget(limited: LiveServer) -> None:
    with client_from(limited.url, "127.0.0.1") as one, client_from(limited.url, "127.0.0.2") as other:
        assert [one.get("/v1/models").status_code for _ in range(4)][-1] == 429
        assert other.get("/v1/models").status_code == 200


def test_slack_events_have_their_own_limit(limited: LiveServer) -> None:
    with client_from(limited.url, "127.0.0.3") as client:
        # Slack is not configured here: the limit applies before routing, so 404s count too
        codes = [client.post("/slack/events", content=b"{}").status_code for _ in range(3)]
        assert codes == [404, 404, 429]
        assert client.get("/v1/models").status_code == 200  # a separate budget


def test_an_empty_setting_turns_the_limit_off(live: LiveServer) -> None:
    # the shared API server runs with KGQA_RATE_LIMIT empty
    with client_from(live.url, "127.0.0.4") as client:
        assert {client.get("/v1/models").status_code for _ in range(130)} == {200}


def test_a_malformed_limit_is_refused_at_startup(api_settings: Settings) -> None:
    with pytest.raises(ConfigError, match="KGQA_RATE_LIMIT='lots' is not a rate limit"):
        create_app(api_settings.model_copy(update={"rate_limit": "lots"}), embedder=FakeEmbedder())
