"""The corpus's own words, and the words of a question that are slips of them: a typo (transfomer), a character of
the same sound (格试 for 格式), a character left out (解器 for 解码器). ``answer/abstain.py`` counts a slip of a
known word as known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kgqa.text import swaps
from kgqa.tuning import DECIDE

_CJK = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Coverage:
    """What the corpus contains: its lower-cased text (for Chinese words) and its keyword vocabulary."""

    text: str
    tokens: frozenset[str]
    # the corpus's words that most passages contain: its subject (``BM25Index.frequent_words``)
    subject: frozenset[str] = frozenset()

    def latin_tokens(self) -> list[str]:
        """The corpus's Latin-script keywords (computed once), for typo matching."""
        cached = self.__dict__.get("_latin")
        if cached is None:
            cached = sorted(t for t in self.tokens if t.isascii() and t.isalpha() and len(t) > 2)
            object.__setattr__(self, "_latin", cached)
        return cached

    def cjk_tokens_by_sound(self) -> dict[str, list[str]]:
        """The corpus's Chinese keywords of two or more characters, keyed by their toneless pinyin."""
        cached = self.__dict__.get("_sound")
        if cached is None:
            cached = {}
            for t in sorted(self.tokens):
                if len(t) >= 2 and _CJK.match(t):
                    cached.setdefault(_sound(t), []).append(t)
            object.__setattr__(self, "_sound", cached)
        return cached

    def cjk_tokens_by_ends(self) -> dict[tuple[str, str, int], list[str]]:
        """The corpus's Chinese keywords of three or more characters, keyed by (first, last character, length)."""
        cached = self.__dict__.get("_ends")
        if cached is None:
            cached = {}
            for t in sorted(self.tokens):
                if len(t) >= 3 and _CJK.match(t):
                    cached.setdefault((t[0], t[-1], len(t)), []).append(t)
            object.__setattr__(self, "_ends", cached)
        return cached

    def cjk_pairs_by_first(self) -> dict[str, list[tuple[str, list[str]]]]:
        """The corpus's two-character Chinese keywords by their first character, each with its syllables
        (computed once, in ``cjk_tokens_by_sound`` order), for one-character-off matching."""
        cached = self.__dict__.get("_pairs")
        if cached is None:
            cached = {}
            for key, ts in self.cjk_tokens_by_sound().items():
                for t in ts:
                    if len(t) == 2:
                        cached.setdefault(t[0], []).append((t, key.split()))
            object.__setattr__(self, "_pairs", cached)
        return cached

    def prepare(self) -> None:
        """Work out now what the first questions would otherwise work out (the keyword lists above, which
        read every keyword of the corpus, and the corpus's languages), so that no user waits for it."""
        self.latin_tokens()
        self.cjk_pairs_by_first()
        self.cjk_tokens_by_ends()
        _ = self.is_chinese, self.writes_english

    @property
    def is_chinese(self) -> bool:
        """Whether the corpus is written (partly) in Chinese: only then can a Chinese word be missing from it."""
        cached = self.__dict__.get("_chinese")
        if cached is None:
            sample = self.text[:200_000]
            cached = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff") > DECIDE.min_cjk_share * max(1, len(sample))
            object.__setattr__(self, "_chinese", cached)
        return bool(cached)

    @property
    def writes_english(self) -> bool:
        """Whether the corpus is written mainly in English: only then does a rare English word it lacks say that
        it lacks the subject (a Chinese corpus may write the same word only in Chinese: decoder, 解码器)."""
        cached = self.__dict__.get("_english")
        if cached is None:
            sample = self.text[:200_000]
            cjk = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
            words = len(_LATIN_WORD.findall(sample))
            cached = words > DECIDE.min_english_word_share * (words + cjk / DECIDE.cjk_chars_per_word)
            object.__setattr__(self, "_english", cached)
        return bool(cached)

    def knows_latin(self, word: str) -> bool:
        w = word.lower()
        return (w in self.tokens or w.rstrip("s") in self.tokens or (len(w) > 5 and w in self.text)
                or self.spells_out(word) or self.writes_apart(w))

    def writes_apart(self, word: str) -> bool:
        """Whether the corpus writes a compound as two words (fullscreen: full screen, full-screen)."""
        if len(word) < 6 or not word.isalpha():
            return False
        # both halves must be words of the corpus before its text is searched for the pair
        return any(f"{word[:i]}{sep}{word[i:]}" in self.text for i in range(3, len(word) - 2)
                   if word[:i] in self.tokens and word[i:] in self.tokens for sep in " -")

    def spells_out(self, acronym: str) -> bool:
        """Whether the corpus writes out an acronym as words whose initials spell it (GFDL: GNU Free
        Documentation License), so that the acronym itself need not occur."""
        if not (2 <= len(acronym) <= 6 and acronym.isupper() and acronym.isalpha()):
            return False
        return _spelled_out(self.text, acronym.lower())


