"""Registers ``kgqa slack`` and ``kgqa feedback export`` on the CLI (imported by ``kgqa.apps.cli.main``).

kgqa slack --socket        run the Slack bot over Socket Mode (no public URL needed)
kgqa slack                 say how the bot is configured and where HTTP mode is served
kgqa feedback export       print the 👍/👎 votes with question, answer and citations (JSON lines or CSV)
"""

from __future__ import annotations

import csv
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from kgqa.apps import cli
from kgqa.apps.cli import app, fail
from kgqa.config import Settings
from kgqa.errors import KgqaError

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase

feedback_app = typer.Typer(help="Feedback (👍/👎) collected by the Slack bot.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")

EXPORT_FIELDS = ["ts", "vote", "user", "channel", "question", "answer", "citations", "answer_id"]


@app.command()
def slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Connect to Slack over Socket Mode and serve.")
    ] = False,
) -> None:
    """The Slack bot. HTTP mode is part of `kgqa serve` (POST /slack/events); --socket needs no URL."""
    from kgqa.apps.slack import EVENTS_PATH, slack_status

    s = cli.settings()
    if not socket:
        typer.echo(f"HTTP mode: {slack_status(s)} (served by `kgqa serve` at {EVENTS_PATH})")
        typer.echo(
            f"Socket Mode: {'ready' if s.slack_app_token and s.slack_bot_token else 'off'}; "
            "run `kgqa slack --socket` (needs KGQA_SLACK_BOT_TOKEN and KGQA_SLACK_APP_TOKEN)"
        )
        return
    try:
        from kgqa.apps.slack.socket_mode import run_socket_mode
    except ImportError as exc:
        fail(KgqaError(f"Slack's SDK is not installed ({exc}): pip install 'kgqa[slack]'"))
    try:
        run_socket_mode(s, shared_kb(s))
    except KgqaError as exc:
        fail(exc)


def shared_kb(s: Settings) -> Callable[[], KnowledgeBase]:
    """Load the knowledge base once, on the first call, and keep it."""
    lock = threading.Lock()
    loaded: list[KnowledgeBase] = []

    def get_kb() -> KnowledgeBase:
        from kgqa.pipeline import load

        with lock:
            if not loaded:
                loaded.append(load(s))
            return loaded[0]

    return get_kb


@feedback_app.command("export")
def export(
    db: Annotated[
        Path | None, typer.Option(help="Feedback database (default: KGQA_INDEX_DIR/slack/feedback.sqlite).")
    ] = None,
    fmt: Annotated[Literal["jsonl", "csv"], typer.Option("--format", help="JSON lines or CSV.")] = "jsonl",
) -> None:
    """Print every vote with its question, answer and citations, oldest first."""
    from kgqa.apps.slack.feedback import FeedbackStore, default_path

    path = db or default_path(cli.settings())
    if not path.exists():
        fail(
            KgqaError(
                f"no feedback database at {path}; votes are stored there once the Slack bot has answered"
            )
        )
    rows = FeedbackStore(path).export()
    if fmt == "jsonl":
        for row in rows:
            typer.echo(json.dumps(row.to_dict(), ensure_ascii=False))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        d = row.to_dict()
        writer.writerow(
            {**{k: d[k] for k in EXPORT_FIELDS}, "citations": json.dumps(d["citations"], ensure_ascii=False)}
        )
