"""Fit the extractive composer's constants on the dev splits of all three corpora; report test and cross-corpus.

    python bench/fit_compose.py                  # real model, the corpora of bench/eval_corpora.py
    python bench/fit_compose.py --embedder fake  # hash embedder: seconds, for checking the script itself

Every answerable question is asked once; what the composer was given (the parts, the retrieved passages and
their sentence similarities) is kept, and each grid point only composes again, so a point costs milliseconds.
The grid is the supporting sentence's margin (``Compose.support_margin``; -1 turns it off), the weight of
keyword overlap (``Compose.lexical``) and, with ``--position 0 0.004 0.01``, the penalty per sentence of its place
in the passage (``Compose.position``); ``--rank`` and ``--chunks`` sweep the penalty per passage rank
(``Compose.rank``) and how many passages are read (``Compose.chunks_per_part``, at most the ``top_k`` retrieval
returned when the answers were kept); ``--margin`` and ``--lexical`` narrow the first two. A point is scored by
quote hit (a citation holds the gold quote), with the median cited characters beside it. Points are ranked by
the worst corpus's dev quote hit; the cross-corpus check fits on two corpora and reads the third. The chosen
values are copied by hand into ``kgqa/tuning/``; nothing here changes them.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from corpus_devsets import load_corpus_devset  # noqa: E402
from eval_corpora import CORPORA, DEVSETS, make_embedder, open_system, outcome_of, settings_for  # noqa: E402
from metrics import Cited, citation_hit  # noqa: E402

import kgqa.answer.compose as compose  # noqa: E402

MARGINS = (-1.0, 0.02, 0.04, 0.06, 0.1, 0.15, 0.25)
LEXICAL = (0.0, 0.1, 0.25)
POSITION = (0.004,)  # the weight of a sentence's place in its passage; --position sweeps it


@dataclass
class Captured:
    corpus: str
    split: str
    parts: Any  # the item's gold parts
    refused: bool
    composed: list[tuple[Any, list[Any], dict[str, Any]]]  # per question part: (part, hits, similarities)


def capture(kb: Any, corpus: str, items: Sequence[Any]) -> list[Captured]:
    composer = kb.composer
    out = []
    for item in items:
        if not item.golds:
            continue
        seen: list[tuple[Any, list[Any], dict[str, Any]]] = []
        original = composer.compose

        def keep(question: str, parts: Sequence[Any], results: Sequence[Any], language: str,
                 _original: Any = original, seen: list[Any] = seen) -> Any:
            for part, r in zip(parts, results, strict=True):
                sims = composer.sentence_scores.scores(r.query_vector, [h.chunk.chunk_id for h in r.hits])
                seen.append((part, list(r.hits), dict(sims)))
            return _original(question, parts, results, language)

        composer.compose = keep
        try:
            answer = kb.ask(item.question, history=list(item.history) or None)
        finally:
            composer.compose = original
        out.append(Captured(corpus, item.split, item.parts, outcome_of(answer)[1], seen))
    return out


def replay(kb: Any, captured: Sequence[Captured], split: str) -> tuple[float, float]:
    """Quote hit and median cited characters of the split under the current ``compose.COMPOSE``."""
    sentences, tokenize = kb.composer.sentences, kb.composer.tokenize
    hits, chars = [], []
    for c in captured:
        if c.split != split:
            continue
        picked = []
        if not c.refused:
            for i, (part, found, sims) in enumerate(c.composed):
                scored = compose.score_candidates(part.resolved, part.keyword_text, found, sentences, sims, tokenize)
                picked += compose.pick_sentences(i, scored, sentences, part.text)
        cited = [Cited(p.sentence.doc_id, p.sentence.start, p.sentence.end, p.sentence.text) for p in picked]
        hits.append(not c.refused and citation_hit(cited, c.parts))
        if picked:
            chars.append(sum(len(p.sentence.text) for p in picked))
    return (sum(hits) / len(hits) if hits else 0.0), (statistics.median(chars) if chars else 0.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", choices=("real", "fake"), default="real")
    parser.add_argument("--margin", type=float, nargs="+", default=list(MARGINS), help="support margins to try")
    parser.add_argument("--lexical", type=float, nargs="+", default=list(LEXICAL), help="keyword weights to try")
    parser.add_argument("--position", type=float, nargs="+", default=list(POSITION), help="position penalties")
    parser.add_argument("--rank", type=float, nargs="+", default=[compose.COMPOSE.rank],
                        help="penalties per passage rank")
    parser.add_argument("--chunks", type=int, nargs="+", default=[compose.COMPOSE.chunks_per_part],
                        help="passages read per question part")
    parser.add_argument("--list-margin", type=float, nargs="+", default=[compose.COMPOSE.list_margin],
                        help="margins within which a list's items outweigh an anchor outside it (-1: never)")
    args = parser.parse_args(argv)
    from kgqa.ingest.load import load_corpus

    systems = {}
    for corpus in CORPORA:
        settings = settings_for(corpus, args.embedder)
        kb = open_system(settings, make_embedder(args.embedder, settings))
        docs, _ = load_corpus([settings.corpus_dir], settings.corpus_dir)
        loaded = load_corpus_devset(DEVSETS / f"{corpus}.yaml", {d.doc_id: d.text for d in docs})
        systems[corpus] = (kb, capture(kb, corpus, loaded.items))
    default = compose.COMPOSE
    results: dict[tuple[float, ...], dict[str, dict[str, tuple[float, float]]]] = {}
    point: tuple[float, ...]
    try:
        for point in itertools.product(args.margin, args.lexical, args.position, args.list_margin, args.rank,
                                       args.chunks):
            margin, lexical, position, list_margin, rank, chunks = point
            compose.COMPOSE = dataclasses.replace(default, support_margin=margin, lexical=lexical, position=position,
                                                  list_margin=list_margin, rank=rank, chunks_per_part=int(chunks))
            results[point] = {c: {s: replay(kb, cap, s) for s in ("dev", "test")} for c, (kb, cap) in systems.items()}
    finally:
        compose.COMPOSE = default

    def worst(point: tuple[float, ...], corpora: Sequence[str]) -> float:
        return min(results[point][c]["dev"][0] for c in corpora)

    corpora = list(systems)
    print("quote hit (median cited characters) per corpus; ranked by the worst corpus's dev quote hit")
    for point in sorted(results, key=lambda p: -worst(p, corpora)):
        row = results[point]

        def cell(s: str, row: dict[str, dict[str, tuple[float, float]]] = row) -> str:
            return "  ".join(f"{c} {row[c][s][0]:.3f} ({row[c][s][1]:.0f})" for c in corpora)

        print(f"margin {point[0]:<5} lexical {point[1]:<4} position {point[2]:<6} list {point[3]:<5} "
              f"rank {point[4]:<5} chunks {point[5]}  dev: {cell('dev')}\n{'':72}test: {cell('test')}")
    print("\ncross-corpus: fitted on the other two corpora's dev splits, read on this corpus")
    for held_out in corpora:
        others = [c for c in corpora if c != held_out]
        point = max(results, key=lambda p: (worst(p, others), -abs(p[0] - default.support_margin)))
        got = results[point][held_out]
        print(f"{held_out:<14} fitted margin {point[0]}, lexical {point[1]}, position {point[2]}, "
              f"list margin {point[3]}, rank {point[4]}, chunks {point[5]}: "
              f"dev {got['dev'][0]:.3f}, "
              f"test {got['test'][0]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
