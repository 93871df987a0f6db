"""The numbers of bench/eval_corpora.py, from per-item records: summaries per split, the worst corpus, tables.

Pure functions on plain data. A record has ``split``, ``type``, ``ranks`` and ``baseline_ranks`` (one entry
per gold part; empty without gold evidence) and ``asked`` (``outcome``, ``refused``, ``citations``,
``quote_hit``, ``latency_ms``, ``error``) or None when ``ask`` did not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from metrics import abstention_prf, percentile, recall_at, reciprocal_rank

SPLITS = ("dev", "test", "all")
REFUSE_TYPES = ("unanswerable", "off_topic")

# metric -> True when higher is better; the worst corpus is the minimum (or maximum) over corpora
DIRECTION = {
    "recall@5": True, "mrr@10": True, "baseline_recall@5": True, "baseline_mrr@10": True, "quote_hit": True,
    "abstain_precision": True, "abstain_recall": True, "abstain_f1": True, "false_refusal": False,
    "chitchat_recognised": True, "false_chitchat": False, "latency_p95_ms": False, "flip_rate": False,
    "concepts_found": True, "items_cited": True, "all_items_cited": True,
}
# the bar of the answers issue, read on the test split of the worst corpus (the flip rate: dev, all corpora)
TARGETS = {
    "quote_hit": (">=", 0.85), "abstain_f1": (">=", 0.85), "abstain_precision": (">=", 0.85),
    "chitchat_recognised": (">=", 0.95), "latency_p95_ms": ("<", 50.0), "flip_rate": ("<=", 0.05),
    # the graph issue's bar on the dev sets: the question's concepts among the answer's, expected items cited
    "concepts_found": (">=", 0.90), "items_cited": (">=", 0.80),
}


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _share(flags: Sequence[bool]) -> float | None:
    return _mean([1.0 if f else 0.0 for f in flags])


def _present(asked: Sequence[Any], field: str) -> list[float]:
    """The values of an optional per-item measure, where the item has one."""
    return [v for v in (getattr(r.asked, field, None) for r in asked) if v is not None]


def group_metrics(records: Sequence[Any]) -> dict[str, Any]:
    """Every metric over one group of records; None where the group has nothing to measure.

    >>> from types import SimpleNamespace as R
    >>> a = R(outcome="answer", refused=False, citations=2, quote_hit=True, latency_ms=5.0, error="")
    >>> r = R(split="dev", type="answerable", ranks=[2], baseline_ranks=[None], asked=a)
    >>> m = group_metrics([r]); (m["recall@5"], m["mrr@10"], m["baseline_recall@5"], m["quote_hit"])
    (1.0, 0.5, 0.0, 1.0)
    """
    ranked = [r for r in records if r.ranks]
    based = [r for r in ranked if r.baseline_ranks]
    asked = [r for r in records if r.asked is not None]
    answerable = [r for r in asked if r.type == "answerable" and r.asked.quote_hit is not None]
    chitchat = [r for r in asked if r.type == "chitchat"]
    others = [r for r in asked if r.type != "chitchat"]
    out: dict[str, Any] = {
        "items": len(records),
        "answerable": sum(1 for r in records if r.type == "answerable"),
        "recall@5": _mean([recall_at(r.ranks, 5) for r in ranked]),
        "mrr@10": _mean([reciprocal_rank(r.ranks, 10) for r in ranked]),
        "baseline_recall@5": _mean([recall_at(r.baseline_ranks, 5) for r in based]),
        "baseline_mrr@10": _mean([reciprocal_rank(r.baseline_ranks, 10) for r in based]),
        "quote_hit": _share([bool(r.asked.quote_hit) for r in answerable]),
        "false_refusal": _share([r.asked.refused for r in answerable]),
        "caveat_share": _share([r.asked.outcome == "caveat" for r in asked]),
        "caveat_share_answerable": _share([r.asked.outcome == "caveat" for r in answerable]),
        "chitchat_recognised": _share([r.asked.outcome == "chitchat" and r.asked.citations == 0 for r in chitchat]),
        "false_chitchat": _share([r.asked.outcome == "chitchat" for r in others]),
        "errors": sum(1 for r in asked if r.asked.error),
        "concepts_found": _mean(_present(asked, "concepts_found")),
        "items_cited": _mean(_present(asked, "items_cited")),
        "all_items_cited": _share([v == 1.0 for v in _present(asked, "items_cited")]),
    }
    if asked and any(r.type in REFUSE_TYPES for r in asked):
        prf = abstention_prf([r.asked.refused for r in asked], [r.type in REFUSE_TYPES for r in asked])
        out.update({f"abstain_{k}": v for k, v in prf.items()})
    else:  # no question here should be refused: P/R/F1 would be conventions, not measurements
        out.update({"abstain_precision": None, "abstain_recall": None, "abstain_f1": None})
    times = [r.asked.latency_ms for r in asked if r.asked.latency_ms is not None]
    out["latency_p50_ms"] = round(percentile(times, 50), 2) if times else None
    out["latency_p95_ms"] = round(percentile(times, 95), 2) if times else None
    return out


def summarise(records: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """``group_metrics`` per split: dev, test, and all."""
    return {s: group_metrics([r for r in records if s == "all" or r.split == s]) for s in SPLITS}


def worst(summary: dict[str, dict[str, dict[str, Any]]], split: str) -> dict[str, dict[str, Any]]:
    """Per metric with a direction, the worst value over the corpora and which corpus has it.

    >>> worst({"a": {"test": {"quote_hit": 0.9}}, "b": {"test": {"quote_hit": 0.5}}}, "test")["quote_hit"]
    {'corpus': 'b', 'value': 0.5}
    """
    out = {}
    for metric, higher_better in DIRECTION.items():
        values = [(v, c) for c, s in summary.items() if (v := s[split].get(metric)) is not None]
        if values:
            value, corpus = (min if higher_better else max)(values, key=lambda vc: vc[0])
            out[metric] = {"corpus": corpus, "value": value}
    return out


def with_flips(summary: dict[str, Any], flips: dict[str, Any] | None) -> dict[str, Any]:
    """The summary with each corpus's flip rate added to its dev and all splits (variants come from dev)."""
    if not flips:
        return summary
    out = {c: {s: dict(m) for s, m in splits.items()} for c, splits in summary.items()}
    for corpus in out:
        rate = (flips.get(f"corpus:{corpus}") or {}).get("rate")
        out[corpus]["dev"]["flip_rate"] = out[corpus]["all"]["flip_rate"] = rate
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


