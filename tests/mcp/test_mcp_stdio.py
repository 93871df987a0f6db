"""`kgqa mcp` as an agent starts it: `python -m kgqa.apps.cli mcp` spawned by the SDK's stdio client, reading
the index from KGQA_* settings as `kgqa ask` does (KGQA_EMBEDDING_MODEL=fake-hash-embedder: the hash embedder
the index was built with)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp_case import QUESTION, REPO, TOOLS, UNKNOWN

from kgqa.apps.api.schemas import AskResponse, DocumentDetail
from kgqa.config import Settings

pytestmark = pytest.mark.integration
COMMAND = [sys.executable, "-m", "kgqa.apps.cli", "mcp"]


def environment(settings: Settings) -> dict[str, str]:
    return {**os.environ, "KGQA_INDEX_DIR": str(settings.index_dir), "KGQA_CORPUS_DIR": str(settings.corpus_dir),
            "KGQA_MODEL_DIR": str(settings.model_dir), "KGQA_EMBEDDING_MODEL": settings.embedding_model}


def test_stdio_lists_the_tools_answers_with_citations_and_reports_errors(mcp_settings: Settings,
                                                                          tmp_path: Path) -> None:
    params = StdioServerParameters(command=COMMAND[0], args=COMMAND[1:], env=environment(mcp_settings), cwd=REPO)

    async def main() -> tuple[Any, ...]:
        with (tmp_path / "stderr.log").open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                tools = (await client.list_tools()).tools
                answer = await client.call_tool("ask", {"question": QUESTION})
                texts = {}
                for c in (answer.structured_content or {}).get("citations", []):
                    doc = await client.call_tool("document", {"doc_id": c["doc_id"]})
                    texts[c["doc_id"]] = DocumentDetail.model_validate(doc.structured_content).text
                unknown = await client.call_tool("concept", {"name": UNKNOWN})
        return tools, answer, texts, unknown

    tools, answer, texts, unknown = anyio.run(main)
    assert {t.name for t in tools} == TOOLS
    assert all(t.input_schema.get("type") == "object" and t.output_schema for t in tools)
    assert not answer.is_error, (answer.content, (tmp_path / "stderr.log").read_text())
    parsed = AskResponse.model_validate(answer.structured_content)
    assert parsed.outcome == "answer" and parsed.citations
    for c in parsed.citations:
        assert texts[c.doc_id][c.start:c.end] == c.quote
    assert unknown.is_error and unknown.structured_content["error"]["type"] == "concept_not_found"
    assert UNKNOWN in unknown.structured_content["error"]["message"]


def test_stdio_without_an_index_fails_on_stderr_and_leaves_stdout_to_the_protocol(
    mcp_settings: Settings, tmp_path: Path
) -> None:
    empty = mcp_settings.model_copy(update={"index_dir": tmp_path / "no-index"})
    done = subprocess.run(COMMAND, env=environment(empty), cwd=REPO, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert "error:" in done.stderr and "kgqa ingest" in done.stderr
