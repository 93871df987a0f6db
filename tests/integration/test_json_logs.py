"""``KGQA_LOG_FORMAT=json``: `kgqa serve` run as a user runs it writes one JSON object per line (its own notices,
uvicorn's, the access log with its fields); the CLI's logging does too."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _json_lines(text: str) -> list[dict[str, object]]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    bare = [line for line in lines if not line.startswith("{")]
    assert not bare, f"not JSON: {bare}"
    return [json.loads(line) for line in lines]


# `kgqa serve` through the CLI, with the hash embedder in place of the model (what is tested is the logging)
SERVE = ("import sys, kgqa.index.models as m; from kgqa.testing import FakeEmbedder; "
         "m.load_embedder = lambda settings: FakeEmbedder(); "
         "from kgqa.apps.cli import main; sys.argv = ['kgqa', 'serve', '--port', sys.argv[1]]; main()")


def test_serve_writes_json_lines(tmp_path: Path) -> None:
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "indexes", model_dir=tmp_path / "m",
                        embedding_model="fake-hash-embedder", _env_file=None)  # type: ignore[call-arg]
    build_index(settings, embedder=FakeEmbedder())
    port = _free_port()
    env = {**os.environ, "KGQA_CORPUS_DIR": str(settings.corpus_dir), "KGQA_INDEX_DIR": str(settings.index_dir),
           "KGQA_EMBEDDING_MODEL": "fake-hash-embedder", "KGQA_LOG_FORMAT": "json"}
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=5)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None, "kgqa serve did not start listening"
                time.sleep(0.3)
        asked = httpx.post(f"{url}/v1/ask", json={"question": "What is RoPE?"}, headers={"x-request-id": "rope-1"},
                           timeout=30)
        assert asked.status_code == 200
        assert httpx.get(f"{url}/no-such-page", timeout=5).status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        _, log = proc.communicate(timeout=60)
    entries = _json_lines(log)
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    loggers = {e["logger"] for e in entries}
    assert {"kgqa.serve", "kgqa.access", "uvicorn.error"} <= loggers, loggers
    ask = next(e for e in entries if e["logger"] == "kgqa.access" and e.get("request_id") == "rope-1")
    assert ask["method"] == "POST" and ask["path"] == "/v1/ask" and ask["status"] == 200
    assert isinstance(ask["duration_ms"], float) and ask["message"].startswith('rope-1 127.0.0.1 "POST /v1/ask" 200')
    assert any(e["logger"] == "kgqa.access" and e.get("status") == 404 for e in entries)


def test_cli_logging_writes_json_lines() -> None:
    script = ("import logging, warnings; from kgqa.apps.cli import main_options; main_options(verbose=True); "
              "logging.getLogger('kgqa.test').info('indexed %d files', 3, extra={'folder': 'docs'}); "
              "warnings.warn('a library warning'); "
              "logging.getLogger('kgqa.test').error('failed', exc_info=ValueError('bad value'))")
    env = {**os.environ, "KGQA_LOG_FORMAT": "json"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                         check=True, cwd=REPO)
    entries = _json_lines(out.stderr)
    assert entries[0]["message"] == "indexed 3 files" and entries[0]["folder"] == "docs"
    assert entries[0]["level"] == "INFO" and entries[0]["logger"] == "kgqa.test"
    assert entries[1]["logger"] == "py.warnings" and "a library warning" in str(entries[1]["message"])
    assert "ValueError: bad value" in str(entries[2]["exception"])
