"""A code name that is also an English word: which of the text's uses of the word mean the code.

A manual sets ``write()``, ``match`` and ``DEBUG`` as code, and its prose uses the same words as English:
"code that you write", "if its type matches", "for debugging". Merged by spelling, the concept *write()*
would be found in every sentence that writes the verb, and its chunks, co-occurrences and evidence would
be about writing in general. So a concept found as code whose name is an ordinary English word keeps, when
sentences are linked, only the uses that are code by their shape:

* set as inline code by the source (``<code>return</code>``);
* called or reached through a dot: ``write(``, ``f.write``, ``struct.pack``;
* one of the concept's code phrases: ``the match statement``, ``write() method``;
* for a name the code spells with capitals (``DEBUG``, ``True``, ``Template``), written exactly so.

A name keeps all its uses when the text uses the word as a noun often enough (``list``, ``string``,
``exception``: "a list of numbers" is the type), and a lower-case name also when the text never inflects it as
a verb (``pip``, ``lambda``, ``os``): only names the text uses as a verb (``write``, ``match``, ``return``) and
capitalised ones whose lower-case word is no noun of the text (``DEBUG``, ``True``) are read by shape.

>>> sense = CodeSense("write", exact=frozenset())
>>> text = "f.write(s) writes s; code that you write; use write() or f.write."
>>> [text[a:b] for a, b in [(2, 7), (11, 17), (35, 40), (46, 53), (59, 64)] if sense.admits(text, a, b)]
['write', 'write()', 'write']
>>> CodeSense("debug", exact=frozenset({"DEBUG"})).admits("set DEBUG, then debug it", 4, 9)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kgqa.graph.lexicon import stem_key
from kgqa.graph.termhood import Background, general_zipf
from kgqa.tuning import TERMHOOD

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_MEMBER = re.compile(r"\.[A-Za-z_]")


@dataclass(frozen=True)
class CodeSense:
    word: str  # the name, lower-cased
    exact: frozenset[str]  # spellings with capitals the code writes (DEBUG); empty for a lower-case name

    def english(self, surface: str) -> bool:
        """Whether ``surface`` is the English word, not the code: the bare word in any inflection (write,
        writes), not a call or a phrase (write(), write() method) nor a capitalised spelling of the code (DEBUG).

        >>> [CodeSense("write", frozenset()).english(s) for s in ("writes", "write()", "write() method")]
        [True, False, False]
        """
        return bool(_WORD.fullmatch(surface)) and surface not in self.exact and stem_key([surface]) == stem_key(
            [self.word])

    def admits(self, text: str, start: int, end: int, code: Sequence[tuple[int, int]] = ()) -> bool:
        """Whether the use ``text[start:end]`` of the word is the code; ``code`` holds the spans of ``text`` the
        source sets as inline code."""
        if any(a <= start and end <= b for a, b in code):
            return True
        if not self.english(text[start:end]):
            return True  # a phrase, a call or the code's spelling (match statement, write(), DEBUG)
        return text[end : end + 1] == "(" or bool(_MEMBER.match(text, end)) or text[start - 1 : start] == "."


def code_sense(code_spellings: Iterable[str], background: Background) -> CodeSense | None:
    """The sense rule of a concept the text sets as code under these spellings, or None when every use of its
    name is the concept: a name that is no English word (deque, argv), a phrase, a dotted name."""
    bare = {s for s in code_spellings if _WORD.fullmatch(s)}
    words = {s.lower() for s in bare}
    if len(words) != 1:
        return None
    word = next(iter(words))
    if general_zipf(word) < TERMHOOD.jargon_zipf:
        return None  # jargon (argv, repr): the text writes it for the code alone
    exact = frozenset(s for s in bare if s != word)
    uses = background.count(word)
    if uses and background.heads.get(word, 0) >= TERMHOOD.code_noun_share * uses:
        return None  # list, string, exception: the text's noun is the type
    if exact and word not in bare:
        return CodeSense(word, exact)  # DEBUG, True: the lower-case word is English
    if not any(background.count(f) for f in inflections(word)):
        return None  # pip, lambda, os: a name the prose writes as it is, never as a verb
    return CodeSense(word, frozenset())


def inflections(word: str) -> list[str]:
    """The forms of ``word`` as an English verb: ``write`` -> writes, writed, wrote not, writing.

    >>> inflections("match"), inflections("debug")[-2:]
    (['matches', 'matched', 'matching'], ['debugged', 'debugging'])
    """
    plain = word[:-1] if word.endswith("e") else word
    out = [word + ("es" if word.endswith(("s", "x", "z", "ch", "sh")) else "s"), plain + "ed", plain + "ing"]
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        out += [word + word[-1] + "ed", word + word[-1] + "ing"]  # debug -> debugged, debugging
    return out

def code_label(sense: CodeSense, surfaces: Iterable[str], background: Background) -> str:
    """The label that says the concept is the code, not the word: the call (``write()``), else the code phrase
    the text writes most (``match statement``); a name with capitals as the code spells it (``PATH``, ``True``);
    "" when the concept has none of them."""
    if sense.exact:
        return max(sense.exact, key=lambda s: (background.cased_count(s), s))
    surfaces = list(dict.fromkeys(surfaces))
    called = [s for s in surfaces if s.lower() == sense.word + "()"]
    if called:
        return called[0]
    phrases = [s for s in surfaces if s.lower().startswith(sense.word + " ") and len(s.split()) == 2]
    return max(phrases, key=lambda s: (background.count(s), -len(s), s), default="")
