"""Evaluation metrics as pure functions on plain data: spans, ranks, citations, abstention flags, latencies.

A retrieved unit is the tuple of character spans it stands for (a chunk's own span plus the places its
duplicated text also occurs); it is relevant to a gold quote when one of those spans covers one of the quote's
occurrences in the same document.

>>> g = Gold("d", "abc", ((10, 13),))
>>> first_relevant_rank([(("d", 0, 5),), (("d", 8, 20),)], (g,))
2
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Span = tuple[str, int, int]  # (doc_id, start, end), end exclusive
Retrieved = tuple[Span, ...]  # every span one ranked result stands for


@dataclass(frozen=True)
class Gold:
    """One acceptable piece of evidence: a quote and every place it occurs in its document."""

    doc_id: str
    quote: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Cited:
    """The parts of a citation the metrics look at."""

    doc_id: str
    start: int
    end: int
    quote: str


@dataclass
class ItemResult:
    """What one system or baseline did on one dev-set item. ``ranks`` has one entry per gold part."""

    id: str
    language: str
    type: str
    split: str
    answerable: bool
    ranks: list[int | None] = field(default_factory=list)
    cited_ok: bool | None = None
    cited_chars: int | None = None
    abstained: bool | None = None
    latency_ms: float | None = None


# ---------------------------------------------------------------- retrieval


def covers(retrieved: Retrieved, gold: Gold) -> bool:
    """True when a span of ``retrieved`` contains an occurrence of the gold quote.

    >>> covers((("d", 0, 50),), Gold("d", "xy", ((10, 12),)))
    True
    >>> covers((("d", 11, 50),), Gold("d", "xy", ((10, 12),)))
    False
    """
    return any(
        doc == gold.doc_id and start <= gs and ge <= end
        for doc, start, end in retrieved
        for gs, ge in gold.spans
    )


def first_relevant_rank(ranked: Sequence[Retrieved], golds: Sequence[Gold]) -> int | None:
    """1-based rank of the first result covering any of ``golds`` (alternatives), or None."""
    for rank, retrieved in enumerate(ranked, start=1):
        if any(covers(retrieved, g) for g in golds):
            return rank
    return None


def part_ranks(ranked: Sequence[Retrieved], parts: Sequence[Sequence[Gold]]) -> list[int | None]:
    """The first relevant rank for every part of a question (one part unless it is multi-part)."""
    return [first_relevant_rank(ranked, part) for part in parts]


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of a question's parts found in the top ``k`` (1.0 or 0.0 for a one-part question).

    >>> recall_at([1, 7], 5)
    0.5
    """
    if not ranks:
        raise ValueError("recall needs at least one part; out-of-corpus items have no ranks")
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def reciprocal_rank(ranks: Sequence[int | None], k: int = 10) -> float:
    """Mean over the parts of 1/rank, counting ranks beyond ``k`` (or missing) as 0.

    >>> reciprocal_rank([2, None])
    0.25
    """
    if not ranks:
        raise ValueError("reciprocal rank needs at least one part")
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks)


# ---------------------------------------------------------------- citations


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters shared by two half-open ranges."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def citation_matches(cited: Cited, gold: Gold, min_share: float = 0.5) -> bool:
    """The quote contains the gold text, or its span overlaps a gold occurrence by >= ``min_share`` of it.

    >>> citation_matches(Cited("d", 0, 9, "the abc x"), Gold("other", "abc", ((0, 3),)))
    True
    >>> citation_matches(Cited("d", 11, 30, "..."), Gold("d", "abcd", ((9, 13),)))
    True
    """
    if gold.quote in cited.quote:
        return True
    need = min_share * len(gold.quote)
    return cited.doc_id == gold.doc_id and any(
        overlap((cited.start, cited.end), span) >= need for span in gold.spans
    )


def citation_hit(citations: Sequence[Cited], parts: Sequence[Sequence[Gold]]) -> bool:
    """Every part of the question is supported by some citation (no citations: a miss)."""
    if not parts:
        raise ValueError("citation hit is defined for answerable questions only")
    return all(any(citation_matches(c, g) for c in citations for g in part) for part in parts)


