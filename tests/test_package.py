"""The public API: everything in ``kgqa.__all__`` resolves, and nothing else is promised."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kgqa

pytestmark = pytest.mark.unit


def test_every_public_name_resolves():
    import importlib

    for name in kgqa.__all__:
        obj = getattr(kgqa, name)
        # each public name is the object its defining module exports, not a placeholder
        assert getattr(importlib.import_module(obj.__module__), obj.__name__) is obj, name


def test_unknown_names_fail_clearly():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kgqa.nope  # noqa: B018


def test_importing_the_package_loads_no_model_stack():
    code = "import sys, kgqa, kgqa.config; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_cli_help_lists_every_command():
    from typer.testing import CliRunner

    import kgqa.apps.cli_graph  # noqa: F401
    import kgqa.apps.cli_mcp  # noqa: F401
    import kgqa.apps.cli_serve  # noqa: F401
    import kgqa.apps.cli_slack  # noqa: F401
    from kgqa.apps.cli import app, main  # noqa: F401  main registers the command groups

    out = CliRunner().invoke(app, ["--help"]).output
    # the command names as the help's command table lists them, one per row (a substring check would pass for
    # "concept" and "graph" on the app's own description)
    listed = {line.strip("│ ").split(" ", 1)[0] for line in out.splitlines() if line.startswith("│ ") and
              not line.strip("│ ").startswith("-")}
    expected = {"ingest", "search", "ask", "concepts", "concept", "path", "graph", "serve", "mcp", "slack", "feedback"}
    assert expected <= listed


def test_readme_commands_exist_with_their_options():
    """Every `kgqa ...` line of the README's command-line block names a real command and real options."""
    import re
    from pathlib import Path

    from typer.testing import CliRunner

    import kgqa.apps.cli_graph  # noqa: F401
    import kgqa.apps.cli_mcp  # noqa: F401
    import kgqa.apps.cli_serve  # noqa: F401
    import kgqa.apps.cli_slack  # noqa: F401
    from kgqa.apps.cli import app

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    block = readme.split("## Command line", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [ln.split("#", 1)[0].strip() for ln in block.splitlines() if ln.strip().startswith("kgqa ")]
    assert len(lines) >= 8
    for line in lines:
        words = line.split()[1:]
        command = words[:2] if words[0] == "graph" else words[:1]  # `graph` is a group: `graph export`
        out = CliRunner().invoke(app, [*command, "--help"])
        assert out.exit_code == 0, line
        for option in re.findall(r"--[a-z]+", line):
            assert option in out.output, f"{line}: {option} missing"
