"""What retrieval reads of a question: the question as asked, less the words that carry no content, with
colloquial question words in their standard form and Latin-script slips mended against the corpus.

A filler (请问, 啊, um, please), a colloquial question word (啥 for 什么) or a typo (perfromance) changes
nothing about what is asked, so it must not move the passages found or the sentences quoted. The user's own
text is kept as asked (``QueryPart.text``); only what the channels and the composer read changes.

>>> plain("请问gimp 是啥的缩写啊")
'gimp 是什么的缩写'
>>> plain("um, how do I exit please?")
'how do I exit?'
>>> Speller(["performance", "tools"]).correct("what tools are there for measuring perfromance?")
'what tools are there for measuring performance?'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from kgqa.text import in_case_of, swaps
from kgqa.tuning import SPELLING

# polite openers of a Chinese question ("may I ask"): they introduce the question and say nothing of it
_ZH_OPENER = re.compile(r"^\s*(?:请问一下|请问|想问一下|想问下|请教一下|问一下|问下)[，,：:\s]*")
# modal particles that end a Chinese clause (啊, 呢, 吧 ...): tone, not content. 吗 marks a yes/no question and
# stays. A particle counts only as a word of its own (酒吧 and 干嘛 are words), see ``_drop_particles``
_ZH_PARTICLES = frozenset("啊呀呢吧嘛啦哦哈呗哇")
_CLAUSE_END = re.compile(r"\s*(?:[，,。.？?！!；;：:…]|$)")
# English hesitation sounds that open a question, and "please" anywhere
_EN_OPENER = re.compile(r"^\s*(?:u+m+|u+h+|e+r+m*|h+m+|uhm)\b[,.\s]*", re.I)
_EN_PLEASE = re.compile(r"(?:\s*,)?\s*\bplease\b\s*,?", re.I)
# colloquial question words, and the standard ones they stand for (为啥 becomes 为什么 through 啥)
_COLLOQUIAL = (("啥", "什么"), ("咋", "怎么"))
# a Latin word that is no part of an identifier (snake_case, dotted names, calls, versions) nor of a longer
# run of letters and digits
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_.\-])[A-Za-z]+(?![A-Za-z0-9_(\-]|\.[A-Za-z0-9_])")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _drop_particles(text: str) -> str:
    """Drop the modal particles that end a clause, when the dictionary cut makes each a word of its own."""
    if not any(c in _ZH_PARTICLES for c in text):
        return text
    out: list[str] = []
    pos = 0
    for token in _jieba().lcut(text, HMM=False):
        pos += len(token)
        if token in _ZH_PARTICLES and _CLAUSE_END.match(text, pos):
            continue
        out.append(token)
    return "".join(out)


def drop_fillers(text: str) -> str:
    """``text`` without polite openers, hesitation sounds, "please" and clause-final modal particles; the text
    itself when nothing else would be left.

    >>> drop_fillers("按钮图标那种呢？"), drop_fillers("附近有酒吧"), drop_fillers("How do I exit, please?")
    ('按钮图标那种？', '附近有酒吧', 'How do I exit?')
    """
    out = _ZH_OPENER.sub("", text, count=1)
    out = _EN_OPENER.sub("", out, count=1)
    out = _EN_PLEASE.sub(" ", out)
    out = re.sub(r"\s+(?=[?？!！.。,，])", "", out)
    out = _drop_particles(out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out if re.search(r"\w", out) else text


def standard_question_words(text: str) -> str:
    """Colloquial Chinese question words in their standard form (啥 -> 什么, 咋 -> 怎么).

    >>> standard_question_words("为啥咋办")
    '为什么怎么办'
    """
    for colloquial, standard in _COLLOQUIAL:
        text = text.replace(colloquial, standard)
    return text


def plain(text: str) -> str:
    """Fillers dropped and question words standardised: what a question says, read plainly."""
    return standard_question_words(drop_fillers(text))


@lru_cache(maxsize=4096)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@lru_cache(maxsize=1)
def _english() -> tuple[list[str], dict[str, float]]:
    """The words of general English at least as common as ``SPELLING.ordinary_zipf`` (about 26,000 of four
    letters or more), sorted, with their frequencies."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (SPELLING.ordinary_zipf - 9)  # Zipf is log10 of the frequency per billion words
    freq = {w: f for w, f in get_frequency_dict("en").items()
            if f >= floor and w.isascii() and w.isalpha() and len(w) >= SPELLING.swap_min_length}
    return sorted(freq), freq


