"""Evaluate kgqa on three corpora (the notes, a Chinese GIMP manual, the English Python tutorial), per split.

    python bench/eval_corpora.py                          # real model (multilingual-e5-small), all corpora
    python bench/eval_corpora.py --embedder fake          # hash vectors: quick, for checking the harness
    python bench/eval_corpora.py --corpus gimp-zh --no-metamorphic -v

Per corpus and split (dev / test / all), and for the worst corpus: Recall@5 and MRR@10 of ``kb.retrieve``
beside a dense-only baseline over 500-character chunks, quote hit of ``kb.ask``, abstention P/R/F1, caveat
share, chit-chat recognition, ``ask`` latency, and the flip rate of the metamorphic suite (bench/metamorphic.py).
Nothing here is fitted: the numbers describe the system as it is. Everything is written to
bench/results/eval_corpora.json; bench/README.md defines each metric.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(1, str(REPO))  # kgqa from this checkout, whether or not it is installed

from corpus_devsets import CorpusItem, LoadedDevset, load_corpus_devset  # noqa: E402
from corpus_report import TARGETS, summarise, tables, targets, with_flips, worst  # noqa: E402
from metamorphic import Judged, flip_rates, variants  # noqa: E402
from metrics import Cited, citation_hit, concepts_found, items_cited, part_ranks  # noqa: E402

CORPORA = {
    "notes": REPO / "corpus",
    "gimp-zh": HERE / "data" / "corpora" / "gimp-zh" / "html",
    "pytutorial-en": HERE / "data" / "corpora" / "pytutorial-en" / "html",
}
DEVSETS = HERE / "devsets"
K = 10  # MRR@10 needs ten results; Recall@5 reads the top of the same list
WARMUP = ("warm-up: what is this about?", "预热：这是关于什么的？", "warm-up: an unrelated question about cooking")

log = logging.getLogger("bench.eval_corpora")


@dataclass
class Asked:
    """What ``kb.ask`` did with one question."""

    outcome: str
    refused: bool
    citations: int
    quote_hit: bool | None  # None for questions without gold evidence
    latency_ms: float | None
    error: str = ""
    concepts_found: float | None = None  # share of the annotated concepts among the answer's (and related)
    items_cited: float | None = None  # share of a relation or enumeration item's expected elements cited

    def judged(self) -> Judged:
        return Judged(self.outcome, bool(self.quote_hit))


@dataclass
class Record:
    """One dev-set item and what the system and the baseline did with it."""

    corpus: str
    id: str
    language: str
    type: str
    style: str
    split: str
    ranks: list[int | None] = field(default_factory=list)
    baseline_ranks: list[int | None] = field(default_factory=list)
    asked: Asked | None = None


# ---------------------------------------------------------------- running


def retrieval_query(item: CorpusItem) -> str:
    """What a retriever without conversation state gets: the earlier user turns, then the question."""
    turns = [t["content"] for t in item.history if t.get("role") == "user"]
    return "\n".join([*turns, item.question])


def outcome_of(answer: Any) -> tuple[str, bool]:
    """(outcome, refused): ``answer.outcome`` when the answer has one, else read from ``abstained``."""
    outcome = getattr(answer, "outcome", None)
    if outcome is None:
        refused = bool(answer.abstained)
        return ("refused" if refused else "answer"), refused
    return str(outcome), outcome == "refused"


def _where(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}: {exc}"


def ask(kb: Any, question: str, history: Sequence[dict[str, str]], item: CorpusItem) -> Asked:
    """Ask once, timed; quote hit is judged against ``item``'s gold evidence. An exception counts as a miss."""
    started = time.perf_counter()
    try:
        answer = kb.ask(question, history=list(history) or None)
    except Exception as exc:  # one broken question must not hide the other numbers
        return Asked("error", False, 0, False if item.golds else None, None, _where(exc))
    latency = (time.perf_counter() - started) * 1000
    outcome, refused = outcome_of(answer)
    cited = [Cited(c.doc_id, c.start, c.end, c.quote) for c in answer.citations]
    hit = (not refused and citation_hit(cited, item.parts)) if item.golds else None
    found = concepts_found(item.concepts, shown_concepts(kb, answer)) if item.concepts else None
    items = (0.0 if refused else items_cited(cited, item.expected)) if item.expected else None
    return Asked(outcome, refused, len(cited), hit, latency, concepts_found=found, items_cited=items)


