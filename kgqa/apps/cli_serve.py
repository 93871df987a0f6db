"""Registers ``kgqa serve`` on the CLI (imported by ``kgqa.apps.cli.main``)."""

from __future__ import annotations

from typing import Annotated

import typer

from kgqa.apps.cli import app, fail, settings, tqdm_progress
from kgqa.errors import KgqaError


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on; 0.0.0.0 for every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the HTTP API (chat Q&A, retrieval, concept graph); refreshes a missing or stale index first."""
    from kgqa.apps.serve import serve as run

    try:
        run(settings(), host, port, progress=tqdm_progress)
    except KgqaError as exc:
        fail(exc)
