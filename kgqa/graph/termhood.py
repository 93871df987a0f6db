"""Which mined names are terms of the domain: a background of ordinary language decides.

A name is kept when the corpus uses it clearly more often than general language does (its *keyness*: the
corpus frequency over the general frequency, both on wordfreq's Zipf scale, for Chinese and English), and it
is not a stopword (stopwordsiso's lists for both languages). Names the text marks itself, a pair 中文（English）,
a bold or quoted name, an alias sentence, a menu label or a defined term of the source's markup, need less
evidence than names found only as English words, headings, list labels, emphasis or a series of Chinese
compounds; a lone lower-case English word must also occur at least twice. Inline code needs no frequency at
all (its mining keeps only names, calls and constructs: ``graph.marks``). Glossary concepts always stay.

>>> bg = Background.of(["The module imports a module.", "Use the module and the function."])
>>> bg.keyness("module") > TERMHOOD.keyness_weak, is_stopword("the"), is_stopword("下面")
(True, True, False)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kgqa.graph.text import singular
from kgqa.text import is_cjk
from kgqa.tuning import TERMHOOD

WEAK_RULES = frozenset({"english", "heading", "list-label", "definition", "compound", "emphasis"})
_WORD = re.compile(r"[a-z][a-z0-9_]*")
_WRITTEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PIECE = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*|\S")
_TOKEN = re.compile(r"[a-z][a-z0-9_']*|[^\sa-z0-9]")
# a word right after one of these and right before punctuation or a function word heads a noun phrase
_DETERMINERS = frozenset("the a an this that each every its their your our his her any no some these those".split())
# English closed-class words that can follow a noun phrase's head (verbs to be and have, prepositions,
# conjunctions, relative pronouns); stopwordsiso's list is too wide for this (it holds "number", "point")
_CLOSES = frozenset(".,;:!?()[]\"“”")
_AFTER_HEAD = frozenset(
    "is are was were be been has have had can could will would may might must should does do did "
    "of in on at to for from with by as into than about over under after before "
    "and or but nor so if then that which who whose where when while".split()
)


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
    scanning the text, which costs the corpus's length for every name. ``heads`` counts each Latin word where it
    heads a noun phrase (after a determiner, before punctuation or a function word: "the module is", "a list.").
    """

    text: str
    words: Counter[str]
    size: float  # words, a CJK run counted as one word per 1.6 characters (the mean Chinese word length)
    known: Mapping[str, int] = field(default_factory=dict)
    heads: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)  # Latin words as the text spells them (ASCII, Python)
    raw: str = ""  # the text as written
    inside: Counter[str] = field(default_factory=Counter)  # capitalised Latin words written inside a sentence

    @classmethod
    def of(cls, sentences: Iterable[str]) -> Background:
        raw = "\n".join(sentences)
        text = raw.lower()
        words = Counter(_WORD.findall(text))
        cjk = sum(1 for c in text if is_cjk(c))
        written = Counter(_WRITTEN.findall(raw))
        inside = capitalised_inside(raw)
        return cls(
            text, words, max(1.0, sum(words.values()) + cjk / 1.6), {}, noun_heads(text), written, raw, inside
        )

    def cased_count(self, name: str) -> int:
        """How often the text writes ``name`` exactly so, case included."""
        return self.raw.count(name)

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
        return self.keyness_of([name])

    def keyness_of(self, forms: Iterable[str]) -> float:
        """The keyness of several spellings of one name taken together (``module``, ``modules``, ``Module``):
        their corpus counts add up, and so do their general frequencies."""
        forms = list(dict.fromkeys(f.strip() for f in forms if f.strip()))
        n = sum(self.count(f) for f in dict.fromkeys(f.lower() for f in forms))
        if not n:
            return 0.0
        general = sum(10 ** general_zipf(f) for f in forms if general_zipf(f) > 0)
        return math.log10(n / self.size * 1e9) - (math.log10(general) if general else 0.0)


def capitalised_inside(raw: str) -> Counter[str]:
    """Capitalised words written inside a sentence by themselves: after a lower-case word, a comma or a CJK
    character, and not beside another capitalised word. Such a word is a name (Python, Wilber); one capitalised
    only where a sentence starts, or only inside a title (GNU Free Documentation License), is not.

    >>> sorted(capitalised_inside("We use Python here. The GNU Free Documentation License, 打开了Wilber作为"))
    ['Python', 'Wilber']
    >>> capitalised_inside("   ")  # a blank line
    Counter()
    """
    out: Counter[str] = Counter()
    for line in raw.splitlines():
        pieces = _PIECE.findall(line)
        if not pieces:
            continue  # a blank line
        for before, word, after in zip(["", *pieces[:-1]], pieces, [*pieces[1:], ""], strict=True):
            if not (word[:1].isupper() and word[1:].islower()) or after[:1].isupper():
                continue
            if before[:1].islower() or before in (",", ";", "，") or (before and is_cjk(before[0])):
                out[word] += 1
    return out


def noun_heads(text: str) -> Counter[str]:
    """Latin words of a lower-cased text that head a noun phrase somewhere: after a determiner, before
    punctuation or a function word.

    A call is no head: in "the print() function" the noun is function, and "(" closes nothing there.

    >>> sorted(noun_heads("the module is here. an arbitrary number. a list. the print() function."))
    ['list', 'module']
    """
    tokens = _TOKEN.findall(text)
    out: Counter[str] = Counter()
    for i, (before, word, after) in enumerate(zip(tokens, tokens[1:], tokens[2:], strict=False)):
        if before in _DETERMINERS and _WORD.fullmatch(word) and (after in _AFTER_HEAD or after in _CLOSES):
            if after == "(" and tokens[i + 3 : i + 4] == [")"]:
                continue
            out[word] += 1
    return out


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


