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

from kgqa.graph.text import singular
from kgqa.tuning import TERMHOOD

# closed-class English words: before a noun they are no modifier of it ("the definition", "is mangling")
_CLOSED = frozenset(
    "the a an this that these those each every its their your our his her my any no some all both either "
    "is are was were be been has have had can could will would may might must should does do did not "
    "of in on at to for from with by as into than about over under after before and or but nor so if then "
    "which who whose where when while also only such other more most very same new own first".split()
)


def _modifiers(word: str, text: str) -> tuple[int, Counter[str]]:
    """How often the lower-cased ``text`` writes ``word`` (or its plural), and the word right before each
    occurrence when that is an open-class word joined by a space or a hyphen (a modifier)."""
    one = singular(word)
    forms = sorted({word, one, one + "s", one + "es"}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, forms))
    pattern = re.compile(r"(?:([a-z][a-z0-9_]*)[ -])?(?<![a-z0-9_-])(?:" + alternatives + r")(?![a-z0-9_-])")
    total = 0
    before: Counter[str] = Counter()
    for m in pattern.finditer(text):
        total += 1
        if m.group(1) and m.group(1) not in _CLOSED:
            before[m.group(1)] += 1
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

