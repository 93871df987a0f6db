"""The ``kgqa`` command line. Each command is a thin shell over ``kgqa.pipeline``.

    kgqa ingest [PATHS]         build or refresh indexes/ from your documents (default: corpus/)
    kgqa search "多头注意力"     ranked chunks (--explain shows dense, BM25, graph and fused scores)
    kgqa ask "What is RoPE?"    a cited answer (--json gives the HTTP API's object)
    kgqa serve                  the HTTP service (and the concept-map page, and MCP at /mcp)
    kgqa mcp                    the MCP tools on stdio, for agents that start them as a process
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kgqa.config import Settings, get_settings
from kgqa.errors import KgqaError

if TYPE_CHECKING:
    from kgqa.pipeline import BuildReport

app = typer.Typer(
    help="Knowledge-graph + RAG question answering with sentence-level citations, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def settings() -> Settings:
    return get_settings()


def fail(exc: Exception) -> None:
    if isinstance(exc, OSError) and not isinstance(exc, KgqaError):
        where = f" {exc.filename}" if exc.filename else ""
        message = f"cannot use{where}: {exc.strerror or exc}; check the path and its permissions " \
                  "(KGQA_INDEX_DIR, KGQA_CORPUS_DIR)."
    else:
        message = str(exc)
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def tqdm_progress(stage: str, total: int) -> Callable[[int], None]:
    from tqdm import tqdm

    # with JSON logs every stderr line is a JSON object: no bar
    bar = tqdm(total=total, desc=stage, unit="chunk", file=sys.stderr, disable=total == 0 or _log_format() == "json",
               leave=False)

    def advance(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return advance


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    level = logging.INFO if verbose else logging.WARNING
    if _log_format() == "json":
        from kgqa.apps.logs import JsonFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=level, handlers=[handler])
        logging.captureWarnings(True)
    else:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _log_format() -> str:
    """KGQA_LOG_FORMAT; a settings error is left to the command, which reports it with the rest."""
    from pydantic import ValidationError

    try:
        return settings().log_format
    except ValidationError:
        return "text"


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to index instead of KGQA_CORPUS_DIR.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when nothing changed (embeddings stay cached).")] = False,
    strict: Annotated[bool, typer.Option(help="Exit with status 1 when any file was skipped.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build or refresh the indexes (chunks, vectors, BM25, concept graph) incrementally.

    Files that cannot be indexed (unsupported, undecodable, empty, scanned PDFs) are skipped and listed
    at the end; the others are indexed. What was indexed is what `kgqa serve` serves.
    """
    from dataclasses import asdict

    from kgqa.pipeline import build_index

    try:
        report = build_index(settings(), paths or None, progress=tqdm_progress, force=force)
    except (KgqaError, OSError) as exc:  # an unwritable or missing index folder is an error line, not a trace
        fail(exc)
    if as_json:
        typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    elif report.up_to_date:
        typer.echo(f"index of {', '.join(report.sources)} is up to date "
                   f"({report.counts.get('chunks', 0)} chunks); nothing to do.")
    else:
        _print_build(report)
    if report.skipped:
        typer.secho(f"skipped {len(report.skipped)} file(s):", fg=typer.colors.YELLOW, err=True)
        for item in report.skipped:
            typer.echo(f"  {item.reason}", err=True)
        if strict:
            raise typer.Exit(1)


def _print_build(report: BuildReport) -> None:
    c = report.counts
    typer.echo(f"indexed {', '.join(report.sources)}; rebuilt because: {'; '.join(report.reasons)}")
    typer.echo(
        f"{c['documents']} documents -> {c['chunks']} chunks ({c['duplicates_merged']} duplicates merged, "
        f"{c['boilerplate_sections']} boilerplate sections / {c['boilerplate_chars']} chars dropped, "
        f"{c['attached_questions']}/{c['listed_questions']} listed questions attached to answers)\n"
        f"embedded {c['embedded']}, cached {c['cached']}; "
        f"{c.get('concepts', 0)} concepts, {c.get('edges', 0)} edges; {report.seconds:.1f} s -> {report.folder}"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in Chinese or English.")],
    k: Annotated[int, typer.Option("-k", help="How many chunks to show.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    explain: Annotated[bool, typer.Option(help="Show dense, BM25, graph and fused scores.")] = False,
) -> None:
    """Rank chunks for a query (hybrid retrieval, no answer composition)."""
    from kgqa.pipeline import load

    try:
        kb = load(settings())
        hits = kb.retrieve(query, k=k)
    except KgqaError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps([kb.hit_json(h) for h in hits], ensure_ascii=False, indent=2))
        return
    for rank, h in enumerate(hits, 1):
        c = h.chunk
        typer.secho(f"{rank}. [{h.score:.4f}] {c.doc_id} [{c.start}:{c.end}] {c.section}", bold=True)
        if explain:
            typer.echo("   " + "  ".join(f"{name}={val:.4f}" for name, val in sorted(h.scores.items())))
        snippet = " ".join(c.text.split())
        typer.echo(f"   {snippet[:160]}{'…' if len(snippet) > 160 else ''}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the HTTP API's answer object.")] = False,
    history: Annotated[
        Path | None, typer.Option(help='JSON file with earlier turns: [{"role": "user", "content": "..."}, ...]')
    ] = None,
    k: Annotated[int | None, typer.Option("-k", help="Passages to retrieve per question part.")] = None,
) -> None:
    """Answer a question with sentence-level citations (or say the knowledge base has no answer)."""
    from kgqa.pipeline import load

    try:
        turns = json.loads(history.read_text(encoding="utf-8")) if history else None
    except (OSError, json.JSONDecodeError) as exc:
        fail(KgqaError(f"cannot read --history {history}: {exc}; give a JSON list of {{role, content}} objects"))
    try:
        answer = load(settings()).ask(question, turns, k)
    except KgqaError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    for c in answer.citations:
        typer.secho(f"[{c.n}] {c.title} > {c.section} [{c.start}:{c.end}]", dim=True)
    if answer.related_concepts:
        typer.echo("related: " + "; ".join(
            f"{r.label_zh or r.label} ({r.relation}) - {r.question}" if r.question else f"{r.label_zh or r.label}"
            for r in answer.related_concepts))


def main() -> None:
    # the other command groups register themselves on ``app`` when imported
    import kgqa.apps.cli_graph  # noqa: F401
    import kgqa.apps.cli_mcp  # noqa: F401
    import kgqa.apps.cli_serve  # noqa: F401
    import kgqa.apps.cli_slack  # noqa: F401

    app()


if __name__ == "__main__":
    # run as `python -m kgqa.apps.cli`: the command groups register on the importable module's app
    from kgqa.apps import cli as importable

    importable.main()
