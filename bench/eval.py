"""Evaluate kgqa on the labelled dev set, beside two baselines, and write the numbers as JSON.

    python bench/eval.py                       # real embedding model, table on stdout
    python bench/eval.py --embedder fake       # hash embedder: fast, for checking the harness itself
    python bench/eval.py --json --out bench/results/eval.json

The index is built into bench/.work/<embedder>/indexes (reused when the corpus is unchanged), never into
the project's indexes/ unless --index-dir says so. Nothing here tunes the system: fusion weights and the
abstention threshold are calibrated elsewhere on the dev split; the test split shows whether that holds.
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(1, str(REPO))  # kgqa from this checkout, whether or not it is installed

from baselines import BM25Baseline, DenseBaseline, Retriever, chunk_spans  # noqa: E402
from devset import DEVSET, Item, composition, load_devset  # noqa: E402
from metrics import (  # noqa: E402
    Cited,
    ItemResult,
    Retrieved,
    breakdown,
    citation_hit,
    cited_chars,
    part_ranks,
)

K = 10  # retrieval depth: MRR@10 needs ten results, Recall@5 and @1 read the top of the same list
WARMUP = ("warm-up: what is attention?", "预热：什么是注意力？", "warm-up: unrelated question about cooking")
SPLITS = ("all", "dev", "test")
LANGS = ("zh", "en")
SYSTEM = "system"

log = logging.getLogger("bench.eval")


# ---------------------------------------------------------------- running one retriever or the whole system


def retrieval_query(item: Item) -> str:
    """The text a history-less retriever gets: for a follow-up, the earlier user turns, then the question."""
    turns = [t["content"] for t in item.history if t["role"] == "user"]
    return "\n".join([*turns, item.question])


def result_for(item: Item) -> ItemResult:
    return ItemResult(item.id, item.language, item.type, item.split, item.answerable)


def run_retrieval(search: Callable[[Item], list[Retrieved]], items: Sequence[Item]) -> list[ItemResult]:
    """Ranks of the gold evidence in the top K of ``search`` for every answerable item."""
    results = []
    for item in items:
        res = result_for(item)
        if item.answerable:
            res.ranks = part_ranks(search(item)[:K], item.parts)
        results.append(res)
    return results


def baseline_search(retriever: Retriever) -> Callable[[Item], list[Retrieved]]:
    return lambda item: retriever.search(retrieval_query(item), K)


def system_search(kb: Any) -> Callable[[Item], list[Retrieved]]:
    """kb.retrieve, given the history when it accepts one, else the same flattened query as the baselines."""
    takes_history = "history" in inspect.signature(kb.retrieve).parameters

    def search(item: Item) -> list[Retrieved]:
        if takes_history and item.history:
            hits = kb.retrieve(item.question, k=K, history=list(item.history))
        else:
            hits = kb.retrieve(retrieval_query(item), k=K)
        return [chunk_spans(h.chunk) for h in hits]

    return search


def _where(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}: {exc}"


def run_ask(kb: Any, items: Sequence[Item], results: list[ItemResult]) -> list[str]:
    """Fill the answer-level fields of ``results`` from kb.ask, timed after a warm-up; returns the errors.

    A question whose ``ask`` raises counts as answered wrongly (no citation hit, no abstention).
    """
    for question in WARMUP:
        kb.ask(question)
    errors = []
    for item, res in zip(items, results, strict=True):
        started = time.perf_counter()
        try:
            answer = kb.ask(item.question, history=list(item.history) or None)
        except Exception as exc:  # one broken question must not hide the other numbers
            errors.append(f"{item.id}: {_where(exc)}")
            res.abstained, res.cited_ok = False, False if item.answerable else None
            continue
        res.latency_ms = (time.perf_counter() - started) * 1000
        cited = [Cited(c.doc_id, c.start, c.end, c.quote) for c in answer.citations]
        res.abstained = bool(answer.abstained)
        res.cited_chars = cited_chars(cited)
        if item.answerable:
            res.cited_ok = (not answer.abstained) and citation_hit(cited, item.parts)
    return errors


# ---------------------------------------------------------------- setup


def make_settings(args: argparse.Namespace) -> Any:
    from kgqa.config import DEFAULT_MODEL, Settings

    index_dir = args.index_dir or HERE / ".work" / args.embedder / "indexes"
    model = "fake-hash-embedder" if args.embedder == "fake" else DEFAULT_MODEL
    return Settings(corpus_dir=args.corpus, index_dir=index_dir, embedding_model=model,
                    vector_backend=args.vector_backend, _env_file=None)  # type: ignore[call-arg]


def make_embedder(args: argparse.Namespace, settings: Any) -> Any:
    if args.embedder == "fake":
        from kgqa.testing import FakeEmbedder

        return FakeEmbedder(dim=64)
    from kgqa.index.models import load_embedder

    return load_embedder(settings)


def open_system(settings: Any, embedder: Any) -> Any:
    from kgqa.pipeline import build_index, load

    report = build_index(settings, embedder=embedder)
    state = "up to date" if report.up_to_date else "built"
    log.info("index %s (%s)", report.folder or settings.index_dir, state)
    return load(settings, embedder=embedder)


def evaluate_system(
    settings: Any, embedder: Any, items: Sequence[Item]
) -> tuple[list[ItemResult] | None, str]:
    """The system's results, or None and why it could not run (the baselines are reported regardless)."""
    try:
        kb = open_system(settings, embedder)
    except Exception as exc:  # report any failure of the system under test, never crash the harness
        log.debug("system failed to load", exc_info=True)
        return None, f"build/load failed: {type(exc).__name__}: {exc}"
    results = run_retrieval(system_search(kb), items)
    if not hasattr(kb, "ask"):
        return results, "KnowledgeBase.ask is missing: retrieval metrics only"
    try:
        errors = run_ask(kb, items, results)
    except Exception as exc:  # the warm-up failed: keep the retrieval numbers
        log.debug("kb.ask failed", exc_info=True)
        return results, f"kb.ask failed on the warm-up: {_where(exc)}"
    if errors:
        return results, f"kb.ask raised on {len(errors)} question(s), counted as wrong; first: {errors[0]}"
    return results, "ok"


