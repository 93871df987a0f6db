"""SSE streaming of /v1/ask, parsed as SSE; the OpenAI-compatible endpoint through the ``openai`` client."""

from __future__ import annotations

import json

import httpx
import pytest
from live_server import LiveServer
from openai import OpenAI
from sse_parse import parse_sse

pytestmark = pytest.mark.integration

QUESTION = "什么是自注意力机制？"


def test_ask_streams_deltas_then_a_final_event(client: httpx.Client) -> None:
    expected = client.post("/v1/ask", json={"question": QUESTION}).json()
    with client.stream(
        "POST", "/v1/ask", json={"question": QUESTION}, headers={"Accept": "text/event-stream"}
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.iter_lines())
    *deltas, done = events
    assert deltas and {e.event for e in deltas} == {"delta"}
    assert "".join(json.loads(e.data)["text"] for e in deltas) == expected["answer"]
    assert done.event == "done"
    assert json.loads(done.data) == expected


def test_stream_errors_are_plain_json_before_the_stream_starts(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"question": "  "}, headers={"Accept": "text/event-stream"})
    assert r.status_code == 422 and r.json()["error"]["type"] == "validation_error"


@pytest.fixture
def openai_client(live: LiveServer) -> OpenAI:
    return OpenAI(base_url=f"{live.url}/v1", api_key="unused", max_retries=0, timeout=30)


def test_openai_client_non_streaming(openai_client: OpenAI, client: httpx.Client) -> None:
    expected = client.post("/v1/ask", json={"question": QUESTION}).json()
    reply = openai_client.chat.completions.create(
        model="kgqa",
        messages=[{"role": "system", "content": "answer briefly"}, {"role": "user", "content": QUESTION}],
    )
    content = reply.choices[0].message.content or ""
    assert reply.model == "kgqa" and reply.choices[0].finish_reason == "stop"
    assert content.startswith(expected["answer"].rstrip())
    assert "\nSources:\n[1] " in content
    assert content.count("\n[") == len(expected["citations"])


def test_openai_client_streaming(openai_client: OpenAI) -> None:
    whole = openai_client.chat.completions.create(
        model="kgqa", messages=[{"role": "user", "content": QUESTION}]
    )
    stream = openai_client.chat.completions.create(
        model="kgqa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    assert len(chunks) > 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole.choices[0].message.content


def test_openai_follow_up_uses_history(openai_client: OpenAI) -> None:
    reply = openai_client.chat.completions.create(
        model="kgqa",
        messages=[
            {"role": "user", "content": "什么是RoPE？"},
            {"role": "assistant", "content": "旋转位置编码。"},
            {"role": "user", "content": "它有什么优点？"},
        ],
    )
    assert reply.choices[0].message.content
