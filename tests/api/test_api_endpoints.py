"""Every read endpoint of the contract against the live server, with the exact field names clients use."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration

CITATION_KEYS = {"n", "chunk_id", "doc_id", "title", "section", "quote", "start", "end", "score", "page"}
RELATED_KEYS = {"id", "label", "label_zh", "relation", "question"}


def test_healthz_reports_what_is_served(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["documents"] == 4 and health["chunks"] > 50 and health["concepts"] > 20
    assert health["index"]["model"] == "fake-hash-embedder" and health["index"]["built_at"]
    assert health["slack"].startswith("off: set KGQA_SLACK_BOT_TOKEN")


def test_retrieve_returns_ranked_chunks_best_first(client: httpx.Client) -> None:
    response = client.post("/v1/retrieve", json={"query": "多头注意力", "k": 3})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    assert set(results[0]) == {"chunk_id", "doc_id", "title", "section", "text", "start", "end", "score", "scores"}
    assert results[0]["scores"]["fused"] == results[0]["score"]  # per channel, as `kgqa search --explain` shows
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert any("注意力" in r["text"] for r in results)


def test_retrieved_offsets_point_into_the_document_text(client: httpx.Client) -> None:
    for r in client.post("/v1/retrieve", json={"query": "位置编码"}).json()["results"]:
        doc = client.get(f"/v1/documents/{r['doc_id']}").json()
        assert doc["text"][r["start"] : r["end"]] == r["text"]


def test_ask_returns_the_cli_json_object(client: httpx.Client) -> None:
    response = client.post("/v1/ask", json={"question": "什么是自注意力机制？"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "citations", "related_concepts", "concepts", "abstained", "outcome", "missing"}
    assert body["answer"] and not body["abstained"] and body["citations"] and body["outcome"] == "answer"
    assert all(set(c) == CITATION_KEYS for c in body["citations"])
    assert all(set(r) == RELATED_KEYS for r in body["related_concepts"])
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))


def test_ask_with_history_and_k(client: httpx.Client) -> None:
    history = [
        {"role": "user", "content": "什么是RoPE？"},
        {"role": "assistant", "content": "旋转位置编码。"},
    ]
    response = client.post("/v1/ask", json={"question": "它有什么优点？", "history": history, "k": 3})
    assert response.status_code == 200
    body = response.json()
    # the follow-up is resolved against the history: it is about RoPE, and is answered from its passages
    assert body["outcome"] in ("answer", "caveat") and body["citations"], body
    assert "rope" in body["concepts"], body["concepts"]
    alone = client.post("/v1/ask", json={"question": "它有什么优点？"}).json()
    assert "rope" not in alone["concepts"]


def test_citations_quote_the_document_at_their_offsets(client: httpx.Client) -> None:
    body = client.post("/v1/ask", json={"question": "Transformer 为什么要用 LayerNorm？"}).json()
    for c in body["citations"]:
        text = client.get(f"/v1/documents/{c['doc_id']}").json()["text"]
        assert text[c["start"] : c["end"]] == c["quote"]


def test_out_of_corpus_question_abstains(client: httpx.Client) -> None:
    body = client.post("/v1/ask", json={"question": "今天上海的天气怎么样？"}).json()
    assert body["abstained"] and body["outcome"] == "refused" and not body["citations"]


def test_greetings_get_a_reply_without_citations(client: httpx.Client) -> None:
    body = client.post("/v1/ask", json={"question": "你好！"}).json()
    assert body["outcome"] == "chitchat" and not body["citations"] and not body["abstained"]
    assert body["answer"].startswith("你好") and "可以试试问" in body["answer"]


def test_documents_list_and_get(client: httpx.Client) -> None:
    docs = client.get("/v1/documents").json()
    assert [d["doc_id"] for d in docs] == sorted(d["doc_id"] for d in docs)
    assert {"llm-architecture-design", "transformer-interview-questions"} <= {d["doc_id"] for d in docs}
    assert all(d["chunks"] > 0 and d["title"] for d in docs)
    one = client.get("/v1/documents/llm-architecture-design").json()
    assert one["title"] == "大模型面试题汇总：大模型架构设计" and len(one["text"]) > 1000
    missing = client.get("/v1/documents/nope")
    assert missing.status_code == 404 and "GET /v1/documents" in missing.json()["error"]["message"]


def test_models_lists_kgqa(client: httpx.Client) -> None:
    assert [m["id"] for m in client.get("/v1/models").json()["data"]] == ["kgqa"]


def test_request_ids_are_echoed_or_made(client: httpx.Client) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    assert made != "bad id with spaces" and len(made) == 16


def test_cors_allows_the_configured_origin_only(client: httpx.Client) -> None:
    preflight = {"Origin": "http://ui.example", "Access-Control-Request-Method": "POST"}
    ok = client.options("/v1/ask", headers=preflight)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://ui.example"
    other = client.options("/v1/ask", headers={**preflight, "Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_docs_and_openapi_are_served(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/healthz",
        "/v1/ask",
        "/v1/retrieve",
        "/v1/chat/completions",
        "/v1/concepts",
        "/v1/concepts/{concept_id}",
        "/v1/graph",
        "/v1/path",
        "/v1/documents",
        "/v1/documents/{doc_id}",
    } <= set(paths)


def test_the_concept_map_page_is_served(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_unknown_route_is_a_json_404(client: httpx.Client) -> None:
    response = client.get("/v2/nothing")
    assert response.status_code == 404
    assert "see /docs" in response.json()["error"]["message"]


def test_overview_comes_from_the_knowledge_base(client: httpx.Client) -> None:
    body = client.get("/v1/overview").json()
    titles = {d["title"] for d in client.get("/v1/documents").json()}
    assert body["topics"] and set(body["topics"]) <= titles and body["title"].startswith(body["topics"][0])
    assert body["questions"]["zh"] and all(q.endswith(("？", "?")) for q in body["questions"]["zh"])


def test_a_document_carries_its_blocks(client: httpx.Client) -> None:
    doc = client.get("/v1/documents/llm-principles-and-transformer-inference").json()
    assert doc["format"] == "md" and doc["blocks"]
    heads = [b for b in doc["blocks"] if b["kind"] == "heading"]
    assert heads and all(doc["text"][b["start"] : b["end"]].startswith("#") for b in heads)
