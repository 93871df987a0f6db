"""bench/misses.py: the rank of the gold passage, and annotated concepts told apart by whether the graph has them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bench_loader import load_bench

pytestmark = pytest.mark.unit

load_bench("metrics")
load_bench("devset")
cd = load_bench("corpus_devsets")
load_bench("metamorphic")
load_bench("corpus_report")
load_bench("eval_corpora")
misses = load_bench("misses")
metrics = load_bench("metrics")


def _chunk(start: int, end: int) -> SimpleNamespace:
    return SimpleNamespace(doc_id="d", start=start, end=end, occurrences=())


def _item(**kw) -> object:  # type: ignore[no-untyped-def]
    return cd.CorpusItem("c", "c-1", "q?", "en", "answerable", "", "dev", **kw)


def test_the_gold_rank_is_that_of_the_first_passage_holding_a_gold_sentence() -> None:
    kb = SimpleNamespace(retrieve=lambda q, k, history: [SimpleNamespace(chunk=_chunk(0, 10)),
                                                         SimpleNamespace(chunk=_chunk(10, 20))])
    item = _item(golds=(metrics.Gold("d", "x", ((12, 15),)),))
    assert misses.gold_rank(kb, item) == 2
    assert misses.gold_rank(kb, _item(golds=(metrics.Gold("d", "x", ((30, 35),)),))) is None


def test_a_concept_not_shown_is_listed_with_whether_the_graph_has_it(capsys) -> None:
    concepts = {"list": SimpleNamespace(id="list", label="list", label_zh="", aliases=[])}
    graph = SimpleNamespace(concepts=concepts, concept=lambda cid: concepts[cid])
    kb = SimpleNamespace(graph=graph, ask=lambda q, history: SimpleNamespace(concepts=[], related_concepts=[]))
    misses.concept_misses(kb, [_item(concepts=(("lists",), ("tuple", "元组")))])
    out = capsys.readouterr().out
    assert "lists\tin the graph as list" in out and "tuple / 元组\tnot in the graph" in out
    assert "0 of 2 shown; 1 of the 2 missed are not in the graph" in out
