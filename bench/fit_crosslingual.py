"""Fit the cross-lingual link's cosine threshold and margin (``kgqa/graph/crosslingual.py``) on the text's own pairs.

    python bench/fit_crosslingual.py            # real model (multilingual-e5-small), the three corpora
    python bench/fit_crosslingual.py --embedder fake   # hash vectors: seconds, for checking the script itself

Gold: the English/Chinese pairs the text itself writes (``知识蒸馏（Knowledge Distillation）``: terms of the
``pair`` rule, merged by ``merge_names``), and for a corpus with a glossary the glossary's bilingual concepts as
a second set. Each pair is split into an English-only and a Chinese-only name, as if the text had not paired
them; the graph's genuinely one-language concepts join as distractors. The linker then runs over all of them.

Prints, per evaluation set: its size, then precision and recall of recovering the true pairs for each
threshold and margin; the point fitted on each set (best recall at precision >= 0.9, ties to the stricter
point) and how it does on the others; the point best for the worse set; then, with the values in
``kgqa/tuning/``, the links the build actually adds on each corpus (genuinely one-language concepts only),
each with its cosine, margin and a sentence of the text to judge it by, the nearest mutual pairs that stay
apart (cosine/margin), and the time the step takes.
A link to a distractor counts as wrong here, even where it is right: precision is a lower bound.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from eval_corpora import CORPORA, make_embedder, settings_for  # noqa: E402
from graph_judge import _context  # noqa: E402

from kgqa.graph.concepts import merge_names  # noqa: E402
from kgqa.graph.crosslingual import candidates, link_languages, scored_links  # noqa: E402
from kgqa.graph.text import normalise  # noqa: E402
from kgqa.tuning import CROSSLINGUAL  # noqa: E402

THRESHOLDS = tuple(round(0.80 + 0.01 * i, 2) for i in range(19))
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05)
PRECISION = 0.9
NEAR = 8  # mutual pairs shown below the threshold


@dataclass
class EvalSet:
    """Gold pairs (row i of ``en`` pairs with row i of ``zh``), then the distractors of each language."""

    name: str
    en: list[str]
    zh: list[str]
    gold: int

    def score(self, vectors: Any) -> list[tuple[int, int, float, float]]:
        rows = vectors(self.en + self.zh)
        return [(x.en, x.zh, x.cosine, x.margin) for x in scored_links(rows[: len(self.en)], rows[len(self.en):])]


def corpus_graph(folder: Path) -> tuple[Any, list[Any], Any, dict[str, Any]]:
    """The graph without cross-lingual links (as ``bench/graph_judge.py`` builds it), its terms, glossary, chunks."""
    from kgqa.graph.build import graph_for_corpus
    from kgqa.graph.glossary import load_glossary
    from kgqa.ingest import corpus as ingest
    from kgqa.ingest.load import load_corpus

    docs, _ = load_corpus([folder])
    chunked = ingest.chunk_corpus(docs, 600)
    glossary = load_glossary(folder / "glossary.yaml")
    graph, parts = graph_for_corpus(docs, [p.chunks for p in chunked.per_document], glossary, "", None)
    chunks = {c.chunk_id: c for c in chunked.chunks}
    return graph, [t for _, _, dg in parts for t in dg.terms], glossary, chunks


def eval_set(name: str, pairs: Sequence[tuple[str, str]], graph: Any) -> EvalSet:
    """Gold pairs merged as the build merges names, plus the graph's one-language concepts not among them."""
    drafts, _ = merge_names([(en, zh, ()) for en, zh in pairs], [])
    gold = sorted({(d.en, d.zh) for d in drafts if d.en and d.zh})
    en_taken = {normalise(e) for e, _ in gold}
    zh_taken = {normalise(z) for _, z in gold}
    en_only, zh_only = candidates(graph)
    en = [e for e, _ in gold] + [c.label for c in en_only if normalise(c.label) not in en_taken]
    zh = [z for _, z in gold] + [c.label for c in zh_only if normalise(c.label) not in zh_taken]
    return EvalSet(name, en, zh, len(gold))


def precision_recall(s: EvalSet, scored: list[tuple[int, int, float, float]], t: float, m: float
                     ) -> tuple[int, int, float | None, float]:
    links = [(i, j) for i, j, c, mg in scored if c >= t and mg >= m]
    right = sum(1 for i, j in links if i == j and i < s.gold)
    return len(links), right, (right / len(links) if links else None), (right / s.gold if s.gold else 0.0)


def grid(s: EvalSet, scored: list[tuple[int, int, float, float]]) -> dict[tuple[float, float], tuple[Any, ...]]:
    return {(t, m): precision_recall(s, scored, t, m) for m in MARGINS for t in THRESHOLDS}


