"""Terms the document marks itself: inline code, the labels of menus and dialogs, defined terms, strong and
emphasised text (``Block.marks``, kept by the converters).

A mark is the author saying "this is a name": ``<code>range()</code>``, ``<span class="guimenu">图层</span>``,
``<dt>路径工具</dt>``, ``*tuple packing*``. Each rule here turns the marked text of one sentence into candidate
names; termhood still decides which of them are terms of the corpus.

>>> [(f.en, f.aliases, f.rule) for f in marked_terms("Use the range() function.", [(8, 15, "code")])]
[('range', ('range()', 'range() function'), 'code')]
>>> [(f.zh, f.rule) for f in marked_terms("路径工具", [(0, 4, "term")])]
[('路径工具', 'term')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kgqa.graph.termhood import general_zipf, is_stopword
from kgqa.graph.terms import Found, good_zh, split_label
from kgqa.graph.text import normalise
from kgqa.text import is_cjk
from kgqa.tuning import TERMHOOD

# the rule each mark's names are found by. Strong and emphasised text is typography as much as naming (English
# prose stresses "binary", "exactly", "might"), so both are the weak rule ``emphasis``
MARK_RULES = {"code": "code", "gui": "gui", "term": "term", "strong": "emphasis", "emphasis": "emphasis"}
# a code name: a dotted identifier, maybe called (str.format(), sys.path, __init__), or a file name
# (requirements.txt, .venv); nothing with an operator, a literal or an argument in it
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_CODE_NAME = re.compile(rf"(?:{_IDENT}(?:\.{_IDENT})*|\.[A-Za-z][A-Za-z0-9_]*)(?:\(\))?")
# a command of a few words (pip freeze, pip install): lower-case words of identifier characters
_COMMAND = re.compile(r"[a-z][a-z0-9_-]*(?: (?:--?)?[a-z][a-z0-9_-]*){1,3}")
_PLAIN_TAIL = re.compile(r"(?:^| )((?:[a-z][a-z0-9_]*)(?: [a-z][a-z0-9_]*)+)$")
# "the range() function", "an else clause": after a determiner the word that follows the code heads the noun
# phrase that names it
_DETERMINER = re.compile(r"(?:^|\s)(?:the|a|an|this|that|each|its)\s*$", re.IGNORECASE)
_HEAD = re.compile(r"\s?([a-z]{3,})\b")
_WORD = re.compile(r"[a-z]+")
_IDENT_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
# a name of other marks: words of letters and digits (Hide Docks, F1, Alpha Channel, GEGL)
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9+]*(?:[ -][A-Za-z0-9+]+)*")


def code_name(text: str, examples: frozenset[str] = frozenset(), often: frozenset[str] | None = None) -> str:
    """The name a piece of inline code writes ('' if it is an expression, a literal or a made-up example name):
    ``range()`` -> ``range``, ``sys.path`` stays, ``x``, ``'spam'`` and ``a + b`` are no names. A command of
    several words is a name where the document sets it more than once (``often``; None: always), a statement of
    one example (``import sys``) otherwise.

    >>> code_name("range()"), code_name("requirements.txt"), code_name("x.f()"), code_name("a + b")
    ('range', 'requirements.txt', '', '')
    """
    t = text.strip()
    if _COMMAND.fullmatch(t) and not any(w in examples for w in t.split()) and (often is None or t in often):
        # a command with options names the words after them ("python -m pip freeze" is "pip freeze")
        tail = _PLAIN_TAIL.search(t) if " -" in f" {t}" else None
        return tail.group(1) if tail else t
    if not _CODE_NAME.fullmatch(t):
        return ""
    bare = t[:-2] if t.endswith("()") else t
    parts = bare.lstrip(".").split(".")
    if min(map(len, parts)) < TERMHOOD.min_code_name or parts[0].lower() in examples or bare.strip("_") == "":
        return ""  # x.f(), string.a: a variable or an attribute of an example
    if bare.startswith("_") and "." not in bare and " " not in normalise(bare):
        return ""  # __all__, __name__: names fold underscores away, and "all" is a word of every sentence
    return bare


def _code_terms(
    sentence: str, start: int, end: int, examples: frozenset[str], often: frozenset[str]
) -> list[Found]:
    written = sentence[start:end].strip()
    name = code_name(written, examples, often)
    if not name:
        return []
    aliases = [written] if written != name else []
    head = _HEAD.match(sentence, end)
    phrase = f"{written} {head.group(1)}" if head and _head_noun(head.group(1)) else ""
    if is_stopword(name):
        # a keyword or function that is an English function word (else, try, open) is named only with its noun
        # (the else clause) or as called (open())
        if phrase and _DETERMINER.search(sentence[:start]):
            return [Found(phrase, "", "code")]
        return [Found(written, "", "code")] if written.endswith("()") else []
    if phrase and _DETERMINER.search(sentence[:start]):
        aliases.append(phrase)  # "the match statement", "the range() function"
    if not aliases and _WORD.fullmatch(name) and general_zipf(name) >= TERMHOOD.jargon_zipf and name not in often:
        return []  # an English word set as code once (`value`), never called nor named as a construct
    last = name.rsplit(".", 1)[-1]
    if last != name and _IDENT_WORD.fullmatch(last) and general_zipf(last) < TERMHOOD.jargon_zipf:
        aliases.append(last)  # collections.deque is the deque the text names alone; sys.path is no "path"
    return [Found(name, "", "code", tuple(aliases))]


def _head_noun(word: str) -> bool:
    """A word that can head the noun phrase after a code name: no function word, participle or adverb."""
    return not is_stopword(word) and not word.endswith(("ed", "ly", "ing"))


def _named_terms(text: str, rule: str) -> list[Found]:
    out = []
    for part in split_label(text):
        part = part.strip(" .:：,，")
        if not part or "的" in part:
            continue  # "各种其他的改进": a phrase of a sentence, not a name
        if all(is_cjk(c) or c == "-" for c in part):
            if good_zh(part) and len(part) <= TERMHOOD.max_marked_zh and not _described(part):
                out.append(Found("", part, rule))
        elif _LABEL.fullmatch(part) and len(part) >= 2 and len(part.split()) <= TERMHOOD.max_marked_words:
            out.append(Found(part, "", rule))
    return out


def _described(name: str) -> bool:
    """A Chinese label that opens on an adjective or a pronoun (小变化, 其他改进) describes what a section is
    about; it names nothing."""
    import jieba.posseg

    first = next(iter(jieba.posseg.dt.cut(name)), None)
    return first is not None and str(first.flag).startswith(("a", "r")) and first.word != name


def marked_terms(
    sentence: str,
    marks: Sequence[tuple[int, int, str]],
    examples: frozenset[str] = frozenset(),
    often: frozenset[str] = frozenset(),
) -> list[Found]:
    """The names one sentence's marks write; ``marks`` are (start, end, kind) offsets into ``sentence``.
    ``often`` holds the code the document sets at least ``TERMHOOD.min_weak_count`` times (``pip``)."""
    out: list[Found] = []
    for start, end, kind in marks:
        rule = MARK_RULES.get(kind)
        if rule == "code":
            out += _code_terms(sentence, start, end, examples, often)
        elif rule:
            out += _named_terms(sentence[start:end], rule)
    return out
