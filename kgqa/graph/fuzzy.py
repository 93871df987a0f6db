"""Typos in a question: a word one edit away from a word of a concept's name, read as that word.

Questions are typed in haste (``dictionery``, ``label smothing``, ``知识蒸留``, ``束搜素``). Before a question is
linked, each word that is no word of the language and lies one edit from a word of some concept name is
replaced by it; a Chinese run of three or more characters that differs from a concept name in one character
(never the first) and is no word of jieba's dictionary is replaced by that name. The linker then reads the
corrected text, and each mention is mapped back to the question's own characters.

>>> c = Corrector(["dictionary", "label smoothing", "知识蒸馏"])
>>> c.correct("what are dictionery keys")[0]
'what are dictionary keys'
>>> c.correct("知识蒸留里的温度")[0]
'知识蒸馏里的温度'
>>> Corrector(["GIMP"]).correct("gmip 是啥的缩写")[0]  # a short name: two neighbouring letters swapped only
'gimp 是啥的缩写'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kgqa.text import in_case_of, is_cjk, swaps
from kgqa.tuning import LINKING

_LATIN = re.compile(r"[A-Za-z]+")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours turns ``a`` into ``b``."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@lru_cache(maxsize=4096)
def _is_english_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= LINKING.typo_max_zipf


def _is_chinese_word(run: str) -> bool:
    import jieba

    return run in jieba.dt.FREQ and jieba.dt.FREQ[run] > 0


class Corrector:
    """Indexes the words of concept names for one-edit look-ups."""

    def __init__(self, names: Iterable[str]) -> None:
        self._latin: dict[str, set[str]] = {}
        self._swaps: dict[str, set[str]] = {}  # shorter words: two neighbouring letters swapped only (gmip)
        self._cjk: dict[str, set[str]] = {}
        self._lengths: set[int] = set()
        for name in names:
            low = name.lower()
            for w in _LATIN.findall(low):
                if len(w) >= LINKING.typo_min_latin:
                    for key in {w, *_deletions(w)}:
                        self._latin.setdefault(key, set()).add(w)
                elif len(w) >= LINKING.typo_swap_min_latin:
                    for swapped in swaps(w):
                        self._swaps.setdefault(swapped, set()).add(w)
            for run in re.findall(r"[\u4e00-\u9fff]+", name):
                if len(run) >= LINKING.typo_min_cjk:
                    self._lengths.add(len(run))
                    for i in range(1, len(run)):
                        self._cjk.setdefault(run[:i] + "?" + run[i + 1 :], set()).add(run)
        self._names = {n.lower() for n in names}

    def _latin_fix(self, word: str) -> str:
        low = word.lower()
        if low in self._names or _is_english_word(low):
            return ""
        if len(low) < LINKING.typo_min_latin:
            swapped = self._swaps.get(low, set())
            return next(iter(swapped)) if len(swapped) == 1 else ""
        found = {w for key in {low, *_deletions(low)} for w in self._latin.get(key, ()) if _one_edit(low, w)}
        return found.pop() if len(found) == 1 else ""

    def _cjk_fix(self, text: str, i: int, taken: list[tuple[int, int]]) -> tuple[int, str]:
        for n in sorted(self._lengths, reverse=True):
            run = text[i : i + n]
            if len(run) < n or not all(is_cjk(c) for c in run) or any(a < i + n and i < b for a, b in taken):
                continue
            if run in self._names or _is_chinese_word(run):
                continue
            found = {s for j in range(1, n) for s in self._cjk.get(run[:j] + "?" + run[j + 1 :], ())}
            if len(found) == 1:
                return n, found.pop()
        return 0, ""

    def correct(self, text: str, taken: list[tuple[int, int]] | None = None) -> tuple[str, list[int]]:
        """The text with its typos replaced, and for each of its characters the offset it came from. Spans in
        ``taken`` (what the linker already found) are left as they are."""
        taken = taken or []
        out: list[str] = []
        index: list[int] = []
        i = 0
        while i < len(text):
            m = _LATIN.match(text, i) if (i == 0 or not text[i - 1].isalpha()) else None
            if m and not any(a < m.end() and m.start() < b for a, b in taken):
                fix = self._latin_fix(m.group(0))
                if fix:
                    fix = in_case_of(m.group(0), fix)  # the letters mended, the case as typed (GGEL -> GEGL)
                    out.append(fix)
                    index += [min(i + k, m.end() - 1) for k in range(len(fix))]
                    i = m.end()
                    continue
            n, fix = self._cjk_fix(text, i, taken) if is_cjk(text[i]) else (0, "")
            if n:
                out.append(fix)
                index += range(i, i + n)
                i += n
                continue
            out.append(text[i])
            index.append(i)
            i += 1
        return "".join(out), index
