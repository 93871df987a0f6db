"""Which mined names are terms of the domain: a background of ordinary language decides.

A name is kept when the corpus uses it clearly more often than general language does (its *keyness*: the
corpus frequency over the general frequency, both on wordfreq's Zipf scale, for Chinese and English), and it
is not a stopword (stopwordsiso's lists for both languages). Names the text marks itself, a pair 中文（English）,
a bold or quoted name, an alias sentence, need less evidence than names found only as English words,
headings or list labels; a lone lower-case English word must also occur at least twice. Glossary concepts
always stay.

>>> bg = Background.of(["The module imports a module.", "Use the module and the function."])
>>> bg.keyness("module") > KEYNESS_WEAK, is_stopword("the"), is_stopword("下面")
(True, True, False)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kgqa.text import is_cjk

# Zipf units: 1.5 = the corpus uses the word about 30 times as often as general text does. Found by reading
# the concepts of the Python tutorial and the interview notes (dev corpora): "module" 2.9, "function" 1.9 and
# "argument" 1.6 stay; "example" 1.3, "name" 1.0 and "used" 0.6 go. Fitted by eye on those two corpora.
KEYNESS_WEAK = 1.5
# a name the text marks itself only has to be more frequent than in general text
KEYNESS_MARKED = 0.5
MIN_WEAK_COUNT = 2
WEAK_RULES = frozenset({"english", "heading", "list-label", "definition"})
_WORD = re.compile(r"[a-z][a-z0-9_]*")


@lru_cache(maxsize=2)
def stopwords(lang: str) -> frozenset[str]:
    import stopwordsiso

    return frozenset(w.lower() for w in stopwordsiso.stopwords(lang))


# acronyms, CamelCase and names with digits or inner capitals (RETRO, ResNet, Transformer-XL, FP16) are names,
# whatever the frequency of a look-alike word ("retro") in general text
_NAME_SHAPED = re.compile(r"^(?:[A-Z]{2,}[A-Za-z0-9]*|[A-Za-z]+[A-Z][A-Za-z0-9]*|[A-Za-z]*\d[A-Za-z0-9]*)$")


def is_name_shaped(name: str) -> bool:
    return any(_NAME_SHAPED.match(w) for w in re.split(r"[\s\-]+", name.strip()) if w)


@lru_cache(maxsize=65536)
def general_zipf(name: str) -> float:
    """How frequent ``name`` is in general text (wordfreq, Zipf scale); 0 for name-shaped words."""
    from wordfreq import zipf_frequency

    if is_name_shaped(name):
        return 0.0
    lang = "zh" if any(is_cjk(c) for c in name) else "en"
    return float(zipf_frequency(name, lang))


def is_stopword(name: str) -> bool:
    n = name.strip().lower()
    return n in stopwords("en") or n in stopwords("zh")


@dataclass(frozen=True)
class Background:
    """The corpus as counts: Latin words, and its lower-cased text for Chinese names and phrases.

    ``known`` holds the counts of names looked up in one pass (``primed``); a name not in it is counted by
    scanning the text, which costs the corpus's length for every name.
    """

    text: str
    words: Counter[str]
    size: float  # words, a CJK run counted as one word per 1.6 characters (the mean Chinese word length)
    known: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, sentences: Iterable[str]) -> Background:
        text = "\n".join(sentences).lower()
        words = Counter(_WORD.findall(text))
        cjk = sum(1 for c in text if is_cjk(c))
        return cls(text, words, max(1.0, sum(words.values()) + cjk / 1.6))

    def count(self, name: str) -> int:
        n = name.lower().strip()
        if _WORD.fullmatch(n):
            return self.words.get(n, 0)
        found = self.known.get(n)
        return self.text.count(n) if found is None else found

    def primed(self, names: Iterable[str]) -> Background:
        """The same background with the text counts of ``names`` found in one pass over the text.

        >>> Background.of(["注意力和自注意力", "哈哈哈哈"]).primed(["注意力", "哈哈", "无"]).known
        {'无': 0, '注意力': 2, '哈哈': 2}
        """
        wanted = {n for n in (x.lower().strip() for x in names) if n and not _WORD.fullmatch(n)}
        return replace(self, known={**self.known, **text_counts(self.text, wanted)})

    def keyness(self, name: str) -> float:
        """Corpus Zipf frequency minus general Zipf frequency (0 for a name the corpus never writes)."""
        n = self.count(name)
        if not n:
            return 0.0
        return math.log10(n / self.size * 1e9) - general_zipf(name.strip())


def _overlaps_itself(n: str) -> bool:
    return any(n[:i] == n[-i:] for i in range(1, len(n)))


def text_counts(text: str, names: Iterable[str]) -> dict[str, int]:
    """``text.count(n)`` for every name, in one Aho-Corasick pass (names that can overlap themselves, such as
    哈哈, are counted by ``str.count``: the automaton counts overlapping matches, ``str.count`` does not)."""
    import ahocorasick

    plain = sorted(n for n in set(names) if n and not _overlaps_itself(n))
    counts = dict.fromkeys(plain, 0)
    if plain:
        automaton = ahocorasick.Automaton()
        for n in plain:
            automaton.add_word(n, n)
        automaton.make_automaton()
        for _, n in automaton.iter(text):
            counts[n] += 1
    counts.update({n: text.count(n) for n in sorted(set(names)) if n and _overlaps_itself(n)})
    return counts


_INFLECTED = re.compile(r"^[a-z]+(?:ed|ly)$")
# jieba's part-of-speech classes that never name a concept: locatives (下面), pronouns, adverbs, conjunctions,
# prepositions, particles, numerals, measure words, time words
_FUNCTION_POS = ("f", "r", "d", "c", "p", "u", "m", "q", "t", "y", "e", "o")


def _function_word_zh(name: str) -> bool:
    if not name or not all(is_cjk(c) for c in name):
        return False
    import jieba.posseg

    flag = jieba.posseg.dt.word_tag_tab.get(name)
    return flag is not None and str(flag).startswith(_FUNCTION_POS)


def _bad_name(name: str) -> bool:
    """Stopwords; English phrases that open or close on one ("The Python", "In Python"); single English words
    that are participles or adverbs (defined, executed, unconditionally): English morphology, not a term."""
    if is_stopword(name) or _function_word_zh(name):
        return True
    words = name.lower().split()
    if len(words) > 1 and all(w.isascii() for w in words) and (is_stopword(words[0]) or is_stopword(words[-1])):
        return True
    return len(words) == 1 and bool(_INFLECTED.match(words[0]))


def is_term(names: Iterable[str], rules: Iterable[str], background: Background) -> bool:
    """Whether a concept with these surface names, found by these rules, is a term of the corpus."""
    names = [n for n in dict.fromkeys(n.strip() for n in names) if n]
    if not names or all(_bad_name(n) for n in names):
        return False
    weak = set(rules) <= WEAK_RULES
    floor = KEYNESS_WEAK if weak else KEYNESS_MARKED
    for n in names:
        # a lone lower-case English word seen once is usually incidental ("unduly", "hovercraft")
        once = weak and _WORD.fullmatch(n) is not None and background.count(n) < MIN_WEAK_COUNT
        if _bad_name(n) or once:
            continue
        if background.keyness(n) >= floor:
            return True
    return False
