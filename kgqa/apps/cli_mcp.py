"""Registers ``kgqa mcp`` on the CLI (imported by ``kgqa.apps.cli.main``)."""

from __future__ import annotations

from kgqa.apps.cli import app, fail, settings
from kgqa.errors import KgqaError


@app.command()
def mcp() -> None:
    """Serve the knowledge base's tools (ask, search, concept, path, documents) to an MCP client on stdio.

    For agents that start their tools as a process (Claude Desktop and the like); the same tools are at
    http://127.0.0.1:8000/mcp under `kgqa serve`. Answers from the index `kgqa ingest` built (KGQA_INDEX_DIR).
    """
    from kgqa.apps.mcp.transports import run_stdio

    try:
        run_stdio(settings())
    except (KgqaError, OSError) as exc:  # stdout is the protocol's: errors go to stderr only
        fail(exc)
