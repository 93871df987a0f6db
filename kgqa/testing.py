"""Deterministic fakes shipped with the package, for fast offline tests of code built on kgqa.

Vectors come from hashes of character n-grams, never from a random generator, so the
same text always gets the same vector and texts sharing words land near each other.

>>> e = FakeEmbedder(dim=16)
>>> bool((e.embed(["自注意力"], "query") == e.embed(["自注意力"], "query")).all())
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from kgqa.index.embed import Kind


class FakeEmbedder:
    """Bag of hashed character bigrams (and lower-cased ASCII words), L2-normalised."""

    def __init__(self, dim: int = 64, model_id: str = "fake-hash-embedder") -> None:
        self.dim = dim
        self.model_id = model_id
        self.calls: list[int] = []  # batch sizes seen, so tests can count embedding work

    def _features(self, text: str) -> list[str]:
        t = text.lower()
        feats = [t[i : i + 2] for i in range(max(len(t) - 1, 1))]
        feats += [w for w in "".join(c if c.isascii() and c.isalnum() else " " for c in t).split()]
        return feats

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
                idx = int.from_bytes(h[:4], "little") % self.dim
                sign = 1.0 if h[4] & 1 else -1.0
                out[row, idx] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out
