"""The MCP tools over streamable HTTP at /mcp of the API app, through the SDK's own client against a real
uvicorn server: the same objects and errors as the HTTP API, the DNS-rebinding check and the rate limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx
import pytest
from mcp import Client
from mcp_case import QUESTION, TOOLS, UNKNOWN

from kgqa.apps.api import create_app
from kgqa.apps.api.schemas import AskResponse, ConceptDetail, DocumentDetail, Path, RetrieveResponse
from kgqa.config import Settings
from kgqa.testing import FakeEmbedder, LiveServer

pytestmark = pytest.mark.integration
T = TypeVar("T")
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}
OUTPUTS = {"ask": AskResponse, "search": RetrieveResponse, "concept": ConceptDetail, "path": Path,
           "document": DocumentDetail}
JSON_RPC = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


def with_client(live: LiveServer, use: Callable[[Client], Awaitable[T]], mode: str = "auto") -> T:
    async def main() -> T:
        async with Client(f"{live.url}/mcp", mode=mode) as client:
            return await use(client)

    return anyio.run(main)


def call(live: LiveServer, tool: str, arguments: dict[str, Any]) -> Any:
    async def use(client: Client) -> Any:
        return await client.call_tool(tool, arguments)

    return with_client(live, use)


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # legacy: the initialize handshake most agents still use
def test_tools_are_listed_with_input_and_output_schemas(live: LiveServer, mode: str) -> None:
    async def use(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = {t.name: t for t in with_client(live, use, mode)}
    assert set(tools) == TOOLS
    # the output schemas are the HTTP API's response models
    for name, model in OUTPUTS.items():
        assert tools[name].output_schema == model.model_json_schema(mode="serialization"), name
    ask = tools["ask"]
    assert ask.input_schema["required"] == ["question"]
    assert ask.input_schema["properties"]["k"]["anyOf"][0]["maximum"] == 50
    assert ask.input_schema["properties"]["question"]["minLength"] == 1
    assert tools["search"].input_schema["required"] == ["query"]
    assert tools["concept"].input_schema["required"] == ["name"]
    assert tools["path"].input_schema["required"] == ["source", "target"]
    assert all(t.annotations is not None and t.annotations.read_only_hint for t in tools.values())


def test_ask_is_the_http_answer_and_its_quotes_are_the_documents_text(live: LiveServer) -> None:
    async def use(client: Client) -> tuple[Any, dict[str, str]]:
        result = await client.call_tool("ask", {"question": QUESTION})
        texts = {}
        for c in (result.structured_content or {}).get("citations", []):
            doc = await client.call_tool("document", {"doc_id": c["doc_id"]})
            texts[c["doc_id"]] = DocumentDetail.model_validate(doc.structured_content).text
        return result, texts

    result, texts = with_client(live, use)
    assert not result.is_error, result.content
    answer = AskResponse.model_validate(result.structured_content)
    assert answer.outcome == "answer" and answer.citations and answer.answer
    for c in answer.citations:
        assert c.quote and texts[c.doc_id][c.start:c.end] == c.quote
    http = httpx.post(f"{live.url}/v1/ask", json={"question": QUESTION}, timeout=30).json()
    assert result.structured_content == http


def test_search_returns_the_http_passages(live: LiveServer) -> None:
    result = call(live, "search", {"query": "多头注意力", "k": 3})
    assert not result.is_error, result.content
    passages = RetrieveResponse.model_validate(result.structured_content).results
    assert len(passages) == 3 and all(p.doc_id and p.text and p.end > p.start for p in passages)
    http = httpx.post(f"{live.url}/v1/retrieve", json={"query": "多头注意力", "k": 3}, timeout=30).json()
    assert result.structured_content == http


def test_concept_and_a_path_to_its_neighbour_carry_evidence(live: LiveServer) -> None:
    top = httpx.get(f"{live.url}/v1/concepts", params={"limit": 1}, timeout=30).json()[0]
    concept = ConceptDetail.model_validate(call(live, "concept", {"name": top["id"]}).structured_content)
    assert concept.id == top["id"] and concept.neighbours
    near = concept.neighbours[0]
    result = call(live, "path", {"source": concept.id, "target": near.id})
    assert not result.is_error, result.content
    path = Path.model_validate(result.structured_content)
    assert [n.id for n in path.path] == [concept.id, near.id]
    evidence = path.edges[0].evidence
    assert evidence is not None
    text = DocumentDetail.model_validate(call(live, "document", {"doc_id": evidence.doc_id}).structured_content).text
    assert text[evidence.start:evidence.end] == evidence.quote


def test_unknown_concept_is_the_apis_error(live: LiveServer) -> None:
    result = call(live, "concept", {"name": UNKNOWN})
    http = httpx.get(f"{live.url}/v1/concepts/{UNKNOWN}", timeout=30)
    assert result.is_error and http.status_code == 404
    error = result.structured_content["error"]
    assert error["type"] == http.json()["error"]["type"] == "concept_not_found"
    assert error["message"] == http.json()["error"]["message"] and UNKNOWN in error["message"]
    assert UNKNOWN in result.content[0].text  # a client that reads only the text sees it too


def test_documents_lists_and_an_unknown_one_is_the_apis_error(live: LiveServer) -> None:
    listed = call(live, "documents", {})
    assert listed.structured_content == {"documents": httpx.get(f"{live.url}/v1/documents", timeout=30).json()}
    missing = call(live, "document", {"doc_id": "no-such-doc"})
    assert missing.is_error and missing.structured_content["error"]["type"] == "document_not_found"


def test_over_long_question_is_too_large_as_over_http(live: LiveServer, mcp_settings: Settings) -> None:
    result = call(live, "ask", {"question": "长" * (mcp_settings.max_question_chars + 1)})
    assert result.is_error and result.structured_content["error"]["type"] == "too_large"


def test_requests_naming_another_host_or_a_foreign_origin_are_refused(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        assert client.post("/mcp", json=INITIALIZE, headers=JSON_RPC).status_code == 200
        rebound = client.post("/mcp", json=INITIALIZE, headers={**JSON_RPC, "host": "attacker.example"})
        foreign = client.post("/mcp", json=INITIALIZE, headers={**JSON_RPC, "origin": "http://attacker.example"})
    assert rebound.status_code == 421 and foreign.status_code == 403


def test_mcp_requests_are_rate_limited_like_the_api(mcp_settings: Settings) -> None:
    limited = mcp_settings.model_copy(update={"rate_limit": "3/minute"})
    server = LiveServer.start(create_app(limited, embedder=FakeEmbedder()), name="uvicorn-mcp-limited")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            codes = [client.post("/mcp", json=INITIALIZE, headers=JSON_RPC).status_code for _ in range(4)]
            over = client.post("/mcp", json=INITIALIZE, headers=JSON_RPC)
            api = client.get("/v1/documents")  # counted apart: an agent's burst leaves the API's budget alone
    finally:
        server.stop()
    assert codes == [200, 200, 200, 429] and over.json()["error"]["type"] == "rate_limited"
    assert "KGQA_RATE_LIMIT" in over.json()["error"]["message"] and over.headers["retry-after"]
    assert api.status_code == 200


def test_configured_hosts_are_accepted_and_a_star_turns_the_check_off(mcp_settings: Settings) -> None:
    for hosts, expected in ((["kgqa.internal:*"], [200, 421]), (["*"], [200, 200])):
        app = create_app(mcp_settings.model_copy(update={"mcp_allowed_hosts": hosts}), embedder=FakeEmbedder())
        server = LiveServer.start(app, name="uvicorn-mcp-hosts")
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                codes = [client.post("/mcp", json=INITIALIZE, headers={**JSON_RPC, "host": host}).status_code
                         for host in ("kgqa.internal:8000", "attacker.example")]
        finally:
            server.stop()
        assert codes == expected, hosts


def test_with_api_keys_mcp_needs_one_like_the_api(mcp_settings: Settings) -> None:
    keyed = mcp_settings.model_copy(update={"api_keys": ["agent-key"]})
    server = LiveServer.start(create_app(keyed, embedder=FakeEmbedder()), name="uvicorn-mcp-keys")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            refused = client.post("/mcp", json=INITIALIZE, headers=JSON_RPC)
            wrong = client.post("/mcp", json=INITIALIZE, headers={**JSON_RPC, "authorization": "Bearer nope"})
            allowed = client.post("/mcp", json=INITIALIZE, headers={**JSON_RPC, "authorization": "Bearer agent-key"})
    finally:
        server.stop()
    assert refused.status_code == wrong.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert "KGQA_API_KEYS" in refused.json()["error"]["message"]
    assert allowed.status_code == 200