# ---------------------------------------------------------------- report


def report(results: list[ItemResult]) -> dict[str, Any]:
    """Per split (all/dev/test): per language; plus per type over everything."""
    by_split = {}
    for split in SPLITS:
        chosen = [r for r in results if split == "all" or r.split == split]
        by_split[split] = breakdown(chosen, lambda r: r.language, LANGS)
    return {"by_split": by_split, "by_type": breakdown(results, lambda r: r.type)}


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value:g}"


def table(systems: dict[str, dict[str, Any]], split: str) -> str:
    names = list(systems)
    rows = [f"{'[' + split + ']':<26}" + "".join(f"{n:>12}" for n in names)]
    for metric in ("recall@1", "recall@5", "mrr@10"):
        for lang in ("zh", "en", "all"):
            cells = [systems[n]["by_split"][split][lang].get(metric) for n in names]
            rows.append(f"{metric + ' ' + lang:<26}" + "".join(f"{_fmt(c):>12}" for c in cells))
    if SYSTEM in systems:
        own = systems[SYSTEM]["by_split"][split]
        for lang in ("zh", "en", "all"):
            rows.append(f"{'citation hit ' + lang:<26}{_fmt(own[lang].get('citation_hit_rate')):>12}")
        rows.append(f"{'median cited chars':<26}{_fmt(own['all'].get('median_cited_chars')):>12}")
        for lang in ("zh", "en", "all"):
            prf = own[lang].get("abstention") or {}
            prf_cells = "/".join(_fmt(prf.get(m)) for m in ("precision", "recall", "f1"))
            rows.append(f"{'abstain P/R/F1 ' + lang:<26}{prf_cells:>24}")
        lat = own["all"].get("latency_ms") or {}
        rows.append(f"{'ask latency p50/p95 ms':<26}{_fmt(lat.get('p50')) + '/' + _fmt(lat.get('p95')):>12}")
    return "\n".join(rows)


