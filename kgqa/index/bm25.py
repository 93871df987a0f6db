"""Keyword index: BM25 (bm25s) over jieba tokens, English words by their stems.

English terms inside Chinese text survive as whole lower-cased tokens, and jieba's
search mode adds the sub-words of long Chinese words, so 自注意力机制 also matches 注意力.
The index scores English words by their Snowball stems (``terms``), so "environments" finds
"environment" and "creating" finds "create"; Chinese words and identifiers stay as they are.

>>> tokenize("自注意力使用LayerNorm和RoPE。")
['自', '注意', '注意力', '使用', 'layernorm', 'rope']
>>> terms(["virtual", "environments", "sys.path", "注意力"])
['virtual', 'environ', 'sys.path', '注意力']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from kgqa.text import english_stems

# the keyword index's terms: a change re-indexes every corpus (1: jieba tokens; 2: English words stemmed)
KEYWORD_VERSION = "2"
WORDS_FILE = "words.txt"  # the index's words as written (not stemmed), for the speller and the term check
_LATIN_WORD = re.compile(r"[a-z]+")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
STOPWORDS = frozenset(
    "的 了 和 是 在 与 及 或 等 中 对 为 将 把 被 从 到 以 并 而 也 就 都 这 那 这些 那些 一个 一种 可以 什么 如何 "
    "怎么 为什么 哪些 吗 呢 吧 请 之 其 它 它们 我们 你 "
    "the a an of to in on for is are and or what how why which".split()
)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _bm25s() -> Any:
    import bm25s

    # bm25s sets its logger to DEBUG when imported ("Building index from tokens" on every build): let it
    # follow the application's logging configuration instead
    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, punctuation and stopwords removed."""
    return list(_tokens(text))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    """``tokenize``, cached: answering cuts the same few passages for every question that retrieves them (their
    word coverage, the composer's keyword overlap), about a millisecond a passage."""
    out: list[str] = []
    for tok in _jieba().cut_for_search(text):
        t = tok.strip().lower()
        if t and not _PUNCT.match(t) and t not in STOPWORDS:
            out.append(t)
    return tuple(out)


def terms(tokens: Sequence[str]) -> list[str]:
    """What the index holds of ``tokens``: English words (letters only) by their stems, the rest as is."""
    latin = [i for i, t in enumerate(tokens) if _LATIN_WORD.fullmatch(t)]
    out = list(tokens)
    for i, stem in zip(latin, english_stems([tokens[i] for i in latin]), strict=True):
        out[i] = stem
    return out


@lru_cache(maxsize=1024)
def query_tokens(text: str) -> tuple[str, ...]:
    """``terms(tokenize(text))``, cached and immutable: a question's keyword text is scored, then its coverage
    read, so it would be cut twice (about a fifth of a millisecond each)."""
    return tuple(terms(tokenize(text)))


class BM25Index:
    """BM25 scores for every chunk, in the order the chunks were indexed."""

    def __init__(self, retriever: object, size: int, words: frozenset[str] | None = None) -> None:
        self._retriever = retriever
        self.size = size
        self._words = words

    @classmethod
    def build(cls, texts: Sequence[str]) -> BM25Index:
        bm25s = _bm25s()
        retriever = bm25s.BM25()
        tokens = [tokenize(t) or ["<empty>"] for t in texts]
        retriever.index([terms(t) for t in tokens], show_progress=False)
        return cls(retriever, len(texts), frozenset(w for t in tokens for w in t) - {"<empty>"})

    def scores(self, query: str) -> np.ndarray:
        tokens = list(query_tokens(query))
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)  # type: ignore[attr-defined]

    def coverage(self, query: str, index: int) -> float:
        """The share of the query's terms that chunk ``index`` contains, each term weighted by its rarity
        (log(1 + N / df); a term the corpus lacks weighs as one found in half a chunk).

        >>> BM25Index.build(["剪枝 去除 参数", "知识 蒸馏"]).coverage("剪枝 蒸馏", 0)
        0.5
        """
        tokens = sorted(set(query_tokens(query)))
        if not tokens or not 0 <= index < self.size:
            return 0.0
        total = found = 0.0
        for t in tokens:
            per_chunk = np.asarray(self._retriever.get_scores([t]))  # type: ignore[attr-defined]
            rarity = float(np.log1p(self.size / max(float(np.count_nonzero(per_chunk)), 0.5)))
            total += rarity
            found += rarity if per_chunk[index] > 0 else 0.0
        return found / total

    def frequent_words(self, share: float) -> frozenset[str]:
        """The corpus's words (as written, lower case) whose index term at least ``share`` of the chunks contain:
        the corpus's subject (gimp in the GIMP manual, 模型 in notes on language models), which says nothing about
        which passage a question is about.

        >>> sorted(BM25Index.build(["gimp 图层", "gimp 滤镜", "Python gimps", "python 图层"]).frequent_words(0.5))
        ['gimp', 'gimps', 'python', '图层']
        """
        scores = getattr(self._retriever, "scores", None)
        vocab = getattr(self._retriever, "vocab_dict", None)
        if not self.size or not scores or not vocab:
            return frozenset()
        counts = np.diff(np.asarray(scores["indptr"]))
        floor = share * self.size
        frequent = {t for t, i in vocab.items() if t and i < len(counts) and counts[i] >= floor}
        # an English word's term is its stem, mostly a prefix of it: only words sharing a stem's first letters
        # are stemmed to find the words of a frequent stem
        heads = tuple({t[:2] for t in frequent if _LATIN_WORD.fullmatch(t)})
        words = [w for w in self.vocabulary() if w in frequent or (heads and w.startswith(heads))]
        return frozenset(w for w, t in zip(words, terms(words), strict=True) if t in frequent)

    def vocabulary(self) -> frozenset[str]:
        """The corpus's words as the text writes them (lower case, not stemmed)."""
        if self._words is not None:
            return self._words
        return frozenset(getattr(self._retriever, "vocab_dict", {}) or {})

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder))  # type: ignore[attr-defined]
        (folder / "size").write_text(str(self.size))
        (folder / WORDS_FILE).write_text("\n".join(sorted(self.vocabulary())), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        words_file = folder / WORDS_FILE
        words = frozenset(words_file.read_text(encoding="utf-8").split("\n")) - {""} if words_file.exists() else None
        return cls(_bm25s().BM25.load(str(folder)), int((folder / "size").read_text()), words)