def prepare() -> None:
    """Load general English's word list now (0.3 s), not when a question first holds a word the corpus lacks."""
    _english()


def _closest(w: str, words: list[str]) -> list[tuple[str, int]]:
    """The words within the edits a slip of ``w`` may make (see ``Speller``), closest first."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    limit = 2 if len(w) >= SPELLING.two_edits_min_length else 1
    found = process.extract(w, words, scorer=DamerauLevenshtein.distance, score_cutoff=2, limit=None)
    near = [(c, int(d)) for c, d, _ in found if d <= limit]
    if not near:  # the letters of a word in another order, the first kept: two swaps (vitraul, virtual)
        near = [(c, int(d)) for c, d, _ in found if c[0] == w[0] and sorted(c) == sorted(w)]
    best = min((d for _, d in near), default=0)
    return [(c, d) for c, d in near if d == best]


def _plain_case(word: str) -> bool:
    """Written in lower case or capitalised: an acronym or a CamelCase name (QLoRA, vLLM) is a name as written,
    never a slip of a common word (flora)."""
    return word[1:].islower()


class Speller:
    """Mends the Latin words of a question that are slips of a word: two letters swapped (gmip, perfromance),
    one letter left out, added or changed (frezee), two in a long word (redistirbution), or a word's letters
    in another order (vitraul for virtual). The corpus's own words come first; a word general English has never
    seen (a typo, not a rare name: pytest and numpy have been seen), written in lower case or capitalised, may
    also be mended to a common English word, the most frequent of the closest. A word the corpus has, a word
    of general English, and a word equally near several corpus words are left as written."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.words = sorted({t for t in vocabulary if t.isascii() and t.isalpha() and len(t) > 2})
        self.known = frozenset(self.words)
        self._mended: dict[str, str | None] = {}

    def mend(self, word: str) -> str | None:
        """The word ``word`` is a slip of, lower-cased; None when it is none (or several corpus words alike)."""
        w = word.lower()
        if len(w) < SPELLING.swap_min_length or w in self.known or w.rstrip("s") in self.known:
            return None
        if word not in self._mended:  # by the word as written: its case decides whether it may be a name
            if len(self._mended) >= SPELLING.cache_size:
                self._mended.clear()
            self._mended[word] = None if _zipf(w) >= SPELLING.ordinary_zipf else self._nearest(word)
        return self._mended[word]

    def _nearest(self, word: str) -> str | None:
        w = word.lower()
        swapped = sorted({t for t in swaps(w) if t in self.known})
        if swapped or len(w) < SPELLING.edit_min_length or not _plain_case(word):
            # an acronym or a CamelCase name is mended only by two letters swapped back (GDFL): one letter more
            # or less makes another name (QLoRA is no slip of LoRA)
            return swapped[0] if len(swapped) == 1 else None
        ours = _closest(w, self.words)
        if ours:
            return ours[0][0] if len(ours) == 1 else None
        if _zipf(w) > 0:
            return None
        words, freq = _english()
        theirs = _closest(w, words)
        return max(theirs, key=lambda cd: (freq[cd[0]], cd[0]))[0] if theirs else None

    def correct(self, text: str) -> str:
        """``text`` with every mendable Latin word replaced, in the case it was written in."""

        def fix(m: re.Match[str]) -> str:
            word = m.group()
            mended = self.mend(word)
            return word if mended is None else in_case_of(word, mended)

        return _LATIN_WORD.sub(fix, text)
