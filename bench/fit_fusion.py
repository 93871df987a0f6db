"""Fit the keyword channel's weight, its vote gate and the hubness correction on the dev splits of all three
corpora; report the test splits.

    python bench/fit_fusion.py                 # real model, the three corpora of bench/eval_corpora.py
    python bench/fit_fusion.py --embedder fake # hash embedder: seconds, for checking the script itself

The channels of every answerable question part are computed once; each grid point only re-fuses them. A grid
point is a hubness weight (the dense channel's correction for passages close to every question), a BM25
weight and a gate: the keyword channel votes only when its best passage holds at least that share of the
question's terms (``BM25Index.coverage``; gate 0 means it always votes). Points are ranked by the worst
corpus's MRR@10 on the dev split, then its Recall@5. The chosen values are copied by hand into
``kgqa/tuning/`` (``Retrieval``) and ``Settings.fusion_weights``; nothing here changes them.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from corpus_devsets import load_corpus_devset  # noqa: E402
from eval_corpora import CORPORA, DEVSETS, K, make_embedder, open_system, settings_for  # noqa: E402
from metrics import part_ranks  # noqa: E402

from kgqa.retrieve.engine import graph_ranking  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.25, 0.5)
GATES = (0.0, 0.3, 0.5, 0.7)
HUBNESS = (0.0, 0.25, 0.5, 1.0)


@dataclass
class Prepared:
    split: str
    parts: list[tuple[Any, float]]  # (Channels, the keyword channel's coverage) per question part
    golds: Any
    spans: dict[str, Any]


def prepare(kb: Any, items: Sequence[Any], hubness: float, vectors_of: dict[str, Any]) -> list[Prepared]:
    from eval_corpora import _spans

    from kgqa.tuning import PROBES

    engine, retriever = kb.engine, kb.engine.retriever
    retriever.set_hubness(retriever.embedder.embed([*PROBES.zh, *PROBES.en], kind="query"), hubness)
    spans = {c.chunk_id: _spans(c) for c in retriever.chunks}
    out = []
    for item in items:
        if not item.golds:
            continue
        plan = engine.plan(item.question, list(item.history) or None, K)
        for p in plan.parts:
            if p.dense_text not in vectors_of:
                vectors_of[p.dense_text] = retriever.embedder.embed([p.dense_text], kind="query")[0]
        vectors = [vectors_of[p.dense_text] for p in plan.parts]
        parts = []
        for part, vector in zip(plan.parts, vectors, strict=True):
            ch = retriever.channels_from_vector(vector, part.keyword_text,
                                                graph_ranking(engine.graph, part.concepts, len(retriever.chunks)))
            scores = retriever.bm25.scores(part.keyword_text)
            coverage = retriever.bm25.coverage(part.keyword_text, int(scores.argmax())) if scores.size else 0.0
            parts.append((ch, coverage))
        out.append(Prepared(item.split, parts, item.parts, spans))
    return out


def measure(kb: Any, prepared: Sequence[Prepared], split: str, weight: float, gate: float) -> tuple[float, float]:
    """Recall@5 and MRR@10 over the split, parts interleaved best first as ``Engine.search`` does."""
    retriever = kb.engine.retriever
    retriever.weights = {**retriever.weights, "bm25": weight}
    r5 = rr = n = 0.0
    for p in prepared:
        if p.split != split:
            continue
        lists = []
        for ch, coverage in p.parts:
            ch.muted = {"bm25"} if coverage < gate else set()
            lists.append([h.chunk.chunk_id for h in retriever.fuse(ch, K)])
        order: list[str] = []
        for rank in range(K):
            order += [ids[rank] for ids in lists if rank < len(ids) and ids[rank] not in order]
        ranks = part_ranks([p.spans[c] for c in order[:K]], p.golds)
        first = ranks[0] if ranks else None
        n += 1
        r5 += first is not None and first <= 5
        rr += 1 / first if first else 0.0
    return (r5 / n, rr / n) if n else (0.0, 0.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", choices=("real", "fake"), default="real")
    args = parser.parse_args(argv)
    from kgqa.ingest.load import load_corpus

    rows = []
    for corpus in CORPORA:
        settings = settings_for(corpus, args.embedder)
        kb = open_system(settings, make_embedder(args.embedder, settings))
        docs, _ = load_corpus([settings.corpus_dir], settings.corpus_dir)
        loaded = load_corpus_devset(DEVSETS / f"{corpus}.yaml", {d.doc_id: d.text for d in docs})
        vectors_of: dict[str, Any] = {}
        for hubness in HUBNESS:
            prepared = prepare(kb, loaded.items, hubness, vectors_of)
            for weight, gate in itertools.product(WEIGHTS, GATES):
                if weight == 0.0 and gate > 0.0:
                    continue
                rows.append((corpus, (hubness, weight, gate), measure(kb, prepared, "dev", weight, gate),
                             measure(kb, prepared, "test", weight, gate)))
    points = sorted({r[1] for r in rows})
    table = []
    for point in points:
        dev = {c: d for c, p, d, _ in rows if p == point}
        test = {c: t for c, p, _, t in rows if p == point}
        table.append((min(m for _, m in dev.values()), min(r for r, _ in dev.values()), point, dev, test))
    table.sort(key=lambda r: (-r[0], -r[1]))
    print("Recall@5 / MRR@10 per corpus; ranked by the worst corpus's dev MRR@10, then Recall@5")
    for worst_mrr, worst_r5, (hubness, weight, gate), dev, test in table:
        cells = lambda m: "  ".join(f"{c} {r:.3f}/{rr:.3f}" for c, (r, rr) in m.items())  # noqa: E731
        print(f"hubness {hubness:<4} bm25 {weight:<4} gate {gate:<3}  worst dev {worst_r5:.3f}/{worst_mrr:.3f}   "
              f"dev: {cells(dev)}")
        print(f"{'':35}test: {cells(test)}")
    print("\ncross-corpus: fitted on the other two corpora's dev splits (worst MRR@10), read on this corpus")
    for held_out in CORPORA:
        others = [c for c in CORPORA if c != held_out]
        best = max(points, key=lambda p: min(d for c, q, (_, d), _ in rows if q == p and c in others))
        dev, test = next((d, t) for c, q, d, t in rows if q == best and c == held_out)
        print(f"{held_out:<14} fitted hubness {best[0]}, bm25 {best[1]}, gate {best[2]}: "
              f"dev {dev[0]:.3f}/{dev[1]:.3f}, test {test[0]:.3f}/{test[1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
