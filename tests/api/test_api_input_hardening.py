"""Input that used to reach the 500 handler: lone surrogates and NUL characters in any text field, and
upload file names that the file system cannot take. Each is a 4xx that names the problem, and no error
reveals where the server keeps its files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from kgqa.apps.api import corpus_files
from kgqa.config import Settings

pytestmark = pytest.mark.integration

SURROGATE = "\\ud83d"  # as JSON spells it: half of an emoji's UTF-16 pair


def post_raw(client: httpx.Client, path: str, body: str) -> httpx.Response:
    """Post JSON text as written (json.dumps would refuse or re-escape the lone surrogate)."""
    return client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/v1/ask", '{"question": "RoPE%s"}', "question"),
        ("/v1/ask", '{"question": "RoPE", "history": [{"role": "user", "content": "a%sb"}]}', "content"),
        ("/v1/retrieve", '{"query": "RoPE%s"}', "query"),
        ("/v1/chat/completions", '{"messages": [{"role": "user", "content": "RoPE%s"}]}', "content"),
        (
            "/v1/chat/completions",
            '{"messages": [{"role": "user", "content": "a%s"}, {"role": "assistant", "content": "b"},'
            ' {"role": "user", "content": "RoPE"}]}',
            "content",
        ),
        (
            "/v1/chat/completions",
            '{"messages": [{"role": "user", "content": [{"type": "text", "text": "RoPE%s"}]}]}',
            "content",
        ),
    ],
)
@pytest.mark.parametrize(("bad", "named"), [(SURROGATE, "lone surrogate U+D83D"), ("\\u0000", "NUL character")])
def test_unusable_characters_in_text_fields_are_422(
    client: httpx.Client, path: str, body: str, where: str, bad: str, named: str
) -> None:
    r = post_raw(client, path, body % bad)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["type"] == "validation_error"
    assert named in error["message"] and where in error["message"]


def upload(
    client: httpx.Client, admin: dict[str, str], name: str, data: bytes = b"# Notes\n\nsome text\n"
) -> httpx.Response:
    """A multipart upload written by hand: httpx would percent-escape a NUL or control character in the
    file name, and a browser or curl sends them as they are."""
    boundary = "kgqa-test-boundary"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{quoted}\"\r\n"
        "Content-Type: text/markdown\r\n\r\n"
    ).encode("utf-8", "surrogatepass") + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/v1/documents",
        content=body,
        headers={
            **admin,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("notes\x00.md", "NUL"),
        ("notes\x1b[31m.md", "control character"),
        ("n" * 253 + ".md", "256 bytes in UTF-8, over the limit of 255"),
        ("注" * 85 + ".md", "258 bytes in UTF-8"),  # 88 characters, 3 bytes each
        ("CON.md", "reserved"),
        ("nul.txt", "reserved"),
        ("glossary.yaml", "reserved"),
    ],
)
def test_unstorable_file_names_are_422(
    client: httpx.Client, admin: dict[str, str], name: str, named: str
) -> None:
    r = upload(client, admin, name)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_filename" and named in error["message"]


@pytest.mark.parametrize("name", ["a" * 252 + ".md", "注" * 84 + ".md", "CONSOLE.md", "aux-notes.md"])
def test_names_at_the_limits_are_stored(tmp_path: Path, name: str) -> None:
    # in a folder of its own: the shared server's corpus stays as the other tests expect it
    change = corpus_files.add_document(tmp_path, name, b"# Notes\n\nsome text\n")
    assert (tmp_path / name).read_bytes().startswith(b"# Notes") and change.doc_id


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("binary.txt", b"\x00\x01\x02abc"),
        ("broken.docx", b"not a zip"),
        ("broken.pdf", b"%PDF-1.7 no objects"),
        ("empty.md", b"  \n"),
    ],
)
def test_upload_errors_do_not_reveal_server_paths(
    client: httpx.Client, admin: dict[str, str], api_settings: Settings, name: str, data: bytes
) -> None:
    r = upload(client, admin, name, data)
    assert r.status_code == 422
    body: dict[str, Any] = r.json()
    text = json.dumps(body, ensure_ascii=False)
    assert name in body["error"]["message"]
    for secret in (str(api_settings.corpus_dir.resolve()), str(api_settings.corpus_dir), ".upload-"):
        assert secret not in text