def items_cited(citations: Sequence[Cited], expected: Sequence[Gold]) -> float:
    """Share of the expected elements (of a relation or enumeration answer) some citation supports.

    >>> items_cited([Cited("d", 0, 5, "a b c")], [Gold("d", "a", ((0, 1),)), Gold("d", "z", ((40, 41),))])
    0.5
    """
    if not expected:
        raise ValueError("items cited is defined for items with expected elements only")
    return sum(1 for g in expected if any(citation_matches(c, g) for c in citations)) / len(expected)


def name_key(name: str) -> str:
    """A concept name compared loosely: NFKC, case, spaces, hyphens, underscores and a plural s ignored.

    >>> name_key("Self-Attention") == name_key("self attention") == name_key("Self attentions")
    True
    """
    import unicodedata

    key = "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())
    return key[:-1] if len(key) > 3 and key.endswith("s") and key.isascii() else key


def concepts_found(wanted: Sequence[Sequence[str]], shown: Iterable[Iterable[str]]) -> float:
    """Share of the question's concepts (each given by alternative names) that match a name of some concept
    the answer shows (its own concepts and the related ones, each given by all its names).

    >>> concepts_found([["注意力机制", "attention"], ["softmax"]], [["Attention", "注意力"], ["GELU"]])
    0.5
    """
    if not wanted:
        raise ValueError("concepts found is defined for items with annotated concepts only")
    names = {name_key(n) for concept in shown for n in concept if n}
    return sum(1 for alts in wanted if any(name_key(a) in names for a in alts)) / len(wanted)


def cited_chars(citations: Iterable[Cited]) -> int:
    return sum(len(c.quote) for c in citations)


# ---------------------------------------------------------------- abstention and summaries


def abstention_prf(predicted: Sequence[bool], gold: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 with "abstained" as the positive class (gold: out of corpus).

    An empty denominator gives 0.0, except precision with no positives at all, which is 1.0 by convention
    only when there were also no gold positives.

    >>> abstention_prf([True, True, False], [True, False, False])
    {'precision': 0.5, 'recall': 1.0, 'f1': 0.6667}
    """
    if len(predicted) != len(gold):
        raise ValueError(f"predicted and gold differ in length: {len(predicted)} != {len(gold)}")
    tp = sum(1 for p, g in zip(predicted, gold, strict=True) if p and g)
    n_pred, n_gold = sum(predicted), sum(gold)
    precision = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in [0, 100].

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be in [0, 100], got {q}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarise(results: Sequence[ItemResult]) -> dict[str, object]:
    """The headline numbers for one group of items; a metric is None when the group has nothing to measure."""
    answerable = [r for r in results if r.answerable]
    ranked = [r for r in answerable if r.ranks]
    out: dict[str, object] = {
        "items": len(results),
        "answerable": len(answerable),
        "recall@1": _mean([recall_at(r.ranks, 1) for r in ranked]),
        "recall@5": _mean([recall_at(r.ranks, 5) for r in ranked]),
        "mrr@10": _mean([reciprocal_rank(r.ranks, 10) for r in ranked]),
    }
    cited = [r for r in answerable if r.cited_ok is not None]
    if cited:
        out["citation_hit_rate"] = _mean([1.0 if r.cited_ok else 0.0 for r in cited])
        chars = [r.cited_chars for r in cited if r.cited_chars is not None and not r.abstained]
        out["median_cited_chars"] = statistics.median(chars) if chars else None
    judged = [r for r in results if r.abstained is not None]
    if judged:
        # P/R/F1 mean little in a group with no out-of-corpus question: there, report how often it gave up
        out["abstained_share"] = round(sum(1 for r in judged if r.abstained) / len(judged), 4)
        if any(not r.answerable for r in judged):
            predicted = [bool(r.abstained) for r in judged]
            out["abstention"] = abstention_prf(predicted, [not r.answerable for r in judged])
    times = [r.latency_ms for r in results if r.latency_ms is not None]
    if times:
        out["latency_ms"] = {"p50": round(percentile(times, 50), 2), "p95": round(percentile(times, 95), 2)}
    return out


def breakdown(
    results: Sequence[ItemResult], key: Callable[[ItemResult], str], groups: Sequence[str] | None = None
) -> dict[str, dict[str, object]]:
    """``summarise`` overall and per group (e.g. per language, per split, per type)."""
    names = list(groups) if groups is not None else sorted({key(r) for r in results})
    table = {"all": summarise(results)}
    for name in names:
        table[name] = summarise([r for r in results if key(r) == name])
    return table
