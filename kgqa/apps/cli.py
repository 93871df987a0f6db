"""The ``kgqa`` command line. Each command is a thin shell over ``kgqa.pipeline``.

    kgqa ingest [PATHS]         build or refresh indexes/ from your documents (default: corpus/)
    kgqa search "多头注意力"     ranked chunks (--explain shows dense, BM25, graph and fused scores)
    kgqa ask "What is RoPE?"    a cited answer (--json gives the HTTP API's object; --url asks a server)
    kgqa serve                  the HTTP service (and the concept-map page, and MCP at /mcp)
    kgqa mcp                    the MCP tools on stdio, for agents that start them as a process

Query commands load only what answering needs (for the default model no torch), and check the question and
the index before loading anything.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer
from typer.core import TyperGroup, TyperOption

from kgqa.apps import cli_checks, cli_remote
from kgqa.config import Settings, get_settings
from kgqa.errors import KgqaError

if TYPE_CHECKING:
    from kgqa.pipeline import BuildReport

# typer builds on its own copy of click (typer._click), a private module: its objects are typed Any here
Command: TypeAlias = Any
Context: TypeAlias = Any


def _without_flag_types(params: list[Any]) -> list[Any]:
    """A flag takes no value, so its help row shows no ``<bool>`` type (typer's rich help prints one)."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""
    return params


def _tidy(command: Command, ctx: Context) -> None:
    _without_flag_types(command.get_params(ctx))
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                _tidy(sub, ctx)


class TidyGroup(TyperGroup):
    """The root command; tidies the help of every command and group under it as it is resolved."""

    def get_params(self, ctx: Context) -> list[Any]:
        return _without_flag_types(super().get_params(ctx))

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _tidy(command, ctx)
        return command


app = typer.Typer(
    cls=TidyGroup,
    help="Knowledge-graph + RAG question answering with sentence-level citations, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

URL_HELP = "Ask the kgqa server at this URL (e.g. http://127.0.0.1:8000) instead of loading the index here."
# what each progress stage counts: embedding counts texts (each chunk, what it answers, and its sentences)
UNITS = {"embedding": "text"}


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
    json_logs = _log_format() == "json"
    bar = tqdm(total=total, desc=stage, unit=UNITS.get(stage, "item"), file=sys.stderr, disable=total == 0 or json_logs,
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
    _quiet_jieba(level)


def _log_format() -> str:
    """KGQA_LOG_FORMAT; a settings error is left to the command, which reports it with the rest."""
    from pydantic import ValidationError

    try:
        return settings().log_format
    except ValidationError:
        return "text"


def _quiet_jieba(level: int) -> None:
    """jieba sets its logger to DEBUG, with a stderr handler of its own, when imported (wordfreq imports it
    too); set it to the CLI's level once it exists, so ``kgqa ingest`` prints no dictionary-loading lines."""
    import jieba

    jieba.setLogLevel(level)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders to index instead of KGQA_CORPUS_DIR.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even when nothing changed (embeddings stay cached).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with status 1 when any file was skipped.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build or refresh the indexes (chunks, vectors, BM25, concept graph) incrementally.

    Files that cannot be indexed (unsupported, undecodable, empty, scanned PDFs) are skipped and listed
    at the end; the others are indexed. What was indexed is what `kgqa serve` serves.
    """
    from dataclasses import asdict

    from kgqa.pipeline import build_index, corpus_sources

    try:
        cli_checks.require_sources(settings(), corpus_sources(settings(), paths or None))
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
    typer.echo(f"indexed {', '.join(report.sources)}; rebuilt because: {'; '.join(report.reasons) or '--force'}")
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
    explain: Annotated[bool, typer.Option("--explain", help="Show dense, BM25, graph and fused scores.")] = False,
    url: Annotated[str | None, typer.Option(help=URL_HELP, envvar="KGQA_URL", show_envvar=True)] = None,
) -> None:
    """Rank chunks for a query (hybrid retrieval, no answer composition)."""
    try:
        if url:
            hits = cli_remote.search(url, cli_checks.require_question(query, settings(), limit=False), k)
        else:
            hits = _search_here(query, k)
    except KgqaError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    for rank, h in enumerate(hits, 1):
        typer.secho(f"{rank}. [{h['score']:.4f}] {h['doc_id']} [{h['start']}:{h['end']}] {h['section']}", bold=True)
        if explain:
            typer.echo("   " + "  ".join(f"{name}={val:.4f}" for name, val in sorted(h["scores"].items())))
        snippet = " ".join(h["text"].split())
        typer.echo(f"   {snippet[:160]}{'…' if len(snippet) > 160 else ''}")


def _search_here(query: str, k: int) -> list[dict[str, Any]]:
    s = settings()
    cli_checks.require_question(query, s)
    cli_checks.require_index(s)
    from kgqa.pipeline import load

    kb = load(s)
    return [kb.hit_json(h) for h in kb.retrieve(query, k=k)]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the HTTP API's answer object.")] = False,
    history: Annotated[
        Path | None, typer.Option(help='JSON file with earlier turns: [{"role": "user", "content": "..."}, ...]')
    ] = None,
    k: Annotated[int | None, typer.Option("-k", help="Passages to retrieve per question part.")] = None,
    url: Annotated[str | None, typer.Option(help=URL_HELP, envvar="KGQA_URL", show_envvar=True)] = None,
) -> None:
    """Answer a question with sentence-level citations (or say the knowledge base has no answer)."""
    try:
        turns = json.loads(history.read_text(encoding="utf-8")) if history else None
    except (OSError, json.JSONDecodeError) as exc:
        fail(KgqaError(f"cannot read --history {history}: {exc}; give a JSON list of {{role, content}} objects"))
    try:
        if url:
            answer = cli_remote.ask(url, cli_checks.require_question(question, settings(), limit=False), turns, k)
        else:
            answer = _ask_here(question, turns, k)
    except KgqaError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    typer.echo(answer["answer"])
    for c in answer["citations"]:
        typer.secho(f"[{c['n']}] {c['title']} > {c['section']} [{c['start']}:{c['end']}]", dim=True)
    if answer["related_concepts"]:
        typer.echo("related: " + "; ".join(
            f"{r['label_zh'] or r['label']} ({r['relation']}) - {r['question']}" if r["question"]
            else f"{r['label_zh'] or r['label']}" for r in answer["related_concepts"]))


def _ask_here(question: str, turns: list[Any] | None, k: int | None) -> dict[str, Any]:
    s = settings()
    cli_checks.require_question(question, s)
    cli_checks.require_index(s)
    from kgqa.pipeline import load

    answer: dict[str, Any] = load(s).ask(question, turns, k).to_dict()
    return answer


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
