"""Surface forms -> concept keys, and a longest-match linker over any text.

Matching is case- and width-insensitive (see :func:`kgqa.graph.text.normalise`); an ASCII
surface only matches on word boundaries, so ``PE`` never fires inside ``Performer``.
Scanning is left to right, longest surface first, so ``旋转位置编码`` beats ``位置编码``.
English surfaces also match in other inflections (Snowball stems, word by word), so
``deploying`` finds ``deployment`` and ``layer normalisation`` finds ``Layer Normalization``.

>>> lex = Lexicon({"位置编码": "positional-encoding", "旋转位置编码": "rope", "RoPE": "rope"})
>>> [(m.key, m.surface) for m in lex.link("ＲｏＰＥ即旋转位置编码")]
[('rope', 'ＲｏＰＥ'), ('rope', '旋转位置编码')]
>>> [m.key for m in Lexicon({"deployment": "deployment"}).link("Before deploying it")]
['deployment']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from kgqa.graph.termhood import is_stopword
from kgqa.graph.text import normalise, normalise_with_map
from kgqa.text import english_stems, is_cjk


@dataclass(frozen=True)
class Mention:
    key: str
    surface: str
    start: int
    end: int


def _wordish(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


_WORD = re.compile(r"[A-Za-z]+")
_ACRONYM = re.compile(r"[A-Z]{2,}[0-9]?")
MAX_WORDS = 4


@lru_cache(maxsize=65536)
def _word_bounds(text: str) -> frozenset[int]:
    """The offsets where jieba's words of ``text`` start and end (no HMM: an unknown run splits into single
    characters, so only words of its dictionary can hide a boundary)."""
    import jieba

    bounds, at = {0}, 0
    for word in jieba.dt.cut(text, HMM=False):
        at += len(word)
        bounds.add(at)
    return frozenset(bounds)


def _on_word_bounds(text: str, start: int, end: int) -> bool:
    """Whether a Chinese name found at ``text[start:end]`` starts and ends where words do: 新界面 is no name in
    全新界面 (全新 | 界面), nor 工具 in 工具箱; 注意力 in 自注意力机制 (自 | 注意力 | 机制) is.

    >>> _on_word_bounds("全新界面", 1, 4), _on_word_bounds("自注意力机制", 1, 4)
    (False, True)
    """
    if not (is_cjk(text[start]) or is_cjk(text[end - 1])):
        return True
    bounds = _word_bounds(text)
    return (not is_cjk(text[start]) or start in bounds) and (not is_cjk(text[end - 1]) or end in bounds)


def stem_key(words: Iterable[str]) -> str:
    """``["Deploying", "models"]`` -> ``"deploy model"``."""
    return " ".join(english_stems([w.lower() for w in words]))


class Lexicon:
    """An immutable surface table. Build once per graph; ``link`` is a single left-to-right scan."""

    def __init__(self, surfaces: Mapping[str, str]) -> None:
        table: dict[str, str] = {}
        for surface, key in sorted(surfaces.items()):
            norm = normalise(surface)
            if len(norm) >= 2 or (norm and not norm.isascii()):
                table.setdefault(norm, key)
        self._table = table
        lengths: dict[str, set[int]] = {}
        for norm in table:
            lengths.setdefault(norm[0], set()).add(len(norm))
        self._lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}
        stems: dict[str, str] = {}
        for surface, key in sorted(surfaces.items()):
            words = surface.split()
            if surface.isascii() and all(_WORD.fullmatch(w) for w in words) and 0 < len(words) <= MAX_WORDS:
                # short acronyms only match exactly, and so does a name that opens on a function word of English
                # (the else clause, a while loop: "while looping" names no loop)
                if len(surface) > 3 and not (len(words) > 1 and is_stopword(words[0])):
                    stems.setdefault(stem_key(words), key)
        self._stems = stems
        # an acronym's plural is the acronym with a lower-case s (RNNs, GPUs)
        self._acronyms = {normalise(s) for s in surfaces if _ACRONYM.fullmatch(s)}

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Lexicon:
        return cls(dict(pairs))

    def __contains__(self, surface: str) -> bool:
        return normalise(surface) in self._table

    def get(self, surface: str) -> str | None:
        return self._table.get(normalise(surface))

    def surfaces(self) -> dict[str, str]:
        return dict(self._table)

    def link(self, text: str) -> list[Mention]:
        """Every non-overlapping mention in ``text``, longest first, with offsets into ``text``."""
        norm, index = normalise_with_map(text)
        out: list[Mention] = []
        i, n = 0, len(norm)
        while i < n:
            hit = self._match_at(norm, i)
            if hit is None:
                i += 1
                continue
            length, key = hit
            start, end = index[i], index[i + length - 1] + 1
            while start > 0 and text[start - 1] == "_":  # the underscores that open a name are part of it
                start -= 1
            out.append(Mention(key, text[start:end], start, end))
            i += length
        return sorted(out + self._stem_mentions(text, out), key=lambda m: m.start)

    def _stem_mentions(self, text: str, taken: list[Mention]) -> list[Mention]:
        """English word sequences (up to MAX_WORDS) whose stems match a surface's, outside ``taken``."""
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        if not words or not self._stems:
            return []
        stems = english_stems([w.lower() for _, _, w in words])
        free = [not any(t.start < e and s < t.end for t in taken) for s, e, _ in words]
        found: list[Mention] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                span = words[i : i + n]
                if not all(free[i : i + n]) or text[span[0][0] : span[-1][1]].count("\n"):
                    continue
                key = self._stems.get(" ".join(stems[i : i + n]))
                if key is not None:
                    found.append(Mention(key, text[span[0][0] : span[-1][1]], span[0][0], span[-1][1]))
                    i += n
                    break
            else:
                i += 1
        return found

    def _match_at(self, norm: str, i: int) -> tuple[int, str] | None:
        ch = norm[i]
        if _wordish(ch) and i > 0 and _wordish(norm[i - 1]):
            return None
        for length in self._lengths.get(ch, ()):
            if i + length > len(norm):
                continue
            cand = norm[i : i + length]
            key = self._table.get(cand)
            if key is None or not _on_word_bounds(norm, i, i + length):
                continue
            after = norm[i + length] if i + length < len(norm) else ""
            if _wordish(cand[-1]) and after and _wordish(after):
                if after == "s" and cand in self._acronyms and not _wordish(norm[i + length + 1 : i + length + 2]):
                    return length + 1, key
                continue
            return length, key
        return None
