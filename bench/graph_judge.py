"""Judge the concept graph by hand: sample concepts and typed edges, record a judgement per item, report precision.

    python bench/graph_judge.py sample                     # every corpus, 30 concepts and 30 typed edges each
    python bench/graph_judge.py sample --corpus gimp-zh -n 30 --seed 1
    python bench/graph_judge.py report                     # precision, statistics and targets per corpus
    python bench/graph_judge.py report --json              # the same, also written to bench/results/graph_judge.json

``sample`` builds each corpus's graph without embeddings (load, chunk at 600 characters, the corpus's
glossary.yaml when it has one) and writes ``bench/judgments/<corpus>.yaml``: the graph statistics, the
graph version, and the sampled items with ``judgement: null``. Judgements already recorded for an item that
is sampled again (same concept id; same source, type and target) are kept, so re-judging after a change of
the graph only asks about the new items. Fill each ``judgement`` with ``correct``, ``loose`` or ``wrong``
(optionally a short ``note``), then run ``report``. The definitions are in bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
JUDGMENTS = HERE / "judgments"
OUT = HERE / "results" / "graph_judge.json"
CORPORA = {
    "notes": REPO / "corpus",
    "gimp-zh": HERE / "data" / "corpora" / "gimp-zh" / "html",
    "pytutorial-en": HERE / "data" / "corpora" / "pytutorial-en" / "html",
}
VERDICTS = ("correct", "loose", "wrong")
CONTEXT_CHARS = 160
QUOTE_CHARS = 400  # a few evidence "sentences" are whole name lists; the head is enough to judge them
TARGETS = {"concept_precision": 0.85, "edge_strict_precision": 0.70, "isolated_share": 0.25}


# ---------------------------------------------------------------- pure core


def sample_keys(keys: Iterable[Any], n: int, seed: int) -> list[Any]:
    """The n keys whose seeded hash is smallest, sorted. The draw is uniform and reproducible, and stable under
    changes of the graph: a key that leaves gives its place to one other key, and the rest of the sample stays,
    so that only new items need judging after a change.

    >>> sample_keys(["c", "a", "b"], 5, 1)
    ['a', 'b', 'c']
    """
    ordered = sorted(set(keys))
    if n >= len(ordered):
        return ordered
    return sorted(sorted(ordered, key=lambda k: _draw(seed, k))[:n])


def _draw(seed: int, key: Any) -> str:
    return hashlib.sha256(f"{seed}\x00{key!r}".encode()).hexdigest()


def concept_key(item: dict[str, Any]) -> tuple[str, ...]:
    """A concept is the same item while its id and the names it shows are: a judgement of ``write`` whose aliases
    took in the English verb says nothing about ``write()`` without them."""
    return (str(item["id"]), str(item.get("label", "")), str(item.get("label_zh", "")),
            *sorted(map(str, item.get("aliases") or [])))


def edge_key(item: dict[str, Any]) -> tuple[str, str, str, str]:
    """An edge is the same item while its ends, its type and the evidence shown with it are."""
    return (str(item["source"]), str(item["type"]), str(item["target"]), str(item.get("evidence", "")))


def merge_judgements(new: list[dict[str, Any]], old: Sequence[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    """The new items, each carrying the judgement (and note) recorded for the same item (same ``key``) before."""
    previous = {key(item): item for item in old if item.get("judgement") is not None}
    merged = []
    for item in new:
        before = previous.get(key(item))
        if before is not None:
            item = {**item, "judgement": before["judgement"]}
            if before.get("note"):
                item["note"] = before["note"]
        merged.append(item)
    return merged


@dataclass(frozen=True)
class Precision:
    correct: int
    loose: int
    wrong: int
    unjudged: int

    @property
    def judged(self) -> int:
        return self.correct + self.loose + self.wrong

    @property
    def strict(self) -> float | None:
        return self.correct / self.judged if self.judged else None

    @property
    def lenient(self) -> float | None:
        return (self.correct + self.loose) / self.judged if self.judged else None

    def as_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "loose": self.loose, "wrong": self.wrong, "unjudged": self.unjudged,
                "judged": self.judged, "precision": self.strict, "loose_precision": self.lenient}


def precision(items: Iterable[dict[str, Any]]) -> Precision:
    """Counts of the verdicts; anything else than correct, loose or wrong is an error, not a silent skip."""
    counts = dict.fromkeys((*VERDICTS, None), 0)
    for item in items:
        verdict = item.get("judgement")
        if verdict not in counts:
            raise ValueError(f"judgement must be one of {', '.join(VERDICTS)} or null, got {verdict!r} "
                             f"in {item.get('id') or edge_key(item)}")
        counts[verdict] += 1
    return Precision(counts["correct"], counts["loose"], counts["wrong"], counts[None])


def graph_stats(concept_ids: Iterable[str], edges: Sequence[tuple[str, str, str]], zh_labelled: int) -> dict[str, Any]:
    """Statistics of a graph given its concept ids, its (source, type, target) edges and its Chinese-labelled count."""
    ids = set(concept_ids)
    touched = {end for s, _, t in edges for end in (s, t)}
    typed = sum(1 for _, kind, _ in edges if kind != "related")
    n = len(ids)
    return {
        "concepts": n,
        "edges": len(edges),
        "typed_edges": typed,
        "isolated_share": round(len(ids - touched) / n, 4) if n else None,
        "typed_edge_share": round(typed / len(edges), 4) if edges else None,
        "zh_labelled_share": round(zh_labelled / n, 4) if n else None,
    }


def targets(concepts: Precision, edges: Precision, stats: dict[str, Any]) -> dict[str, bool | None]:
    """Each issue-12 target: met (True), missed (False) or not measurable yet (None)."""
    values = {"concept_precision": concepts.strict, "edge_strict_precision": edges.strict,
              "isolated_share": stats.get("isolated_share")}
    met: dict[str, bool | None] = {}
    for name, bound in TARGETS.items():
        value = values[name]
        if value is None:
            met[name] = None
        else:
            met[name] = value <= bound if name == "isolated_share" else value >= bound
    return met


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- graph building and sampling (I/O)


def build_graph(folder: Path) -> tuple[Any, dict[str, Any]]:
    """The concept graph of a folder, built without embeddings, and its chunks by id."""
    from kgqa.graph.build import graph_for_corpus
    from kgqa.graph.glossary import Glossary, load_glossary
    from kgqa.ingest import corpus as ingest
    from kgqa.ingest.load import load_corpus

    docs, _skipped = load_corpus([folder])
    chunked = ingest.chunk_corpus(docs, 600)
    glossary = load_glossary(folder / "glossary.yaml") if (folder / "glossary.yaml").exists() else Glossary()
    graph, _ = graph_for_corpus(docs, [p.chunks for p in chunked.per_document], glossary, "", None)
    chunks = {c.chunk_id: c for p in chunked.per_document for c in p.chunks}
    chunks.update({c.chunk_id: c for c in chunked.chunks})
    return graph, chunks


def _context(concept: Any, touching: list[Any], chunks: dict[str, Any]) -> str:
    """A sentence to judge the concept by: an edge's evidence that names it, else the head of its first chunk."""
    names = [n.lower() for n in (concept.label, concept.label_zh, *concept.aliases) if n]
    quotes = [ev.quote for edge in touching for ev in edge.evidence if ev.quote]
    for quote in quotes:
        if any(name in quote.lower() for name in names):
            return clip(quote, QUOTE_CHARS)
    if quotes:
        return clip(quotes[0], QUOTE_CHARS)
    for chunk_id in concept.chunk_ids:
        if chunk_id in chunks:
            return clip(chunks[chunk_id].text, CONTEXT_CHARS)
    return ""


