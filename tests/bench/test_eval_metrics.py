"""The evaluation metrics (bench/metrics.py) and the dev-set checks (bench/devset.py) on tiny inputs."""

from __future__ import annotations

import pytest
from bench_loader import load_bench

pytestmark = pytest.mark.unit





m = load_bench("metrics")
devset = load_bench("devset")

TEXT = "0123456789 attention is all you need. 0123456789 attention is all you need."
GOLD = m.Gold("d", "attention is all", devset.occurrences(TEXT, "attention is all"))


def test_occurrences_finds_every_place_a_quote_occurs():
    assert GOLD.spans == ((11, 27), (49, 65))
    assert devset.occurrences("aaa", "aa") == ((0, 2), (1, 3))
    assert devset.occurrences(TEXT, "missing") == ()


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ((("d", 0, 30),), True),  # covers the first occurrence
        ((("d", 40, 70),), True),  # covers the second occurrence only
        ((("d", 12, 70),), True),
        ((("d", 12, 60),), False),  # cuts both occurrences
        ((("other", 0, 100),), False),  # right span, wrong document
        ((("d", 0, 5), ("d", 45, 70)), True),  # a duplicate's occurrence covers it
    ],
)
def test_covers_needs_the_whole_quote_in_one_span_of_the_same_document(spans, expected):
    assert m.covers(spans, GOLD) is expected


def test_first_relevant_rank_takes_any_alternative_and_is_one_based():
    other = m.Gold("e", "x" * 10, ((100, 110),))
    ranked = [(("d", 0, 5),), (("e", 90, 120),), (("d", 0, 30),)]
    assert m.first_relevant_rank(ranked, [GOLD]) == 3
    assert m.first_relevant_rank(ranked, [GOLD, other]) == 2
    assert m.first_relevant_rank([], [GOLD]) is None


def test_part_ranks_gives_one_rank_per_part():
    other = m.Gold("e", "x" * 10, ((100, 110),))
    ranked = [(("e", 90, 120),)]
    assert m.part_ranks(ranked, [[GOLD], [other]]) == [None, 1]


@pytest.mark.parametrize(
    ("ranks", "k", "expected"),
    [([1], 1, 1.0), ([2], 1, 0.0), ([5], 5, 1.0), ([6], 5, 0.0), ([None], 5, 0.0), ([1, None], 5, 0.5)],
)
def test_recall_at_k(ranks, k, expected):
    assert m.recall_at(ranks, k) == expected


@pytest.mark.parametrize(
    ("ranks", "expected"), [([1], 1.0), ([4], 0.25), ([10], 0.1), ([11], 0.0), ([None], 0.0), ([1, 2], 0.75)]
)
def test_reciprocal_rank_at_10(ranks, expected):
    assert m.reciprocal_rank(ranks, 10) == pytest.approx(expected)


def test_rank_metrics_refuse_items_without_parts():
    with pytest.raises(ValueError, match="at least one part"):
        m.recall_at([], 5)
    with pytest.raises(ValueError, match="at least one part"):
        m.reciprocal_rank([])


@pytest.mark.parametrize(
    ("cited", "expected"),
    [
        (m.Cited("zzz", 0, 0, "so attention is all you need"), True),  # quote contains the gold text
        (m.Cited("d", 11, 19, "attentio"), True),  # 8 of 16 characters: exactly half
        (m.Cited("d", 11, 18, "attenti"), False),  # 7 of 16
        (m.Cited("d", 58, 80, "all you need. ..."), False),  # 7 of 16 of the second occurrence
        (m.Cited("d", 53, 80, "on is all you need."), True),  # 12 of 16 of the second occurrence
        (m.Cited("e", 11, 27, "different text here"), False),  # span matches but another document
    ],
)
def test_citation_matches_by_containment_or_half_overlap(cited, expected):
    assert m.citation_matches(cited, GOLD) is expected


def test_overlap_of_half_open_ranges():
    assert m.overlap((0, 10), (5, 20)) == 5
    assert m.overlap((0, 5), (5, 9)) == 0
    assert m.overlap((3, 4), (0, 10)) == 1


def test_citation_hit_needs_every_part_and_some_citation():
    other = m.Gold("e", "transformer", ((0, 11),))
    good = m.Cited("d", 11, 27, "attention is all")
    assert m.citation_hit([good], [[GOLD]])
    assert not m.citation_hit([good], [[GOLD], [other]])  # multi-part: the second part is unsupported
    assert m.citation_hit([good, m.Cited("e", 0, 11, "transformer")], [[GOLD], [other]])
    assert not m.citation_hit([], [[GOLD]])
    with pytest.raises(ValueError, match="answerable"):
        m.citation_hit([good], [])


