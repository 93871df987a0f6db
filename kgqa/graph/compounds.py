"""A word the text writes inside a longer term: the longer term is the concept.

English builds terms from words (``name mangling``, ``function definition``); the term rules mine lower-case
words one at a time, so a word the text mostly writes after the same modifier is a fragment of that compound
(``mangling`` in "called name mangling", "Name mangling is helpful"), and the compound is the concept.

>>> text = "called name mangling. Name mangling is helpful. this mangling is done. the mangling rules."
>>> compound_of("mangling", text.lower())
'name mangling'
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from kgqa.graph.text import singular
from kgqa.tuning import TERMHOOD

# closed-class English words: before a noun they are no modifier of it ("the definition", "is mangling")
_CLOSED = frozenset(
    "the a an this that these those each every its their your our his her my any no some all both either "
    "is are was were be been has have had can could will would may might must should does do did not "
    "of in on at to for from with by as into than about over under after before and or but nor so if then "
    "which who whose where when while also only such other more most very same new own first".split()
)


_TOKEN = re.compile(r"[a-z][a-z0-9_]*")
_WORD_CHAR = re.compile(r"[a-z0-9_-]")


class _Index:
    """Every standalone lower-case word of a text, counted once, with the open-class word written right
    before it after one space: one pass over the text, so asking about many words stays linear in it."""

    def __init__(self, text: str) -> None:
        self.total: Counter[str] = Counter()
        self.before: dict[str, Counter[str]] = {}
        previous: re.Match[str] | None = None
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            standalone = (start == 0 or not _WORD_CHAR.match(text[start - 1])) and not (
                end < len(text) and _WORD_CHAR.match(text[end]))
            if standalone:
                self.total[m.group()] += 1
                if previous is not None and previous.end() == start - 1 and text[start - 1] == " " \
                        and previous.group() not in _CLOSED:
                    self.before.setdefault(m.group(), Counter())[previous.group()] += 1
            previous = m


@lru_cache(maxsize=2)
def _index(text: str) -> _Index:
    return _Index(text)


def _modifiers(word: str, text: str) -> tuple[int, Counter[str]]:
    """How often the lower-cased ``text`` writes ``word`` (or its plural) as a word of its own, and the word
    right before each occurrence when that is an open-class word joined by a space (a modifier)."""
    one = singular(word)
    index = _index(text)
    total = 0
    before: Counter[str] = Counter()
    for form in {word, one, one + "s", one + "es"}:
        total += index.total.get(form, 0)
        before.update(index.before.get(form, {}))
    return total, before


def compound_of(word: str, text: str) -> str:
    """The compound ``modifier word`` the lower-cased ``text`` writes in at least ``TERMHOOD.compound_share``
    of the word's occurrences, and at least ``TERMHOOD.compound_min_count`` times; '' when there is none."""
    total, before = _modifiers(word, text)
    if not before:
        return ""
    top, n = min(before.items(), key=lambda kv: (-kv[1], kv[0]))
    if n >= TERMHOOD.compound_min_count and n >= TERMHOOD.compound_share * total:
        return f"{top} {word}"
    return ""