def fitted(points: dict[tuple[float, float], tuple[Any, ...]]) -> tuple[float, float] | None:
    """Best recall at precision >= PRECISION; ties go to the higher threshold, then the higher margin."""
    ok = [(r, t, m) for (t, m), (_, _, p, r) in points.items() if p is not None and p >= PRECISION]
    return max(ok)[1:] if ok else None


def worst_fit(grids: dict[str, dict[tuple[float, float], tuple[Any, ...]]]) -> tuple[float, float] | None:
    """The point whose worse set has the best recall while every set keeps precision >= PRECISION."""
    ok = []
    for key in next(iter(grids.values())):
        ps = [g[key][2] for g in grids.values()]
        if all(p is None or p >= PRECISION for p in ps) and any(p is not None for p in ps):
            ok.append((min(g[key][3] for g in grids.values()), *key))
    return max(ok)[1:] if ok else None


def fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def print_grid(s: EvalSet, points: dict[tuple[float, float], tuple[Any, ...]]) -> None:
    print(f"\n[{s.name}] gold pairs {s.gold}; names: {len(s.en)} English, {len(s.zh)} Chinese "
          f"({len(s.en) - s.gold} and {len(s.zh) - s.gold} distractors)")
    print("threshold " + "".join(f"   margin {m:<4}      " for m in MARGINS))
    for t in THRESHOLDS:
        cells = [points[(t, m)] for m in MARGINS]
        print(f"{t:<9} " + "".join(f" {n:>3} P {fmt(p)} R {r:.3f}" for n, _, p, r in cells))


def new_links(name: str, graph: Any, chunks: dict[str, Any], vectors: Any) -> int:
    linked = link_languages(graph, vectors)
    touching: dict[str, list[Any]] = {}
    for e in graph.edges:
        touching.setdefault(e.source, []).append(e)
        touching.setdefault(e.target, []).append(e)
    print(f"\n[{name}] links added at threshold {CROSSLINGUAL.threshold}, margin {CROSSLINGUAL.margin}: "
          f"{len(linked.links)} (of {len(graph.concepts)} concepts)")
    for x in linked.links:
        print(f"  {x.en!r} = {x.zh!r}  cosine {x.cosine:.3f} margin {x.margin:.3f}")
        for cid in (x.en_id, x.zh_id):
            print(f"      {_context(graph.concepts[cid], touching.get(cid, []), chunks)[:160]}")
    en, zh = candidates(graph)
    if en and zh:  # what the threshold keeps out, to judge whether it is too strict
        rows = vectors([c.label for c in en] + [c.label for c in zh])
        near = sorted(scored_links(rows[: len(en)], rows[len(en):]), key=lambda x: -x.cosine)
        print("  nearest mutual pairs: " + ", ".join(
            f"{en[x.en].label} = {zh[x.zh].label} {x.cosine:.3f}/{x.margin:.3f}" for x in near[:NEAR]))
    return len(linked.links)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--embedder", choices=("default", "fake"), default="default")
    args = p.parse_args(argv)
    embedder = make_embedder(args.embedder, settings_for("notes", args.embedder))

    def vectors(labels: Sequence[str]) -> np.ndarray:
        return np.asarray(embedder.embed(list(labels), kind="query"))

    built = {name: corpus_graph(folder) for name, folder in CORPORA.items()}
    sets: list[EvalSet] = []
    for name, (graph, terms, glossary, _) in built.items():
        pairs = [(t.en, t.zh) for t in terms if t.en and t.zh]
        if pairs:
            sets.append(eval_set(f"{name} text pairs", pairs, graph))
        glossed = [(g.en, g.zh) for g in glossary.concepts if g.en and g.zh]
        if glossed:
            sets.append(eval_set(f"{name} glossary pairs", glossed, graph))
    grids = {}
    for s in sets:
        grids[s.name] = grid(s, s.score(vectors))
        print_grid(s, grids[s.name])
    print(f"\nfitted (best recall at precision >= {PRECISION}) on one set, checked on the others:")
    for s in sets:
        point = fitted(grids[s.name])
        checks = "; ".join(f"{o}: {_pr(grids[o], point)}" for o in grids if o != s.name)
        print(f"  on {s.name}: {point} -> here {_pr(grids[s.name], point)}; {checks}")
    point = worst_fit(grids)
    print(f"best for the worse set: {point} -> " + "; ".join(f"{o}: {_pr(g, point)}" for o, g in grids.items()))
    for name, (graph, _, _, chunks) in built.items():
        started = time.perf_counter()
        new_links(name, graph, chunks, vectors)
        en, zh = candidates(graph)
        print(f"  {len(en)} + {len(zh)} labels embedded and linked in {time.perf_counter() - started:.2f}s")
    return 0


def _pr(points: dict[tuple[float, float], tuple[Any, ...]], point: tuple[float, float] | None) -> str:
    if point is None:
        return "no point reaches the precision"
    n, right, p, r = points[point]
    return f"{right}/{n} links right, P {fmt(p)} R {r:.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