# endings of English adjectives and verbs (idiomatic, lexicographical, representable, truncate, serialize)
_MODIFIER = re.compile(r"(?:ic|ical|able|ible|ate|ize|ise|ify|ous|ive|est|ful|less)$")
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


# a Chinese name with a pronoun or a conjunction inside is a phrase of a sentence, not a name (保存其标题,
# 或任何以后的版本, 本授权 "this licence")
_PHRASE_POS = ("r", "c")


@lru_cache(maxsize=65536)
def _phrase_zh(name: str) -> bool:
    if not name or not all(is_cjk(c) for c in name) or len(name) < 3:
        return False
    import jieba.posseg

    return any(str(p.flag).startswith(_PHRASE_POS) for p in jieba.posseg.dt.cut(name))


def _bad_name(name: str, code: bool = False) -> bool:
    """Stopwords; English phrases that open or close on one ("The Python", "In Python"); single English words
    that are participles or adverbs (defined, executed, unconditionally): English morphology, not a term. A
    phrase the text opens with a piece of code may open on a keyword that is a stopword (the ``else`` clause)."""
    if is_stopword(name) or _function_word_zh(name) or _phrase_zh(name):
        return True
    words = name.lower().split()
    if len(words) > 1 and all(w.isascii() for w in words) and (
        (is_stopword(words[0]) and not code) or is_stopword(words[-1])
    ):
        return True
    return len(words) == 1 and bool(_INFLECTED.match(words[0]))


def _forms(name: str) -> list[str]:
    """The spellings a lone lower-case English word is counted under: itself and its singular or plural."""
    one = singular(name)
    return list(dict.fromkeys([name, one, one + "s", one + "es"] if one != name else [name, name + "s"]))


def _verb_bases(word: str) -> list[str]:
    """The verbs a gerund may come from: ``appending`` -> append, appende; ``iterating`` -> iterat, iterate."""
    if not word.endswith("ing") or len(word) < 7:
        return []
    stem = word[:-3]
    return [stem, stem + "e"] + ([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])


def _ordinary_word_ok(name: str, background: Background) -> bool:
    """A lone lower-case English word found by a weak rule: jargon (rare in general English) needs to be written
    twice; an ordinary word needs to be used often, and as a noun. A gerund of an ordinary verb (appending,
    debugging) counts as ordinary."""
    forms = [f for f in _forms(name) if background.count(f)]
    count = sum(background.count(f) for f in forms)
    general = max((general_zipf(f) for f in [*forms, *_verb_bases(name)]), default=0.0)
    heads = sum(background.heads.get(f, 0) for f in forms)
    if general < TERMHOOD.jargon_zipf:
        # a rare adjective or verb (idiomatic, truncate) is jargon only where the text uses it as a noun (an iterable)
        return count >= TERMHOOD.min_weak_count and (not _MODIFIER.search(name) or heads >= TERMHOOD.min_noun_heads)
    if _superlative(name):
        return False  # simplest, largest: a degree of an adjective
    return count >= TERMHOOD.min_common_count and heads >= TERMHOOD.min_noun_heads


def _superlative(word: str) -> bool:
    """``simplest``, ``largest``, ``biggest``: an adjective's -est whose -er (simpler) is English too; ``interest``
    and ``request`` have no *interer*."""
    return word.endswith("est") and len(word) >= 6 and general_zipf(word[:-3] + "er") >= TERMHOOD.jargon_zipf


def _key_name(name: str, weak: bool, background: Background, code: bool = False) -> bool:
    """Whether one surface of a concept shows it is a term of the corpus."""
    if _bad_name(name, code):
        return False
    lone_word = _WORD.fullmatch(name) is not None
    if lone_word and len(name) < 2:
        return False
    if weak and lone_word and not _ordinary_word_ok(name, background):
        return False
    floor = TERMHOOD.keyness_weak if weak else TERMHOOD.keyness_marked
    if not weak and any(is_cjk(c) for c in name) and general_zipf(name) >= TERMHOOD.common_marked_zipf:
        floor = TERMHOOD.keyness_weak  # an everyday word the text happens to quote (感谢, 文件)
    return background.keyness_of(_forms(name) if lone_word else [name]) >= floor


def is_term(names: Iterable[str], rules: Iterable[str], background: Background) -> bool:
    """Whether a concept with these surface names, found by these rules, is a term of the corpus.

    >>> bg = Background.of(["Use the module. The module imports a module.", "Avoid arbitrary names; avoid it."] * 2)
    >>> is_term(["module"], ["english"], bg), is_term(["avoid"], ["english"], bg)
    (True, False)
    """
    names = [n for n in dict.fromkeys(n.strip() for n in names) if n]
    rules = set(rules)
    code = "code" in rules
    if not names or all(_bad_name(n, code) for n in names):
        return False
    if code and any(not _bad_name(n, code) for n in names):
        # the source sets it as code: no general-language frequency says whether it is jargon (the ``break``
        # statement is common English); the mining kept only names, calls and constructs (terms.marks)
        return True
    weak = rules <= WEAK_RULES
    # English prose quotes ordinary words for many reasons ("calling", "equivalent"): quotes mark no lone word
    weak_word = rules <= WEAK_RULES | {"quoted"}
    for n in names:
        word = n if _WORD.fullmatch(n) else ""  # written in lower case: an ordinary word unless shown otherwise
        low = n.lower()
        if not word and n[:1].isupper() and n[1:].islower() and (
            background.written[low] >= background.written[n] or not background.inside[n]
        ):
            word = low  # capitalised only where a sentence, a line or a title starts ("Configure the widget")
        if _key_name(word or n, weak_word if word else weak, background, code):
            return True
    return False
