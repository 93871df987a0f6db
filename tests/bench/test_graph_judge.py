"""The pure parts of the graph-judging script (bench/graph_judge.py): sampling, merging judgements, arithmetic."""

from __future__ import annotations

import pytest
from bench_loader import load_bench

pytestmark = pytest.mark.unit





gj = load_bench("graph_judge")

IDS = [f"c{i:03d}" for i in range(200)]


def test_sample_is_reproducible_and_independent_of_input_order() -> None:
    first = gj.sample_keys(IDS, 30, 1)
    assert first == gj.sample_keys(list(reversed(IDS)), 30, 1)
    assert len(first) == 30 and len(set(first)) == 30 and set(first) <= set(IDS)
    assert first != gj.sample_keys(IDS, 30, 2)


def test_sample_takes_everything_when_there_are_fewer_than_n() -> None:
    assert gj.sample_keys(["b", "a", "b"], 30, 1) == ["a", "b"]
    edges = [("x", "uses", "y"), ("a", "part-of", "b")]
    assert gj.sample_keys(edges, 5, 1) == sorted(edges)


def test_merge_keeps_old_judgements_of_the_same_item_only() -> None:
    old = [{"id": "rope", "label": "RoPE", "judgement": "correct", "note": "a method"},
           {"id": "gone", "judgement": "wrong"},
           {"id": "later", "judgement": None},
           {"id": "write", "label": "write", "aliases": ["writes"], "judgement": "loose"}]
    new = [{"id": "rope", "label": "RoPE", "judgement": None},
           {"id": "later", "judgement": None},
           {"id": "fresh", "judgement": None},
           {"id": "write", "label": "write()", "aliases": [], "judgement": None}]
    merged = gj.merge_judgements(new, old, gj.concept_key)
    assert [m["judgement"] for m in merged] == ["correct", None, None, None]  # write() shows other names
    assert merged[0]["note"] == "a method" and merged[0]["label"] == "RoPE"
    assert new[0]["judgement"] is None  # the fresh sample is not modified in place


def test_merge_of_edges_keys_on_source_type_target_and_evidence() -> None:
    old = [{"source": "a", "type": "uses", "target": "b", "evidence": "A uses B.", "judgement": "loose"},
           {"source": "c", "type": "uses", "target": "d", "evidence": "- C", "judgement": "loose"}]
    new = [{"source": "a", "type": "uses", "target": "b", "evidence": "A uses B.", "judgement": None},
           {"source": "b", "type": "uses", "target": "a", "evidence": "A uses B.", "judgement": None},
           {"source": "a", "type": "part-of", "target": "b", "evidence": "A uses B.", "judgement": None},
           {"source": "c", "type": "uses", "target": "d", "evidence": "C uses D.", "judgement": None}]
    assert [m["judgement"] for m in gj.merge_judgements(new, old, gj.edge_key)] == ["loose", None, None, None]


def test_precision_arithmetic() -> None:
    items = [{"judgement": v} for v in ["correct"] * 6 + ["loose"] * 2 + ["wrong"] * 2 + [None]]
    p = gj.precision(items)
    assert (p.correct, p.loose, p.wrong, p.unjudged, p.judged) == (6, 2, 2, 1, 10)
    assert p.strict == pytest.approx(0.6) and p.lenient == pytest.approx(0.8)
    empty = gj.precision([{"judgement": None}])
    assert empty.strict is None and empty.lenient is None


def test_precision_refuses_an_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="got 'right'"):
        gj.precision([{"id": "x", "judgement": "right"}])


def test_graph_stats_and_targets() -> None:
    edges = [("a", "uses", "b"), ("b", "related", "c")]
    stats = gj.graph_stats(["a", "b", "c", "d"], edges, zh_labelled=1)
    assert stats == {"concepts": 4, "edges": 2, "typed_edges": 1, "isolated_share": 0.25,
                     "typed_edge_share": 0.5, "zh_labelled_share": 0.25}
    good = gj.precision([{"judgement": "correct"}] * 17 + [{"judgement": "wrong"}] * 3)
    bad = gj.precision([{"judgement": "correct"}] * 13 + [{"judgement": "loose"}] * 7)
    assert gj.targets(good, bad, stats) == {"concept_precision": True, "edge_strict_precision": False,
                                            "isolated_share": True}
    none = gj.precision([])
    assert gj.targets(none, none, {})["concept_precision"] is None


def test_a_key_that_leaves_changes_one_item_of_the_sample() -> None:
    first = gj.sample_keys(IDS, 30, 1)
    again = gj.sample_keys([i for i in IDS if i != first[0]], 30, 1)
    assert len(set(first) - set(again)) == 1 and len(set(again) - set(first)) == 1
