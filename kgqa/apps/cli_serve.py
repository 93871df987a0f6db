"""Registers ``kgqa serve`` on the CLI (imported by ``kgqa.apps.cli.main``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgqa.apps.cli import app, fail, settings, tqdm_progress
from kgqa.apps.cli_checks import require_sources
from kgqa.errors import KgqaError
from kgqa.index.manifest import current_generation


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    corpus: Annotated[
        Path | None,
        typer.Option(help="Serve this folder instead of what `kgqa ingest` indexed last (re-indexes it)."),
    ] = None,
) -> None:
    """Serve the HTTP API (chat Q&A, retrieval, concept graph) over what `kgqa ingest` indexed.

    With no index yet, the corpus folder (KGQA_CORPUS_DIR, default corpus/) is indexed first; a stale
    index is refreshed from the same sources before listening.
    """
    from kgqa.apps.serve import serve as run

    chosen = settings() if corpus is None else settings().model_copy(update={"corpus_dir": corpus})
    try:
        if corpus is not None or current_generation(chosen.index_dir) is None:
            # it will index before listening: a missing folder is said now, not after loading the model
            from kgqa.pipeline import corpus_sources

            require_sources(chosen, corpus_sources(chosen))
        run(chosen, host, port, progress=tqdm_progress)
    except (KgqaError, OSError) as exc:
        fail(exc)