ROWS = (
    ("items", "items"), ("answerable", "answerable"),
    ("recall@5", "Recall@5 system"), ("baseline_recall@5", "Recall@5 dense-500"),
    ("mrr@10", "MRR@10 system"), ("baseline_mrr@10", "MRR@10 dense-500"),
    ("quote_hit", "quote hit"), ("false_refusal", "answerable refused"),
    ("abstain_precision", "abstain precision"), ("abstain_recall", "abstain recall"), ("abstain_f1", "abstain F1"),
    ("caveat_share", "caveat share"), ("chitchat_recognised", "chit-chat recognised"),
    ("false_chitchat", "non-chit-chat as chitchat"), ("latency_p50_ms", "ask p50 ms"),
    ("latency_p95_ms", "ask p95 ms"), ("flip_rate", "metamorphic flip rate"),
    ("concepts_found", "question concepts shown"), ("items_cited", "relation/enum items cited"),
    ("all_items_cited", "... all items cited"), ("errors", "ask errors"),
)


def table(summary: dict[str, Any], worst_of: dict[str, Any], split: str, corpora: Sequence[str]) -> str:
    width = max(14, *(len(c) + 2 for c in corpora))
    lines = [f"{'[' + split + ']':<28}" + "".join(f"{c:>{width}}" for c in corpora) + f"{'worst':>24}"]
    for metric, label in ROWS:
        cells = [summary[c][split].get(metric) for c in corpora]
        if metric == "flip_rate" and all(v is None for v in cells):
            continue
        w = worst_of.get(metric)
        worst_cell = f"{_fmt(w['value'])} {w['corpus']}" if w and len(corpora) > 1 else ""
        lines.append(f"{label:<28}" + "".join(f"{_fmt(v):>{width}}" for v in cells) + f"{worst_cell:>24}")
    return "\n".join(lines)


def flip_table(flips: dict[str, Any], corpora: Sequence[str]) -> str:
    kinds = sorted({k.split(":", 1)[1] for k in flips if k.startswith("kind:")})
    lines = [f"{'[metamorphic, dev]':<28}" + "".join(f"{k:>14}" for k in (*kinds, "all"))]
    for corpus in (*corpora, None):
        cells = []
        for kind in (*kinds, None):
            key = ("all" if kind is None else f"kind:{kind}") if corpus is None else (
                f"corpus:{corpus}" if kind is None else f"{corpus}:{kind}")
            g = flips.get(key)
            cells.append(f"{_fmt(g['rate'])} {g['flips']}/{g['eligible']}" if g else "-")
        lines.append(f"{corpus or 'all corpora':<28}" + "".join(f"{c:>14}" for c in cells))
    lines.append("cell: flip rate, flips / eligible variants (original answered or quoted the gold)")
    return "\n".join(lines)


def tables(summary: dict[str, Any], flips: dict[str, Any] | None, corpora: Sequence[str]) -> str:
    """One table per split (test first: it is the one that counts), then the flip rates."""
    shown = with_flips(summary, flips)
    parts = [table(shown, worst(shown, s), s, corpora) for s in ("test", "dev", "all")]
    if flips:
        parts.append(flip_table(flips, corpora))
    return "\n\n".join(parts)


def targets(summary: dict[str, Any], flips: dict[str, Any] | None) -> list[str]:
    """The issue's bar as met/MISS lines: the worst corpus on the test split (numbers, not assertions)."""
    shown = with_flips(summary, flips)
    bad = worst(shown, "test")
    lines = []
    for metric, (op, bar) in TARGETS.items():
        if metric == "flip_rate":
            w = {"value": (flips or {}).get("all", {}).get("rate"), "corpus": "all corpora, dev"}
        else:
            w = bad.get(metric) or {"value": None, "corpus": "-"}
        v = w["value"]
        ok = v is not None and (v >= bar if op == ">=" else v < bar if op == "<" else v <= bar)
        lines.append(f"{'met ' if ok else 'MISS'}  {metric} {op} {bar:g}: worst {_fmt(v)} ({w['corpus']})")
    for corpus, splits in summary.items():
        s = splits["test"]
        if s.get("recall@5") is not None and s.get("baseline_recall@5") is not None:
            lines.append(f"Recall@5 test {corpus}: system {_fmt(s['recall@5'])} vs dense-500 "
                         f"{_fmt(s['baseline_recall@5'])} ({(s['recall@5'] - s['baseline_recall@5']) * 100:+.1f})")
    return lines