def test_cited_chars_sums_quote_lengths():
    assert m.cited_chars([m.Cited("d", 0, 3, "abc"), m.Cited("d", 0, 2, "注意")]) == 5
    assert m.cited_chars([]) == 0


def test_abstention_prf_treats_abstaining_as_positive():
    predicted = [True, True, False, False, True]
    gold = [True, False, True, False, True]  # out of corpus
    assert m.abstention_prf(predicted, gold) == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667}


def test_abstention_prf_edge_cases():
    assert m.abstention_prf([False, False], [True, False]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert m.abstention_prf([False], [False]) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    with pytest.raises(ValueError, match="differ in length"):
        m.abstention_prf([True], [True, False])


def test_percentile_interpolates_and_checks_its_input():
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert m.percentile(values, 50) == 30.0
    assert m.percentile(values, 95) == pytest.approx(48.0)
    assert m.percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError, match="no values"):
        m.percentile([], 50)
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        m.percentile(values, 101)


def _result(id_: str, lang: str, answerable: bool = True, **kw: object):
    return m.ItemResult(id_, lang, "english" if lang == "en" else "heading", "dev", answerable, **kw)


def test_summarise_and_breakdown_by_language():
    results = [
        _result("a", "zh", ranks=[1], cited_ok=True, cited_chars=100, abstained=False, latency_ms=10.0),
        _result("b", "zh", ranks=[3], cited_ok=False, cited_chars=300, abstained=False, latency_ms=20.0),
        _result("c", "en", ranks=[None], cited_ok=False, cited_chars=0, abstained=True, latency_ms=30.0),
        _result("d", "en", answerable=False, cited_chars=0, abstained=True, latency_ms=40.0),
    ]
    table = m.breakdown(results, lambda r: r.language, ["zh", "en"])
    zh, en, everything = table["zh"], table["en"], table["all"]
    assert zh["recall@1"] == 0.5 and zh["recall@5"] == 1.0 and zh["mrr@10"] == pytest.approx(0.6667)
    assert en["recall@5"] == 0.0 and en["answerable"] == 1 and en["items"] == 2
    assert everything["citation_hit_rate"] == pytest.approx(0.3333)
    assert everything["median_cited_chars"] == 200  # abstained answers are not counted
    assert everything["abstention"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert "abstention" not in zh and zh["abstained_share"] == 0.0  # no out-of-corpus question to judge
    assert everything["abstained_share"] == 0.5
    assert everything["latency_ms"] == {"p50": 25.0, "p95": 38.5}


def test_summarise_leaves_unmeasured_metrics_empty():
    only_baseline = [_result("a", "zh", ranks=[2]), _result("b", "zh", answerable=False)]
    out = m.summarise(only_baseline)
    assert out["recall@5"] == 1.0
    assert "citation_hit_rate" not in out and "abstention" not in out and "latency_ms" not in out
    assert m.summarise([_result("x", "en", answerable=False)])["recall@5"] is None


def test_split_is_a_stable_function_of_the_id():
    ids = [f"item-{i}" for i in range(400)]
    splits = [devset.split_for(i) for i in ids]
    assert splits == [devset.split_for(i) for i in ids]
    assert 0.2 < splits.count("test") / len(ids) < 0.4


def _raw(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "zh-01", "question": "q", "language": "zh", "type": "heading",
                               "split": devset.split_for("zh-01"),
                               "gold": [{"doc_id": "d", "quote": "attention is all"}]}
    return {**base, **kw}


def test_dev_set_items_are_checked_against_the_documents(tmp_path):
    texts = {"d": TEXT}
    path = tmp_path / "devset.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"items": [_raw()]}), encoding="utf-8")
    (item,) = devset.load_devset(texts, path)
    assert item.parts == ((GOLD,),) and item.answerable

    def item(id_: str, **kw: object) -> dict[str, object]:
        return _raw(id=id_, split=devset.split_for(id_), **kw)

    bad = [item("b1", gold=[{"doc_id": "d", "quote": "attention is ALL"}]),
           item("b2", gold=[{"doc_id": "nope", "quote": "attention is all"}]),
           item("b3", gold=[{"doc_id": "d", "quote": "short"}]),
           {**item("b4"), "split": "dev" if devset.split_for("b4") == "test" else "test"},
           item("b5", type="out_of_corpus")]
    path.write_text(yaml.safe_dump({"items": bad}), encoding="utf-8")
    with pytest.raises(devset.DevsetError) as err:
        devset.load_devset(texts, path)
    message = str(err.value)
    assert "5 problem(s)" in message
    for expected in ("does not occur verbatim", "unknown doc_id 'nope'", "10-40 characters",
                     "split is fixed by the id hash", "out_of_corpus item has no gold"):
        assert expected in message
