"""Cost of one question in process: a normal question against worst-case ones inside the length cap.

Builds (or reuses) an index of the corpus with the hash embedder (kgqa.testing.FakeEmbedder), then times,
per question: what the key-term analysis used to cost (jieba's pure-Python part-of-speech tagger over the
whole question, column "before"), what it costs now (``unknown_terms``), and the whole ``kb.ask``.

    python bench/worst_case_question.py                 # median of 3 runs per question, hash embedder
    python bench/worst_case_question.py --embedder real # the default model (multilingual-e5-small)
    python bench/worst_case_question.py --runs 5 --index-dir /tmp/kgqa-bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kgqa.answer.abstain import unknown_terms  # noqa: E402
from kgqa.config import Settings  # noqa: E402
from kgqa.index.embed import Embedder  # noqa: E402
from kgqa.pipeline import KnowledgeBase, build_index, load  # noqa: E402
from kgqa.testing import FakeEmbedder  # noqa: E402

NORMAL = "多头注意力是一种将输入序列分成多个子序列的方法吗？"


def questions(cap: int) -> dict[str, str]:
    """The normal question and the worst cases the issue measured, each within ``cap`` characters."""
    distinct = "".join(chr(0x4E00 + i * 7) for i in range(cap))  # 2,000 different common-range characters
    return {
        "normal": NORMAL,
        f"{cap} distinct CJK chars": distinct[:cap],
        f"{cap} x one CJK char": "注" * cap,
        f"{cap // 2} emoji": "😀" * (cap // 2),
        f"{cap} chars of English words": ("Kubernetes FlashAttention RLHF " * cap)[:cap],
    }


def median_seconds(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def whole_question_tagging(question: str) -> None:
    """The key-term analysis before it was bounded: the POS tagger over the whole question."""
    import jieba.posseg

    list(jieba.posseg.cut(question))


def knowledge_base(index_dir: Path, real: bool = False) -> KnowledgeBase:
    settings = Settings(corpus_dir=REPO / "corpus", index_dir=index_dir, _env_file=None)
    if real:
        from kgqa.index.models import load_embedder

        embedder: Embedder = load_embedder(settings)
    else:
        settings = settings.model_copy(update={"embedding_model": "fake-hash-embedder"})
        embedder = FakeEmbedder()
    build_index(settings, embedder=embedder)  # a no-op when the index is current
    return load(settings, embedder=embedder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--embedder", choices=["fake", "real"], default="fake")
    parser.add_argument("--index-dir", type=Path, help="default: bench/.work/<embedder>/indexes")
    args = parser.parse_args()
    index_dir = args.index_dir or REPO / "bench" / ".work" / args.embedder / "indexes"
    kb = knowledge_base(index_dir, real=args.embedder == "real")
    cap = Settings(_env_file=None).max_question_chars
    for q in list(questions(cap).values())[:1] * 3:  # warm up jieba's dictionaries and the caches
        kb.ask(q)
    coverage = kb.judge.coverage
    rows = []
    for name, q in questions(cap).items():
        spans = [(s, e) for _, _, s, e in kb.graph.link(q)]
        before = median_seconds(partial(whole_question_tagging, q), args.runs)
        terms = median_seconds(partial(unknown_terms, q, spans, coverage), args.runs)
        ask = median_seconds(partial(kb.ask, q), args.runs)
        rows.append((name, len(q), before, terms, ask))
    normal_ask = rows[0][4]
    print(f"median of {args.runs} runs, milliseconds")
    print(f"{'question':30} {'chars':>5} {'terms before':>12} {'terms now':>10} {'ask now':>9} {'x normal':>9}")
    for name, chars, before, terms, ask in rows:
        print(
            f"{name:30} {chars:5d} {before * 1000:12.1f} {terms * 1000:10.1f} {ask * 1000:9.1f} "
            f"{ask / normal_ask:9.1f}"
        )


if __name__ == "__main__":
    main()
