"""What a corpus's dev questions miss, one by one: the quotes and the concepts.

    python bench/misses.py gimp-zh                 # dev split, quotes and concepts
    python bench/misses.py pytutorial-en --split test --only quotes

``quotes``: every answerable question whose citations hold none of its gold sentences, with the rank of the
first retrieved passage that holds one (none: retrieval missed it; 1: the composer chose another sentence of
the passages read), the gold and what was cited. ``concepts``: every concept the writers gave a question
that the answer shows neither among its concepts nor its related ones, and whether the graph has it at all.
Counts end each part. Uses the indexes of ``bench/eval_corpora.py`` (built when missing); numbers, not
pass/fail.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from corpus_devsets import CorpusItem, load_corpus_devset  # noqa: E402
from eval_corpora import (  # noqa: E402
    CORPORA,
    DEVSETS,
    _spans,
    make_embedder,
    open_system,
    settings_for,
    shown_concepts,
)
from metrics import Cited, citation_hit, first_relevant_rank, name_key  # noqa: E402


def gold_rank(kb: Any, item: CorpusItem, k: int = 10) -> int | None:
    """The rank of the first of the top ``k`` passages that holds a gold sentence (as the eval ranks it)."""
    hits = kb.retrieve(item.question, k=k, history=list(item.history) or None)
    return first_relevant_rank([_spans(h.chunk) for h in hits], item.golds)


def quote_misses(kb: Any, items: list[CorpusItem]) -> None:
    asked = missed = 0
    for item in (i for i in items if i.golds):
        answer = kb.ask(item.question, history=list(item.history) or None)
        asked += 1
        if citation_hit([Cited(c.doc_id, c.start, c.end, c.quote) for c in answer.citations], item.parts):
            continue
        missed += 1
        print(f"== {item.id} [{answer.outcome}] gold at rank {gold_rank(kb, item)}: {item.question}")
        for g in item.golds[:2]:
            print(f"   gold  {g.quote[:150]!r}")
        for c in answer.citations[:4]:
            print(f"   cited {c.quote[:150]!r}")
    print(f"quotes: {missed} of {asked} answerable questions miss the gold sentence\n")


def concept_misses(kb: Any, items: list[CorpusItem]) -> None:
    in_graph = {name_key(n): c.id for c in kb.graph.concepts.values()
                for n in (c.id, c.label, c.label_zh, *c.aliases) if n}
    wanted = shown = absent = 0
    for item in (i for i in items if i.concepts):
        answer = kb.ask(item.question, history=list(item.history) or None)
        names = {name_key(n) for concept in shown_concepts(kb, answer) for n in concept}
        for alternatives in item.concepts:
            wanted += 1
            if any(name_key(a) in names for a in alternatives):
                shown += 1
                continue
            found = next((in_graph[name_key(a)] for a in alternatives if name_key(a) in in_graph), None)
            absent += found is None
            where = f"in the graph as {found}" if found else "not in the graph"
            print(f"{item.id}\t{' / '.join(alternatives)}\t{where}\t{item.question}")
    print(f"concepts: {shown} of {wanted} shown; {absent} of the {wanted - shown} missed are not in the graph")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", choices=sorted(CORPORA))
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--only", choices=("quotes", "concepts"))
    ap.add_argument("--embedder", choices=("default", "fake"), default="default")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from kgqa.ingest.load import load_corpus

    settings = settings_for(args.corpus, args.embedder)
    docs, _ = load_corpus([settings.corpus_dir], settings.corpus_dir)
    items = [i for i in load_corpus_devset(DEVSETS / f"{args.corpus}.yaml", {d.doc_id: d.text for d in docs}).items
             if i.split == args.split]
    kb = open_system(settings, make_embedder(args.embedder, settings))
    if args.only != "concepts":
        quote_misses(kb, items)
    if args.only != "quotes":
        concept_misses(kb, items)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
