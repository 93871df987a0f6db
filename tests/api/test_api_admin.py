"""Upload and delete: admin auth, limits, and changes visible in answers after the background re-index."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_server import LiveServer

from kgqa.apps.api.deps import get_settings
from kgqa.config import Settings

pytestmark = pytest.mark.integration

ZEBRA = """# 斑马量化术

## 什么是斑马量化术？

斑马量化术是一种把权重按条纹分组、交替使用4比特和8比特表示的虚构量化方法。斑马量化术只在这份测试文档中出现。
"""
ZEBRA_Q = "什么是斑马量化术？"


def upload(client: httpx.Client, name: str, data: bytes, headers: dict[str, str]) -> httpx.Response:
    return client.post("/v1/documents", files={"file": (name, data, "text/markdown")}, headers=headers)


@pytest.mark.parametrize("method", ["post", "delete"])
def test_missing_token_is_401(client: httpx.Client, method: str) -> None:
    r = (
        upload(client, "x.md", b"# x", {})
        if method == "post"
        else client.delete("/v1/documents/llm-architecture-design")
    )
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in r.json()["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer wrong-token", "Basic dGVzdDp0ZXN0"])
def test_wrong_token_is_rejected(client: httpx.Client, header: str) -> None:
    r = client.delete("/v1/documents/llm-architecture-design", headers={"Authorization": header})
    assert r.status_code in (401, 403)
    assert client.get("/v1/documents/llm-architecture-design").status_code == 200


@pytest.fixture
def no_admin_token(live: LiveServer, api_settings: Settings) -> Iterator[None]:
    live.app.dependency_overrides[get_settings] = lambda: api_settings.model_copy(
        update={"admin_token": None}
    )
    yield
    live.app.dependency_overrides.clear()


@pytest.mark.usefixtures("no_admin_token")
def test_without_a_configured_token_the_endpoints_are_off(
    client: httpx.Client, admin: dict[str, str]
) -> None:
    for r in (
        upload(client, "x.md", b"# x", admin),
        client.delete("/v1/documents/llm-architecture-design", headers=admin),
    ):
        assert r.status_code == 403
        assert r.json()["error"]["type"] == "admin_disabled"
        assert "KGQA_ADMIN_TOKEN" in r.json()["error"]["message"]
    assert client.get("/v1/documents").status_code == 200


def _cited_docs(client: httpx.Client, question: str) -> set[str]:
    body = client.post("/v1/ask", json={"question": question}).json()
    return {c["doc_id"] for c in body["citations"]}


def test_upload_then_delete_is_visible_in_answers(
    live: LiveServer, client: httpx.Client, admin: dict[str, str]
) -> None:
    assert "zebra-quant" not in _cited_docs(client, ZEBRA_Q)
    before = client.get("/healthz").json()["reindex"]["completed"]

    r = upload(client, "zebra-quant.md", ZEBRA.encode(), admin)
    assert r.status_code == 202, r.text
    assert r.json() == {"doc_id": "zebra-quant", "status": "indexing", "replaced": False}
    # queries keep being answered from the current index while the new one is built
    for _ in range(5):
        assert client.post("/v1/ask", json={"question": "什么是多头注意力？"}).status_code == 200
    health = live.wait_reindexed(client, before)
    assert health["documents"] == 5

    answer = client.post("/v1/ask", json={"question": ZEBRA_Q}).json()
    assert not answer["abstained"] and "zebra-quant" in {c["doc_id"] for c in answer["citations"]}
    assert "条纹" in answer["answer"]
    assert client.get("/v1/documents/zebra-quant").json()["text"] == ZEBRA

    r = client.delete("/v1/documents/zebra-quant", headers=admin)
    assert r.status_code == 202 and r.json()["doc_id"] == "zebra-quant"
    health = live.wait_reindexed(client, health["reindex"]["completed"])
    assert health["documents"] == 4
    assert "zebra-quant" not in _cited_docs(client, ZEBRA_Q)
    assert client.get("/v1/documents/zebra-quant").status_code == 404


def test_upload_over_the_size_limit_is_413(
    client: httpx.Client, admin: dict[str, str], api_settings: Settings
) -> None:
    limit = api_settings.max_upload_bytes
    r = upload(client, "big.md", b"a" * (limit + 1), admin)
    assert r.status_code == 413 and "KGQA_MAX_UPLOAD_BYTES" in r.json()["error"]["message"]
    huge = upload(client, "huge.md", b"a" * (limit * 4), admin)  # refused from its Content-Length
    assert huge.status_code == 413


@pytest.mark.parametrize(
    ("name", "data", "status", "type_"),
    [
        ("slides.key", b"keynote", 415, "unsupported_format"),
        ("binary.txt", b"\x00\x01\x02abc", 422, "unreadable_file"),
        ("broken.docx", b"not a zip", 422, "unreadable_file"),
        (".hidden.md", b"# hidden", 422, "invalid_filename"),
        ("manifest.yaml", b"documents: []", 422, "invalid_filename"),
        ("empty.md", b"  \n", 422, "empty_document"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(
    client: httpx.Client, admin: dict[str, str], name: str, data: bytes, status: int, type_: str
) -> None:
    r = upload(client, name, data, admin)
    assert (r.status_code, r.json()["error"]["type"]) == (status, type_)


def test_upload_without_a_file_is_422(client: httpx.Client, admin: dict[str, str]) -> None:
    assert client.post("/v1/documents", headers=admin).status_code == 422


def test_deleting_an_unknown_document_is_404(client: httpx.Client, admin: dict[str, str]) -> None:
    r = client.delete("/v1/documents/no-such-doc", headers=admin)
    assert r.status_code == 404 and "GET /v1/documents" in r.json()["error"]["message"]