def shown_concepts(kb: Any, answer: Any) -> list[list[str]]:
    """Every name of each concept the answer shows: its own concepts (ids) and the related ones."""
    graph = getattr(kb, "graph", None)

    def names(cid: str, *more: str) -> list[str]:
        try:
            c = graph.concept(cid) if graph is not None else None
        except KeyError:
            c = None
        known = [c.label, c.label_zh, *c.aliases] if c is not None else []
        return [n for n in (cid, *more, *known) if n]

    return [names(cid) for cid in answer.concepts] + \
        [names(r.id, r.label, r.label_zh) for r in answer.related_concepts]


def run_corpus(kb: Any, baseline: Any, items: Sequence[CorpusItem]) -> list[Record]:
    """Retrieval ranks (system and baseline) and one timed ``ask`` per item, after a warm-up."""
    records = []
    for item in items:
        rec = Record(item.corpus, item.id, item.language, item.type, item.style, item.split)
        if item.golds:
            hits = kb.retrieve(item.question, k=K, history=list(item.history) or None)
            rec.ranks = part_ranks([_spans(h.chunk) for h in hits], item.parts)
            if baseline is not None:
                rec.baseline_ranks = part_ranks(baseline.search(retrieval_query(item), K), item.parts)
        records.append(rec)
    for question in WARMUP:
        kb.ask(question)
    for item, rec in zip(items, records, strict=True):
        rec.asked = ask(kb, item.question, item.history, item)
    return records


def _spans(chunk: Any) -> tuple[tuple[str, int, int], ...]:
    own = (chunk.doc_id, chunk.start, chunk.end)
    others = ((o.doc_id, o.start, o.end) for o in chunk.occurrences)
    return (own, *(s for s in others if s != own))


def run_metamorphic(kb: Any, items: Sequence[CorpusItem], records: Sequence[Record]) -> list[dict[str, Any]]:
    """Ask every variant of every answerable dev item; one row per variant with both judgements."""
    by_id = {r.id: r for r in records}
    rows = []
    for item in items:
        if not (item.answerable and item.golds and item.split == "dev"):
            continue
        original = by_id[item.id].asked
        assert original is not None
        for v in variants(item.id, item.question, item.language):
            got = ask(kb, v.text, item.history, item)
            rows.append({"corpus": item.corpus, "id": item.id, "kind": v.kind, "question": item.question,
                         "variant": v.text, "original": asdict(original.judged()), "result": asdict(got.judged()),
                         "error": got.error})
    return rows


# ---------------------------------------------------------------- setup


def settings_for(corpus: str, embedder_name: str) -> Any:
    from kgqa.config import DEFAULT_MODEL, Settings

    return Settings(corpus_dir=CORPORA[corpus], index_dir=HERE / ".work" / corpus / embedder_name / "indexes",
                    model_dir=Path.home() / ".cache" / "kgqa" / "models",
                    embedding_model="fake-hash-embedder" if embedder_name == "fake" else DEFAULT_MODEL,
                    _env_file=None)  # type: ignore[call-arg]


def make_embedder(embedder_name: str, settings: Any) -> Any:
    if embedder_name == "fake":
        from kgqa.testing import FakeEmbedder

        return FakeEmbedder(dim=64)
    from kgqa.index.models import load_embedder

    return load_embedder(settings)


def open_system(settings: Any, embedder: Any) -> Any:
    from kgqa.pipeline import build_index, load

    started = time.perf_counter()
    report = build_index(settings, [settings.corpus_dir], embedder=embedder)
    state = "up to date" if report.up_to_date else f"built in {time.perf_counter() - started:.0f}s"
    log.info("index %s (%s)", report.folder or settings.index_dir, state)
    return load(settings, embedder=embedder)


def dense_baseline(docs: Sequence[Any], embedder: Any) -> Any:
    """Dense-only retrieval over 500-character splitter chunks (bench/baselines.py)."""
    from baselines import DenseBaseline

    return DenseBaseline(docs, embedder)


