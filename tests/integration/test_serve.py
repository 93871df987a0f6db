"""`kgqa serve` as a user runs it: with an index on disk it listens at once, even when the documents changed,
and swaps the refreshed index in when the background rebuild is done."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kgqa.config import Settings
from kgqa.pipeline import build_index

pytestmark = pytest.mark.integration



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_listens_on_the_last_index_and_swaps_in_the_refreshed_one(tmp_path, corpus_copy, model_dir,
                                                                        real_embedder):
    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "indexes", model_dir=model_dir,
                        _env_file=None)  # type: ignore[call-arg]
    first = build_index(settings, embedder=real_embedder)
    (tmp_path / "corpus" / "zebra.md").write_text("# 斑马量化术\n\n斑马量化术是一种虚构的量化方法。\n", "utf-8")
    port = _free_port()
    env = {**os.environ, "KGQA_CORPUS_DIR": str(settings.corpus_dir), "KGQA_INDEX_DIR": str(settings.index_dir),
           "KGQA_MODEL_DIR": str(model_dir), "KGQA_RATE_LIMIT": ""}
    proc = subprocess.Popen([sys.executable, "-m", "kgqa.apps.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"{url}/healthz", timeout=5).json()
            except httpx.HTTPError:
                time.sleep(0.3)
        assert health is not None, "kgqa serve did not start listening"
        generations = [health["index"]["generation"]]
        while time.monotonic() < deadline and health["documents"] != 5:
            time.sleep(0.5)
            health = httpx.get(f"{url}/healthz", timeout=5).json()
            generations.append(health["index"]["generation"])
        assert health["documents"] == 5, health
        # the new document was embedded in a build process of its own: loading the passage model (torch) in
        # the server holds the GIL for seconds at a time, and every request, /healthz too, waits that long
        maps = Path(f"/proc/{proc.pid}/maps")
        if maps.exists():
            assert "libtorch" not in maps.read_text(), "the server process loaded torch to rebuild"
        # it listened on the previous generation first, then swapped in the refreshed one
        assert generations[0] == Path(first.folder).name and generations[-1] != generations[0]
    finally:
        proc.terminate()
        _, log = proc.communicate(timeout=30)  # reads and closes the pipe
    assert "checking it against its documents in the background" in log