@lru_cache(maxsize=1024)
def _spelled_out(text: str, acronym: str) -> bool:
    words = r"[\s\-]+".join(rf"{re.escape(c)}[a-z0-9]*" for c in acronym)
    return re.search(rf"(?<![a-z0-9]){words}(?![a-z0-9])", text) is not None


@lru_cache(maxsize=4096)


def _sound(word: str) -> str:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(word))


def is_homophone_of_known(word: str, coverage: Coverage) -> bool:
    """A Chinese word typed with the wrong character of the same sound (格试 for 格式), the usual slip of a
    pinyin input method, or a longer word one character off a word of the corpus (束搜素 for 束搜索)."""
    if len(word) < 2:
        return False
    by_sound = coverage.cjk_tokens_by_sound()
    sound = _sound(word)
    if sound in by_sound:
        return True
    if len(word) == 2:
        # one character off, with the same initial sound (搜素 for 搜索: s-u / s-uo)
        want = sound.split()
        return any(t != word and syllables[1][:1] == want[1][:1]
                   for t, syllables in coverage.cjk_pairs_by_first().get(word[0], ()))
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    same_length = [t for ts in by_sound.values() for t in ts if len(t) == len(word)]
    return process.extractOne(word, same_length, scorer=Levenshtein.distance, score_cutoff=1) is not None


def is_short_of_known(word: str, coverage: Coverage) -> bool:
    """A Chinese word written one character short of a word of the corpus, its first and last characters kept
    (解器 for 解码器, 简体文版 for 简体中文版): a character left out while typing. A keyword of the corpus, or for
    three characters or more, any run of its text.

    >>> is_short_of_known("解器", Coverage("解码器", frozenset({"解码器"})))
    True
    """
    if len(word) < 2 or not _CJK.match(word):
        return False
    for t in coverage.cjk_tokens_by_ends().get((word[0], word[-1], len(word) + 1), ()):
        if any(t[:i] + t[i + 1:] == word for i in range(1, len(t) - 1)):
            return True
    if len(word) < DECIDE.short_text_min_length:
        return False
    gaps = "|".join(re.escape(word[:i]) + "[\u4e00-\u9fff]" + re.escape(word[i:]) for i in range(1, len(word)))
    return re.search(gaps, coverage.text) is not None


def is_typo_of_known(word: str, coverage: Coverage) -> bool:
    """A misspelling (one edit, two for long words) of a word the corpus has: transfomer -> transformer. A
    shorter word counts only with two neighbouring letters swapped, the commonest slip (gmip, GDFL)."""
    w = word.lower()
    if len(w) < DECIDE.typo_min_length:
        swapped = swaps(w) if len(w) >= DECIDE.swap_min_length else []
        return any(t in coverage.tokens for t in swapped) or (word.isupper() and any(
            coverage.spells_out(t.upper()) for t in swapped))
    if not coverage.tokens:
        return False
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    limit = 2 if len(w) >= DECIDE.typo_long_length else 1
    found = process.extractOne(w, coverage.latin_tokens(), scorer=DamerauLevenshtein.distance, score_cutoff=limit)
    return found is not None