def evaluate_corpus(corpus: str, args: argparse.Namespace, embedder: Any | None) -> tuple[dict[str, Any], Any]:
    """Everything measured on one corpus: the dev set check, per-item records, variant rows."""
    from kgqa.ingest.load import load_corpus

    settings = settings_for(corpus, args.embedder)
    embedder = embedder or make_embedder(args.embedder, settings)
    docs, skipped = load_corpus([settings.corpus_dir], settings.corpus_dir)
    loaded: LoadedDevset = load_corpus_devset(DEVSETS / f"{corpus}.yaml", {d.doc_id: d.text for d in docs})
    for u in loaded.unresolved:
        log.warning("%s: gold quote not found in %s: %r (%s)", u.item_id, u.doc_id, u.quote, u.reason)
    started = time.perf_counter()
    kb = open_system(settings, embedder)
    baseline = None if args.no_baseline else dense_baseline(docs, embedder)
    records = run_corpus(kb, baseline, loaded.items)
    rows = [] if args.no_metamorphic else run_metamorphic(kb, loaded.items, records)
    log.info("%s: %d items, %d variants in %.0fs", corpus, len(records), len(rows), time.perf_counter() - started)
    errors = [f"{r.id}: {r.asked.error}" for r in records if r.asked and r.asked.error]
    errors += [f"{r['id']} ({r['kind']}): {r['error']}" for r in rows if r["error"]]
    out = {
        "documents": len(docs), "skipped_files": [s.path for s in skipped],
        "gold_quotes": loaded.resolved_how,
        "unresolved": [asdict(u) for u in loaded.unresolved],
        "errors": errors,
        "records": records, "variants": rows,
    }
    return out, embedder


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--embedder", choices=("default", "fake"), default="default",
                   help="default: the real model (intfloat/multilingual-e5-small); fake: hash vectors")
    p.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="repeatable; default: all three")
    p.add_argument("--no-metamorphic", action="store_true", help="skip the robustness suite")
    p.add_argument("--no-baseline", action="store_true", help="skip the dense-500 baseline")
    p.add_argument("--out", type=Path, default=HERE / "results" / "eval_corpora.json")
    p.add_argument("-v", "--verbose", action="store_true", help="list unresolved gold quotes, errors and flips")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    started = time.perf_counter()
    corpora = args.corpus or list(CORPORA)
    per_corpus: dict[str, dict[str, Any]] = {}
    embedder = None  # one model for every corpus
    for corpus in corpora:
        per_corpus[corpus], embedder = evaluate_corpus(corpus, args, embedder)
    summary = {c: summarise(d["records"]) for c, d in per_corpus.items()}
    flips = None if args.no_metamorphic else flip_rates(
        (r["corpus"], r["kind"], Judged(**r["original"]), Judged(**r["result"]))
        for d in per_corpus.values() for r in d["variants"])
    load = [round(x, 2) for x in os.getloadavg()]
    out: dict[str, Any] = {
        "meta": {"command": " ".join(["python bench/eval_corpora.py",
                                      *(argv if argv is not None else sys.argv[1:])]),
                 "embedder": getattr(embedder, "model_id", args.embedder), "k": K,
                 "python": platform.python_version(), "cpus": os.cpu_count(),
                 # latency is only comparable between runs on an equally quiet machine
                 "loadavg_at_end": load, "seconds": round(time.perf_counter() - started, 1)},
        "summary": with_flips(summary, flips),
        "worst": {split: worst(with_flips(summary, flips), split) for split in ("dev", "test", "all")},
        "metamorphic": flips,
        "targets": targets(summary, flips),
        "target_definitions": TARGETS,
        "corpora": {c: {**{k: v for k, v in d.items() if k != "records"},
                        "records": [asdict(r) for r in d["records"]]} for c, d in per_corpus.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"embedder {out['meta']['embedder']}; load average {load[0]} on {os.cpu_count()} CPUs "
          "(latency wants a quiet machine)\n")
    print(tables(summary, flips, list(per_corpus)))
    print("\ngold quotes: " + "; ".join(
        f"{c}: " + ", ".join(f"{k} {n}" for k, n in sorted(d["gold_quotes"].items())) +
        f", unresolved {len(d['unresolved'])}" for c, d in per_corpus.items()))
    for c, d in per_corpus.items():
        if d["errors"]:
            print(f"{c}: kb.ask raised on {len(d['errors'])} question(s), counted as wrong; first: {d['errors'][0]}")
    if args.verbose:
        for c, d in per_corpus.items():
            for u in d["unresolved"]:
                print(f"unresolved  {c} {u['item_id']} {u['doc_id']}: {u['quote']!r}")
            for r in d["variants"]:
                if r["original"] != r["result"]:
                    print(f"variant     {c} {r['id']} {r['kind']}: {r['variant']!r} "
                          f"{r['original']} -> {r['result']}")
    print("\n" + "\n".join(out["targets"]))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
