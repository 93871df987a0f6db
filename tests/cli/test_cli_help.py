"""The CLI's help and its cheap checks: no placeholders on flags, and mistakes reported before any loading."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kgqa.apps.cli_graph  # noqa: F401  the command groups register on the app when imported
import kgqa.apps.cli_serve  # noqa: F401
import kgqa.apps.cli_slack  # noqa: F401
from kgqa.apps.cli import app
from kgqa.config import get_settings

pytestmark = pytest.mark.unit

COMMANDS = [[], ["ingest"], ["search"], ["ask"], ["concepts"], ["concept"], ["path"], ["serve"], ["slack"],
            ["graph"], ["graph", "export"], ["feedback"], ["feedback", "export"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "kgqa")
def test_flags_show_no_value_placeholder_and_no_negative_twin(command: list[str]):
    out = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "160"})
    assert out.exit_code == 0, out.output
    assert "Show this message and exit." in out.output
    assert "<bool>" not in out.output
    assert "--no-" not in out.output


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()  # the CLI reads the environment once per process; each test sets its own
    yield {"KGQA_INDEX_DIR": str(tmp_path / "no-index"), "KGQA_CORPUS_DIR": str(tmp_path / "no-corpus"),
           "KGQA_URL": "", "COLUMNS": "300"}
    get_settings.cache_clear()


@pytest.mark.parametrize("command", [["ask", "什么是 RoPE？"], ["search", "RoPE"], ["concepts"]])
def test_a_missing_index_names_its_folder_and_setting(command: list[str], env: dict[str, str]):
    out = CliRunner().invoke(app, command, env=env)
    assert out.exit_code == 2
    assert f"no index in {env['KGQA_INDEX_DIR']} (KGQA_INDEX_DIR)" in out.output


def test_a_missing_corpus_folder_names_its_setting(env: dict[str, str]):
    out = CliRunner().invoke(app, ["ingest"], env=env)
    assert out.exit_code == 2
    assert f"the corpus folder {env['KGQA_CORPUS_DIR']} does not exist (KGQA_CORPUS_DIR)" in out.output
    assert not Path(env["KGQA_INDEX_DIR"]).exists()  # nothing was built or locked


def test_an_empty_or_long_question_is_refused_before_loading(env: dict[str, str]):
    # the index is missing too: these errors come first, so nothing was looked up
    assert "the question is empty" in CliRunner().invoke(app, ["ask", "  "], env=env).output
    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["ask", "长" * 30], env={**env, "KGQA_MAX_QUESTION_CHARS": "20"})
    assert out.exit_code == 2 and "30 characters, over the limit of 20 (KGQA_MAX_QUESTION_CHARS)" in out.output


def test_url_of_no_server_says_how_to_start_one(env: dict[str, str]):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = CliRunner().invoke(app, ["ask", "什么是 RoPE？", "--url", f"http://127.0.0.1:{port}"], env=env)
    assert out.exit_code == 2
    assert f"cannot reach kgqa at http://127.0.0.1:{port}" in out.output and "kgqa serve" in out.output
