"""Concept-graph commands: ``kgqa concepts``, ``kgqa concept``, ``kgqa path``, ``kgqa graph export``.

They read only the graph of the current index (no embedding model), so they answer instantly.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kgqa.apps.cli import app, fail, settings
from kgqa.apps.cli_checks import require_index
from kgqa.errors import KgqaError
from kgqa.graph.query import INVERSE, ConceptGraph

graph_app = typer.Typer(help="Export the concept graph.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")


class Format(StrEnum):
    graphml = "graphml"
    json = "json"


def load_graph() -> ConceptGraph:
    return ConceptGraph.load(require_index(settings()) / "graph.json")


def _label(graph: ConceptGraph, cid: str) -> str:
    c = graph.concepts.get(cid)
    if c is None:
        return cid
    return f"{c.label_zh} / {c.label}" if c.label_zh and c.label_zh != c.label else c.label


@app.command()
def concepts(
    query: Annotated[str, typer.Argument(help="Filter by Chinese, English or alias (empty: all).")] = "",
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List or search concepts, most connected first."""
    try:
        graph = load_graph()
        found = graph.search(query, limit=limit)
    except KgqaError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps([{"id": c.id, "label": c.label, "label_zh": c.label_zh, "aliases": c.aliases,
                                "degree": graph.degree(c.id)} for c in found], ensure_ascii=False, indent=2))
        return
    for c in found:
        aliases = f"  ({', '.join(c.aliases[:4])})" if c.aliases else ""
        typer.echo(f"{c.id:36} {_label(graph, c.id)}{aliases}  degree={graph.degree(c.id)}")


@app.command()
def concept(concept_id: Annotated[str, typer.Argument(help="Concept id or name, any language.")]) -> None:
    """One concept: labels, aliases, typed neighbours with the sentence stating each relation."""
    try:
        graph = load_graph()
        c = graph.concept(concept_id)
    except KgqaError as exc:
        fail(exc)
    typer.secho(f"{c.id}: {_label(graph, c.id)}", bold=True)
    if c.aliases:
        typer.echo(f"aliases: {', '.join(c.aliases)}")
    typer.echo(f"mentioned in {len(graph.chunks_for(c.id))} chunks; ask: {graph.follow_up(c.id)}")
    for e, direction in sorted(graph.neighbours(c.id), key=lambda x: (x[0].type == "related", x[0].type)):
        other = e.target if direction == "out" else e.source
        rel = e.type if direction == "out" else INVERSE.get(e.type, e.type)
        quote = " ".join(e.evidence[0].quote.split())[:90] if e.evidence else ""
        typer.echo(f"  -[{rel}]-> {_label(graph, other)}   「{quote}」")


@app.command()
def path(
    source: Annotated[str, typer.Argument(help="From concept (id or name, any language).")],
    target: Annotated[str, typer.Argument(help="To concept.")],
) -> None:
    """The explanatory chain between two concepts, each hop with its evidence sentence."""
    try:
        graph = load_graph()
        hops = graph.path(source, target)
    except KgqaError as exc:
        fail(exc)
    if not hops:
        fail(KgqaError(f"no path between {source!r} and {target!r} in the concept graph"))
    here = graph.concept(source).id
    for e in hops:
        # print in walking order; an edge walked against its direction is shown as <-[type]-
        if e.source == here:
            here, line = e.target, f"{_label(graph, e.source)} -[{e.type}]-> {_label(graph, e.target)}"
        else:
            here, line = e.source, f"{_label(graph, e.target)} <-[{e.type}]- {_label(graph, e.source)}"
        typer.secho(line, bold=True)
        for ev in e.evidence[:2]:
            typer.echo(f"    「{' '.join(ev.quote.split())}」 {ev.doc_id}:{ev.start}-{ev.end} ({ev.rule})")


@graph_app.command("export")
def export(
    fmt: Annotated[Format, typer.Option("--format", help="graphml (Gephi, yEd) or json (node-link).")] = Format.graphml,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: concept-graph.<format>).")]
    = None,
) -> None:
    """Write the concept graph for other tools."""
    try:
        graph = load_graph()
    except KgqaError as exc:
        fail(exc)
    target = out or Path(f"concept-graph.{fmt.value}")
    if fmt is Format.graphml:
        graph.to_graphml(target)
    else:
        graph.save(target)
    typer.echo(f"wrote {target}")