def sample_corpus(name: str, folder: Path, n: int, seed: int) -> dict[str, Any]:
    from kgqa.graph.model import GRAPH_VERSION

    graph, chunks = build_graph(folder)
    concepts = graph.concepts
    edges = graph.edges
    touching: dict[str, list[Any]] = {}
    for edge in edges:
        touching.setdefault(edge.source, []).append(edge)
        touching.setdefault(edge.target, []).append(edge)
    stats = graph_stats(concepts, [(e.source, e.type, e.target) for e in edges],
                        sum(1 for c in concepts.values() if c.label_zh))

    concept_items = []
    for cid in sample_keys(concepts, n, seed):
        c = concepts[cid]
        concept_items.append({"id": cid, "label": c.label, "label_zh": c.label_zh, "aliases": list(c.aliases),
                              "context": _context(c, touching.get(cid, []), chunks), "judgement": None})

    typed = {(e.source, e.type, e.target): e for e in edges if e.type != "related"}
    edge_items = []
    for key in sample_keys(typed, n, seed):
        e = typed[key]
        label = {cid: concepts[cid].label if cid in concepts else cid for cid in (e.source, e.target)}
        quote = e.evidence[0].quote if e.evidence else ""
        edge_items.append({"source": e.source, "type": e.type, "target": e.target,
                           "source_label": label[e.source], "target_label": label[e.target],
                           "evidence": clip(quote, QUOTE_CHARS),
                           "rule": e.evidence[0].rule if e.evidence else "", "judgement": None})
    return {"corpus": name, "graph_version": GRAPH_VERSION, "n": n, "seed": seed, "stats": stats,
            "concepts": concept_items, "edges": edge_items}


