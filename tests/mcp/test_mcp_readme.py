"""The README's MCP client configs are valid JSON and name what kgqa serves: the `kgqa mcp` command that
test_mcp_stdio runs, and the /mcp path test_mcp_http calls on `kgqa serve`'s default address."""

from __future__ import annotations

import inspect
import json
import tomllib

import pytest
from mcp_case import REPO

from kgqa.apps import cli_serve
from kgqa.apps.mcp.transports import PATH

pytestmark = pytest.mark.unit


def configs() -> list[dict[str, dict[str, dict[str, object]]]]:
    section = (REPO / "README.md").read_text("utf-8").split("## MCP", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block.split("```", 1)[0]) for block in section.split("```json")[1:]]


def test_readme_configs_start_kgqa_mcp_and_reach_the_served_path() -> None:
    stdio, http = (c["mcpServers"]["kgqa"] for c in configs())
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert stdio["command"] in scripts and stdio["args"] == ["mcp"]
    port = inspect.signature(cli_serve.serve).parameters["port"].default
    assert http["url"] == f"http://127.0.0.1:{port}{PATH}"
