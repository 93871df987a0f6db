"""The pure parts of bench/eval_corpora.py: gold quotes resolved modulo whitespace, metamorphic variants, flips,
and the per-split summaries."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bench_loader import load_bench

pytestmark = pytest.mark.unit





load_bench("metrics")
load_bench("devset")  # corpus_devsets imports it by name
cd = load_bench("corpus_devsets")
mm = load_bench("metamorphic")
report = load_bench("corpus_report")
ec = load_bench("eval_corpora")


# ---------------------------------------------------------------- resolving gold quotes


def test_fold_whitespace_maps_every_kept_character_to_its_offset():
    folded, offsets = cd.fold_whitespace("ab \n\t cd")
    assert folded == "ab cd"
    assert [("ab \n\t cd")[i] for i in offsets] == ["a", "b", " ", "c", "d"]
    assert cd.fold_whitespace("ab \n cd", drop=True) == ("abcd", [0, 1, 5, 6])


def test_an_exact_quote_keeps_every_occurrence():
    assert cd.resolve_quote("xx abc yy abc", "abc") == cd.Resolution(((3, 6), (10, 13)), "exact")


def test_a_hard_wrapped_quote_resolves_to_the_span_of_the_canonical_text():
    text = "Intro.\nThe interpreter\n   acts as a  simple calculator."
    found = cd.resolve_quote(text, "interpreter acts as a simple")
    assert found.how == "whitespace"
    (start, end), = found.spans
    assert text[start:end] == "interpreter\n   acts as a  simple"


def test_spaces_an_inline_element_added_are_ignored_last():
    text = "the top layer is called “Floating Selection”."
    found = cd.resolve_quote(text, "is called “ Floating Selection ”")
    assert found.how == "no_whitespace"
    (start, end), = found.spans
    assert text[start:end] == "is called “Floating Selection”"


def test_a_quote_found_nowhere_is_missing():
    assert cd.resolve_quote("abc", "abd") == cd.Resolution((), "missing")
    assert cd.resolve_quote("abc", "  ") == cd.Resolution((), "missing")


def test_load_corpus_devset_lists_unresolved_quotes_and_keeps_the_canonical_text(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "corpus: c\nitems:\n"
        "  - {id: c-001, question: q1, language: en, type: answerable, split: dev,\n"
        "     gold: [{doc_id: d, quote: 'a  b'}, {doc_id: d, quote: 'nowhere'}, {doc_id: e, quote: x}]}\n"
        "  - {id: c-002, question: hi, language: en, type: chitchat, split: test}\n",
        encoding="utf-8",
    )
    loaded = cd.load_corpus_devset(path, {"d": "xx a\nb yy"})
    first, second = loaded.items
    assert [(g.quote, g.spans) for g in first.golds] == [("a\nb", ((3, 6),))]
    assert [(u.item_id, u.quote) for u in loaded.unresolved] == [("c-001", "nowhere"), ("c-001", "x")]
    assert loaded.resolved_how == {"whitespace": 1, "missing": 1}
    assert second.parts == () and not second.should_refuse


def test_concepts_and_expected_items_are_loaded_and_resolved(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "items:\n"
        "  - {id: c-001, question: q, language: zh, type: answerable, split: dev, gold: [{doc_id: d, quote: ab}],\n"
        "     concepts: ['注意力|attention', softmax], items: [{doc_id: d, quote: ab}, {doc_id: d, quote: gone}]}\n",
        encoding="utf-8",
    )
    loaded = cd.load_corpus_devset(path, {"d": "xx ab yy"})
    (item,) = loaded.items
    assert item.concepts == (("注意力", "attention"), ("softmax",))
    assert [(g.quote, g.spans) for g in item.expected] == [("ab", ((3, 5),))]
    assert [u.quote for u in loaded.unresolved] == ["gone"]  # an unresolved item is reported, not counted


def test_concepts_found_matches_any_alternative_against_any_name_loosely():
    m = load_bench("metrics")
    shown = [["self-attention", "自注意力机制"], ["Positional Encodings"]]
    assert m.concepts_found([["Self Attention"], ["位置编码", "positional encoding"]], shown) == 1.0
    assert m.concepts_found([["attention"]], shown) == 0.0  # a part of a name is not the name
    with pytest.raises(ValueError):
        m.concepts_found([], shown)


def test_items_cited_counts_each_expected_element_once():
    m = load_bench("metrics")
    items = [m.Gold("d", "alpha", ((0, 5),)), m.Gold("d", "beta", ((10, 14),)), m.Gold("e", "gamma", ((0, 5),))]
    cited = [m.Cited("d", 0, 14, "alpha and beta")]
    assert m.items_cited(cited, items) == pytest.approx(2 / 3)
    assert m.items_cited([], items) == 0.0


def test_group_metrics_averages_the_graph_measures_where_items_have_them():
    records = [_rec("dev", "answerable", "answer", True, ranks=[1]), _rec("dev", "answerable", "answer", True,
                                                                           ranks=[1])]
    records[0].asked.concepts_found, records[0].asked.items_cited = 0.5, 1.0
    m = report.group_metrics(records)
    assert (m["concepts_found"], m["items_cited"], m["all_items_cited"]) == (0.5, 1.0, 1.0)


def test_load_corpus_devset_rejects_an_unknown_type(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("items:\n  - {id: c-1, question: q, language: en, type: trivia, split: dev}\n", encoding="utf-8")
    with pytest.raises(cd.CorpusDevsetError, match="type must be one of"):
        cd.load_corpus_devset(path, {})


# ---------------------------------------------------------------- variants


def test_latin_typo_swaps_two_adjacent_letters_of_the_longest_word():
    assert mm.latin_typo("how does the interpreter start") == "how does the inteprreter start"
    assert mm.latin_typo("is it ok") is None
    # equal neighbours would change nothing: the next pair is swapped
    assert mm.latin_typo("a committee") != "a committee"


def test_cjk_typo_drops_one_character_of_a_three_character_word():
    assert mm.cjk_typo("解码器是什么") == "解器是什么"
    assert mm.cjk_typo("是什么") is None or len(mm.cjk_typo("是什么")) == 2
    assert mm.typo("GELU 有啥用", "zh") == "GLEU 有啥用"  # no Chinese word of 3+: the Latin rule


def test_filler_goes_before_the_closing_punctuation():
    out = mm.filler("x", "怎么导出 PNG？", "zh")
    assert out in ("请问怎么导出 PNG？", "怎么导出 PNG啊？", "怎么导出 PNG呢？")
    assert mm.filler("x", "请问怎么导出？", "zh") != "请问请问怎么导出？"
    assert mm.filler("x", "How do I exit?", "en") in ("um, how do I exit?", "How do I exit please?")


def test_synonym_follows_the_table_and_keeps_capitals():
    assert mm.synonym("为什么要加 mask", "zh") == "为啥要加 mask"
    assert mm.synonym("What is a tuple?", "en") == "What's a tuple?"
    assert mm.synonym("how do I loop over a dict", "en") == "how can I loop over a dict"
    assert mm.synonym("No table word here", "en") is None


def test_code_switch_takes_the_longest_term_and_skips_when_none_is_known():
    assert mm.code_switch("多头注意力怎么算") == "multi-head attention怎么算"
    assert mm.code_switch("What does self-attention compute?") == "What does 自注意力 compute?"
    assert mm.code_switch("今天天气") is None


def test_variants_are_deterministic_and_never_repeat_the_question():
    a = mm.variants("notes-001", "transfomer 的解码器块里都有啥组件", "zh")
    b = mm.variants("notes-001", "transfomer 的解码器块里都有啥组件", "zh")
    assert a == b
    assert [v.kind for v in a] == list(mm.KINDS)
    assert all(v.text != "transfomer 的解码器块里都有啥组件" for v in a)
    assert [v.kind for v in mm.variants("x", "ok?", "en")] == ["filler"]


# ---------------------------------------------------------------- flips


@pytest.mark.parametrize(
    ("original", "variant", "expected"),
    [
        (("answer", True), ("answer", True), False),
        (("answer", False), ("refused", False), True),  # lost the answer
        (("caveat", False), ("chitchat", False), True),  # a chit-chat reply is no answer either
        (("answer", True), ("answer", False), True),  # lost the quote
        (("refused", False), ("refused", False), False),  # nothing to lose
        (("answer", False), ("caveat", True), False),
    ],
)
def test_flipped(original, variant, expected):
    assert mm.flipped(mm.Judged(*original), mm.Judged(*variant)) is expected


def test_flip_rates_count_only_eligible_variants_per_kind_and_corpus():
    j = mm.Judged
    rows = [
        ("a", "typo", j("answer", True), j("refused", False)),
        ("a", "filler", j("answer", True), j("answer", True)),
        ("b", "typo", j("refused", False), j("answer", True)),
        ("b", "typo", j("answer", True), j("answer", False)),
    ]
    rates = mm.flip_rates(rows)
    assert list(rates)[0] == "all"
    assert rates["all"] == {"variants": 4, "eligible": 3, "flips": 2, "to_refusal": 1, "lost_quote": 2,
                            "rate": 0.6667}
    assert rates["kind:typo"]["rate"] == 1.0
    assert rates["corpus:b"]["eligible"] == 1 and rates["b:typo"]["flips"] == 1
    assert rates["a:filler"]["rate"] == 0.0


# ---------------------------------------------------------------- summaries


def _rec(split, type_, outcome="answer", hit=None, citations=1, ranks=(), base=(), ms=10.0):
    asked = SimpleNamespace(outcome=outcome, refused=outcome == "refused", citations=citations,
                            quote_hit=hit, latency_ms=ms, error="")
    return SimpleNamespace(split=split, type=type_, ranks=list(ranks), baseline_ranks=list(base), asked=asked)


def test_group_metrics_abstention_chitchat_and_caveats():
    records = [
        _rec("dev", "answerable", "answer", True, ranks=[1], base=[6]),
        _rec("dev", "answerable", "refused", False, citations=0, ranks=[3], base=[1]),
        _rec("dev", "unanswerable", "refused", citations=0),
        _rec("dev", "off_topic", "caveat"),
        _rec("test", "chitchat", "chitchat", citations=0),
        _rec("test", "chitchat", "chitchat", citations=2),  # cited: not recognised
    ]
    m = report.group_metrics(records)
    assert (m["recall@5"], m["baseline_recall@5"], m["mrr@10"]) == (1.0, 0.5, round((1 + 1 / 3) / 2, 4))
    assert m["quote_hit"] == 0.5 and m["false_refusal"] == 0.5
    assert (m["abstain_precision"], m["abstain_recall"], m["abstain_f1"]) == (0.5, 0.5, 0.5)
    assert m["chitchat_recognised"] == 0.5 and m["false_chitchat"] == 0.0
    assert m["caveat_share"] == round(1 / 6, 4)
    by_split = report.summarise(records)
    assert by_split["test"]["abstain_f1"] is None  # nothing there should be refused
    assert by_split["dev"]["items"] == 4


def test_worst_takes_the_minimum_or_the_maximum_by_direction():
    summary = {"a": {"test": {"quote_hit": 0.9, "latency_p95_ms": 70.0}},
               "b": {"test": {"quote_hit": 0.6, "latency_p95_ms": 20.0}}}
    w = report.worst(summary, "test")
    assert w["quote_hit"] == {"corpus": "b", "value": 0.6}
    assert w["latency_p95_ms"] == {"corpus": "a", "value": 70.0}


def test_outcome_falls_back_to_abstained_when_the_answer_has_no_outcome():
    assert ec.outcome_of(SimpleNamespace(abstained=True)) == ("refused", True)
    assert ec.outcome_of(SimpleNamespace(abstained=False)) == ("answer", False)
    assert ec.outcome_of(SimpleNamespace(abstained=False, outcome="chitchat")) == ("chitchat", False)
