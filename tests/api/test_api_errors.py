"""Malformed input is a 422, over-long input a 413, and every error says what to fix, as JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", {"question": "问" * 2001}),
        ("/v1/ask", {"question": "问题", "history": [{"role": "user", "content": "x" * 2001}]}),
        ("/v1/retrieve", {"query": "q" * 2001}),
        ("/v1/chat/completions", {"model": "kgqa", "messages": [{"role": "user", "content": "问" * 2001}]}),
    ],
)
def test_too_long_is_413(client: httpx.Client, path: str, body: dict[str, Any]) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 413
    assert "2001 characters, over the limit of 2000" in r.json()["error"]["message"]


def test_question_at_the_limit_is_answered(client: httpx.Client) -> None:
    assert client.post("/v1/ask", json={"question": "注意力" * 666}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", {}),
        ("/v1/ask", {"question": ""}),
        ("/v1/ask", {"question": " \n\t "}),
        ("/v1/ask", {"question": 123}),
        ("/v1/ask", {"question": "RoPE", "k": 0}),
        ("/v1/ask", {"question": "RoPE", "k": 10_000}),
        ("/v1/ask", {"question": "RoPE", "k": "five"}),
        ("/v1/ask", {"question": "RoPE", "history": [{"role": "system", "content": "x"}]}),
        ("/v1/ask", {"question": "RoPE", "history": "not a list"}),
        ("/v1/ask", {"question": "RoPE", "unknown": 1}),
        ("/v1/retrieve", {"query": "RoPE", "k": -3}),
        ("/v1/retrieve", {"k": 3}),
        ("/v1/chat/completions", {"messages": []}),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x"}]},
        ),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "   "}]}),
    ],
)
def test_malformed_input_is_422_with_a_message(client: httpx.Client, path: str, body: dict[str, Any]) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["type"] in ("validation_error", "invalid_input") and error["message"]


def test_invalid_json_is_422(client: httpx.Client) -> None:
    r = client.post("/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "json" in r.json()["error"]["message"].lower()


def test_wrong_method_is_a_json_405(client: httpx.Client) -> None:
    r = client.get("/v1/ask")
    assert r.status_code == 405 and r.json()["error"]["type"] == "method_not_allowed"


def test_a_body_that_is_not_utf8_is_422(client: httpx.Client) -> None:
    r = client.post("/v1/retrieve", content=b"\x95\xb4\x9a#", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "UTF-8 JSON" in r.json()["error"]["message"]


def test_an_oversized_streamed_body_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is only known while the body streams in
        for _ in range(200):
            yield b"x" * 1024

    r = client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "too_large"