def read_judgments(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must be a mapping with stats, concepts and edges, got {type(data).__name__}")
    return data


def write_sample(name: str, n: int, seed: int) -> Path:
    path = JUDGMENTS / f"{name}.yaml"
    old = read_judgments(path)
    data = sample_corpus(name, CORPORA[name], n, seed)
    data["concepts"] = merge_judgements(data["concepts"], old.get("concepts") or [], concept_key)
    data["edges"] = merge_judgements(data["edges"], old.get("edges") or [], edge_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"# Judge each item: correct | loose | wrong (bench/README.md, 'Judging the graph').\n{text}",
                    encoding="utf-8")
    return path


# ---------------------------------------------------------------- report


def summarise(data: dict[str, Any]) -> dict[str, Any]:
    concepts = precision(data.get("concepts") or [])
    edges = precision(data.get("edges") or [])
    stats = data.get("stats") or {}
    return {"graph_version": data.get("graph_version"), "stats": stats, "concepts": concepts.as_dict(),
            "edges": edges.as_dict(), "targets": targets(concepts, edges, stats)}


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def render(summaries: dict[str, dict[str, Any]]) -> str:
    rows: list[tuple[str, Any]] = [
        ("graph version", lambda s: s["graph_version"]),
        ("concepts judged", lambda s: s["concepts"]["judged"]),
        ("concept precision", lambda s: s["concepts"]["precision"]),
        ("concept loose precision", lambda s: s["concepts"]["loose_precision"]),
        ("typed edges judged", lambda s: s["edges"]["judged"]),
        ("typed-edge strict precision", lambda s: s["edges"]["precision"]),
        ("typed-edge loose precision", lambda s: s["edges"]["loose_precision"]),
        ("concepts", lambda s: s["stats"].get("concepts")),
        ("edges", lambda s: s["stats"].get("edges")),
        ("typed edges", lambda s: s["stats"].get("typed_edges")),
        ("isolated share", lambda s: s["stats"].get("isolated_share")),
        ("typed-edge share", lambda s: s["stats"].get("typed_edge_share")),
        ("Chinese-labelled share", lambda s: s["stats"].get("zh_labelled_share")),
    ]
    names = list(summaries)
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':{width}}  " + "  ".join(f"{n:>14}" for n in names)]
    for label, get in rows:
        lines.append(f"{label:{width}}  " + "  ".join(f"{_fmt(get(summaries[n])):>14}" for n in names))
    lines.append("")
    for target, bound in TARGETS.items():
        sign = "<=" if target == "isolated_share" else ">="
        for n in names:
            met = summaries[n]["targets"][target]
            word = {True: "met", False: "MISS", None: "not judged"}[met]
            lines.append(f"{word:10} {target} {sign} {bound:.2f}  [{n}]")
    unjudged = {n: s["concepts"]["unjudged"] + s["edges"]["unjudged"] for n, s in summaries.items()}
    if any(unjudged.values()):
        lines.append("unjudged items: " + ", ".join(f"{n} {u}" for n, u in unjudged.items() if u))
    return "\n".join(lines)


def report(names: Sequence[str], as_json: bool, out: Path) -> int:
    summaries = {}
    for name in names:
        path = JUDGMENTS / f"{name}.yaml"
        if not path.exists():
            print(f"{name}: no judgements in {path.relative_to(REPO)}; run `python bench/graph_judge.py sample "
                  f"--corpus {name}` first", file=sys.stderr)
            continue
        summaries[name] = summarise(read_judgments(path))
    if not summaries:
        return 1
    print(render(summaries))
    if as_json:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summaries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="sample concepts and typed edges into bench/judgments/<corpus>.yaml")
    s.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="repeatable; default all")
    s.add_argument("-n", type=int, default=30, help="concepts and typed edges per corpus (default 30)")
    s.add_argument("--seed", type=int, default=1)
    r = sub.add_parser("report", help="precision, statistics and targets per corpus")
    r.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="repeatable; default all")
    r.add_argument("--json", action="store_true", help=f"also write {OUT.relative_to(REPO)}")
    r.add_argument("--out", type=Path, default=OUT, help="JSON output path")
    args = p.parse_args(argv)
    names = args.corpus or list(CORPORA)
    if args.command == "sample":
        if args.n <= 0:
            p.error(f"-n must be > 0, got {args.n}")
        for name in names:
            path = write_sample(name, args.n, args.seed)
            print(f"{name}: wrote {path.relative_to(REPO)}")
        return 0
    return report(names, args.json, args.out)


if __name__ == "__main__":
    sys.exit(main())