def targets(systems: dict[str, dict[str, Any]]) -> list[str]:
    """The issue's bar, on all items, as readable lines (numbers to report, not assertions)."""
    if SYSTEM not in systems:
        return []
    s = systems[SYSTEM]["by_split"]["all"]
    lat = (s["all"].get("latency_ms") or {}).get("p95")
    checks = [
        ("Recall@5 zh >= 0.95", s["zh"]["recall@5"], lambda v: v >= 0.95),
        ("Recall@5 en >= 0.90", s["en"]["recall@5"], lambda v: v >= 0.90),
        ("MRR@10 >= 0.85", s["all"]["mrr@10"], lambda v: v >= 0.85),
        ("citation hit >= 0.90", s["all"].get("citation_hit_rate"), lambda v: v >= 0.90),
        ("median cited chars < 300", s["all"].get("median_cited_chars"), lambda v: v < 300),
        ("abstention F1 >= 0.85", (s["all"].get("abstention") or {}).get("f1"), lambda v: v >= 0.85),
        ("ask p95 < 50 ms", lat, lambda v: v < 50),
    ]
    lines = [f"{'met ' if v is not None and ok(v) else 'MISS'}  {name:<26} {_fmt(v)}"
             for name, v, ok in checks]
    dense = systems.get(DenseBaseline.name)
    if dense and s["en"]["recall@5"] is not None:
        base = dense["by_split"]["all"]["en"]["recall@5"]
        lines.append(f"English Recall@5: system {_fmt(s['en']['recall@5'])} vs dense-500 {_fmt(base)} "
                     f"({(s['en']['recall@5'] - base) * 100:+.1f} points)")
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print the JSON report instead of the table")
    p.add_argument("--out", type=Path, default=HERE / "results" / "eval.json", help="where to write the JSON")
    p.add_argument("--embedder", choices=("default", "fake"), default="default",
                   help="default: the real model (intfloat/multilingual-e5-small); fake: hash vectors")
    p.add_argument("--corpus", type=Path, default=REPO / "corpus")
    p.add_argument("--devset", type=Path, default=DEVSET)
    p.add_argument("--index-dir", type=Path, default=None, help="default: bench/.work/<embedder>/indexes")
    p.add_argument("--skip-system", action="store_true", help="baselines only")
    p.add_argument("--vector-backend", choices=("faiss", "milvus"), default="faiss",
                   help="where the system keeps its vectors (milvus: milvus-lite in the index folder)")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    from kgqa.ingest.corpus import chunk_corpus
    from kgqa.ingest.load import load_corpus

    started = time.perf_counter()
    settings = make_settings(args)
    docs = load_corpus([settings.corpus_dir], settings.corpus_dir).documents
    items = load_devset({d.doc_id: d.text for d in docs}, args.devset)
    embedder = make_embedder(args, settings)
    per_item: dict[str, list[ItemResult]] = {}
    status = "skipped (--skip-system)"
    if not args.skip_system:
        results, status = evaluate_system(settings, embedder, items)
        if results is not None:
            per_item[SYSTEM] = results
        log.info("system: %s", status)
    own_chunks = chunk_corpus(docs, settings.chunk_max_chars).chunks
    for retriever in (DenseBaseline(docs, embedder), BM25Baseline(own_chunks)):
        per_item[retriever.name] = run_retrieval(baseline_search(retriever), items)
    systems = {name: report(results) for name, results in per_item.items()}
    load = [round(x, 2) for x in os.getloadavg()]
    out: dict[str, Any] = {
        "meta": {"command": " ".join(["python bench/eval.py", *(argv if argv is not None else sys.argv[1:])]),
                 "embedder": getattr(embedder, "model_id", args.embedder), "system_status": status,
                 "index_dir": str(settings.index_dir), "k": K, "python": platform.python_version(),
                 # latency is only comparable between runs on an equally quiet machine
                 "loadavg_at_end": load, "cpus": os.cpu_count(),
                 "seconds": round(time.perf_counter() - started, 1),
                 "documents": {d.doc_id: d.sha256 for d in docs}},
        "devset": composition(items),
        "systems": systems,
        "targets": targets(systems),
        "items": {name: [r.__dict__ for r in results] for name, results in per_item.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"system: {status}")
        print(f"load average {load[0]} on {os.cpu_count()} CPUs (latency wants a quiet machine)\n")
        print("\n\n".join(table(systems, split) for split in SPLITS))
        print("\n" + "\n".join(out["targets"]))
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
