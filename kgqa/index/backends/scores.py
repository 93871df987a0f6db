"""Each sentence's similarity to a question, for the chunks a question retrieved, served by the vector backend.

Answer composition and abstention both score the sentences of the same few chunks against the same question
vector; the last few lookups are kept so the backend is asked once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np

from kgqa.index.backends import VectorBackend

REMEMBERED = 32  # lookups kept: a multipart question makes one per part, and two readers share them

# a sentence the backend did not return scores as far from the question as a unit vector can be
MISSING = -1.0


def sentence_id(chunk_id: str, n: int) -> str:
    """The id of a chunk's ``n``-th sentence.

    >>> sentence_id("3f2a", 0)
    '3f2a#0'
    """
    return f"{chunk_id}#{n}"


class SentenceScores:
    """``scores(vector, chunk_ids)`` -> chunk id -> one similarity per sentence, in reading order."""

    def __init__(self, backend: VectorBackend, sentence_counts: Mapping[str, int]) -> None:
        self.backend = backend
        self.counts = sentence_counts
        self._recent: OrderedDict[tuple[bytes, tuple[str, ...]], dict[str, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def scores(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = tuple(sorted({c for c in chunk_ids if self.counts.get(c)}))
        key = (np.asarray(vector, dtype=np.float32).tobytes(), wanted)
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        out = {c: np.full(self.counts[c], MISSING, dtype=np.float32) for c in wanted}
        if wanted:
            total = sum(self.counts[c] for c in wanted)
            for sid, score in self.backend.search(vector, total, "sentence", chunk_ids=wanted):
                chunk, _, n = sid.rpartition("#")
                if chunk in out and n.isdigit() and int(n) < len(out[chunk]):
                    out[chunk][int(n)] = score
        with self._lock:
            self._recent[key] = out
            while len(self._recent) > REMEMBERED:
                self._recent.popitem(last=False)
        return out
