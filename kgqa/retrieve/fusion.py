"""Rank fusion and near-duplicate removal: pure functions on ranked id lists.

>>> rrf({"dense": ["a", "b"], "bm25": ["b", "c"]}, k=60)[0][0]
'b'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from kgqa.tuning import RETRIEVAL


def rrf(
    rankings: Mapping[str, Sequence[str]], k: int = RETRIEVAL.rrf_k, weights: Mapping[str, float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(id) = sum over channels of weight / (k + rank). Ties break by id."""
    scores: dict[str, float] = {}
    for channel, ids in rankings.items():
        w = (weights or {}).get(channel, 1.0)
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


@lru_cache(maxsize=65536)
def shingles(text: str, n: int = 3) -> frozenset[str]:
    """Character n-grams ignoring whitespace (cached: chunk texts recur across queries)."""
    t = "".join(text.split())
    return frozenset(t[i : i + n] for i in range(max(len(t) - n + 1, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@lru_cache(maxsize=65536)
def near_duplicates(a: str, b: str, threshold: float) -> bool:
    """``jaccard(shingles(a), shingles(b)) >= threshold``, cached: the candidates of one index are compared
    again by every question that retrieves them (a few hundred pairs per question), and each comparison of two
    passages' shingle sets costs about ten microseconds. The index is at most the ratio of the two sets' sizes,
    so sets whose sizes differ more than the threshold allows are not intersected.

    >>> near_duplicates("the cat sat on the mat", "the cat sat on the mat!", 0.8)
    True
    """
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return False
    small, large = sorted((len(sa), len(sb)))
    if small / large < threshold:  # |a & b| <= small and |a | b| >= large, and division rounds monotonically
        return False
    return jaccard(sa, sb) >= threshold


def drop_near_duplicates(items: Sequence[tuple[str, str]], threshold: float = 0.8) -> list[str]:
    """Keep the first of each group of near-identical texts. ``items`` = (id, text) best first."""
    kept: list[tuple[str, str]] = []
    for item_id, text in items:
        if not any(near_duplicates(text, other, threshold) for _, other in kept):
            kept.append((item_id, text))
    return [i for i, _ in kept]
