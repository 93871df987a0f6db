"""Fit the retrieval fusion weights on the dev split of the dev set; report how they hold on the test split.

    python bench/calibrate.py            # real model; prints the best weights and dev/test MRR@10, Recall@1/5

Channels are computed once per question part; every weight combination then only re-fuses them.
The chosen weights are written by hand into ``kgqa/retrieve/engine.py`` (FUSION_WEIGHTS) with this
command named beside them: calibration is a decision to review, not something a build does silently.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from devset import load_devset  # noqa: E402
from eval import chunk_spans, make_embedder, make_settings, open_system  # noqa: E402
from metrics import first_relevant_rank  # noqa: E402

from kgqa.retrieve.engine import graph_ranking  # noqa: E402

GRID = (0.0, 0.25, 0.5, 1.0, 2.0)
CHANNELS = ("dense", "question", "bm25", "graph")


def channels_per_part(kb, items):  # type: ignore[no-untyped-def]
    """[(item, [(part golds, Channels)])] for every answerable item."""
    engine, retriever = kb.engine, kb.engine.retriever
    out = []
    for item in items:
        if item.type == "out_of_corpus":
            continue
        plan = engine.plan(item.question, list(item.history) or None, 5)
        parts = []
        for golds, part in zip(item.parts, plan.parts if len(plan.parts) == len(item.parts) else
                               [plan.parts[0]] * len(item.parts), strict=True):
            qvec = retriever.embedder.embed([part.dense_text], kind="query")[0]
            graph = graph_ranking(engine.graph, part.concepts, len(retriever.chunks))
            parts.append((golds, retriever.channels_from_vector(qvec, part.keyword_text, graph)))
        out.append((item, parts))
    return out


def score(kb, prepared, weights) -> dict[str, float]:  # type: ignore[no-untyped-def]
    retriever = kb.engine.retriever
    retriever.weights = dict(weights)
    rr: dict[str, list[float]] = {"zh": [], "en": []}
    r1: dict[str, list[float]] = {"zh": [], "en": []}
    r5: dict[str, list[float]] = {"zh": [], "en": []}
    for item, parts in prepared:
        for golds, ch in parts:
            ranked = [chunk_spans(h.chunk) for h in retriever.fuse(ch, 10)]
            rank = first_relevant_rank(ranked, golds)
            rr[item.language].append(1 / rank if rank else 0.0)
            r1[item.language].append(1.0 if rank == 1 else 0.0)
            r5[item.language].append(1.0 if rank and rank <= 5 else 0.0)
    res = {}
    for lang in ("zh", "en"):
        res[f"mrr_{lang}"] = statistics.mean(rr[lang])
        res[f"r1_{lang}"] = statistics.mean(r1[lang])
        res[f"r5_{lang}"] = statistics.mean(r5[lang])
    res["objective"] = (res["mrr_zh"] + res["mrr_en"]) / 2
    return res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", choices=["default", "fake"], default="default")
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "corpus")
    parser.add_argument("--index-dir", type=Path, default=None)
    args = parser.parse_args()
    settings = make_settings(args)
    kb = open_system(settings, make_embedder(args, settings))
    texts = {d: kb.index.document(d).text for d in kb.index.documents}
    items = load_devset(texts)
    dev = channels_per_part(kb, [i for i in items if i.split == "dev"])
    test = channels_per_part(kb, [i for i in items if i.split == "test"])
    results = []
    for combo in itertools.product(GRID, repeat=len(CHANNELS)):
        if not any(combo):
            continue
        weights = dict(zip(CHANNELS, combo, strict=True))
        results.append((score(kb, dev, weights)["objective"], combo, weights))
    results.sort(key=lambda r: (-r[0], -sum(1 for w in r[1] if w == 1.0)))
    print("top 12 on dev (objective = mean of MRR@10 zh and en):")
    for objective, combo, _ in results[:12]:
        print(f"  {objective:.4f}  " + " ".join(f"{c}={w:g}" for c, w in zip(CHANNELS, combo, strict=True)))
    equal = {c: 1.0 for c in CHANNELS}
    print(f"{'weights':42} {'split':5} " + " ".join(f"{k:>7}" for k in ("mrr_zh", "mrr_en", "r1_zh", "r1_en",
                                                                         "r5_zh", "r5_en")))
    for label, weights in (("equal", equal), ("best on dev", results[0][2]), ("2nd", results[1][2]),
                           ("3rd", results[2][2])):
        for split, prepared in (("dev", dev), ("test", test)):
            m = score(kb, prepared, weights)
            w = " ".join(f"{c}={weights[c]:g}" for c in CHANNELS)
            print(f"{label + ': ' + w:42} {split:5} " + " ".join(
                f"{m[k]:7.3f}" for k in ("mrr_zh", "mrr_en", "r1_zh", "r1_en", "r5_zh", "r5_en")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
