"""Text helpers for the concept graph: width/case normalisation with offset maps, sentences, clauses, ids.

Pure functions. Every span is a pair of Python string indices into the text that was given,
so callers can shift them into document offsets by adding the chunk start.

>>> normalise("ＲｏＰＥ（旋转）")
'rope(旋转)'
>>> concept_id("Residual Connections")
'residual-connection'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kgqa.tuning import TERMHOOD

SENTENCE_END = "。！？；!?;"
CLAUSE_END = SENTENCE_END + "，,：:"
_NOT_ID = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
_SEP = re.compile(r"[\s_\-]+")


def _norm_char(ch: str) -> str:
    out = unicodedata.normalize("NFKC", ch).casefold()
    return " " if out in "-_\u2010\u2011\u2012\u2013\u2014" or out.isspace() else out


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Width- and case-folded ``text`` plus, for each output char, the index of its source char.

    Hyphens and underscores fold to spaces so that ``self-attention`` == ``Self Attention``, and a run of them
    folds to one space, as in ``normalise``, so that a name stays findable as the lexicon keys it
    (``__init__.py`` -> `` init .py``).

    >>> normalise_with_map("a__b")
    ('a b', [0, 1, 3])
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        n = _norm_char(ch)
        if n == " " and out and out[-1] == " ":
            continue
        out.append(n)
        index.extend([i] * len(n))
    return "".join(out), index


def normalise(text: str) -> str:
    """Folded form used as lexicon key: NFKC, casefold, hyphen/space runs -> one space, stripped."""
    return _SEP.sub(" ", normalise_with_map(text)[0]).strip()


def singular(word: str) -> str:
    """An English plural's singular by its spelling: ``dictionaries`` -> ``dictionary``, ``classes`` ->
    ``class``, ``modules`` -> ``module``; words that only look plural (``analysis``, ``status``) stay.

    >>> [singular(w) for w in ("dictionaries", "searches", "classes", "boxes", "modules", "analysis", "bias")]
    ['dictionary', 'search', 'class', 'box', 'module', 'analysis', 'bias']
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "as")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


@lru_cache(maxsize=65536)
def _singular_is_english(word: str) -> bool:
    """Whether the singular of ``word`` by spelling is about as common in general English as ``word`` itself
    (``TERMHOOD.plural_id_zipf_gap``): ``device`` for devices is, ``indice`` for indices is not."""
    one = singular(word)
    if one == word:
        return True
    from wordfreq import zipf_frequency

    return zipf_frequency(one, "en") > zipf_frequency(word, "en") - TERMHOOD.plural_id_zipf_gap


def concept_id(label: str, as_written: bool = False) -> str:
    """Canonical id: English lower-case, hyphenated, last word singular; Chinese kept as is. A final capital S
    is part of a name, not a plural (macOS, iOS), and a plural stays when its singular by spelling is no English
    word (indices, not "indice"; species, series). Code (``as_written``) and a call are named as spelled:
    ``dumps()`` and ``dump()`` are two functions.

    >>> concept_id("Keyword Arguments"), concept_id("macOS"), concept_id("indices"), concept_id("devices")
    ('keyword-argument', 'macos', 'indices', 'device')
    >>> concept_id("dumps()"), concept_id("json.loads()")
    ('dumps', 'json-loads')
    """
    words = [w for w in _NOT_ID.split(normalise(label)) if w]
    if not words:
        return ""
    called = as_written or label.rstrip().endswith("()")
    if words[-1].isascii() and not called and not label.rstrip().endswith("S") and _singular_is_english(words[-1]):
        words[-1] = singular(words[-1])
    return "-".join(words)


@dataclass(frozen=True)
class Piece:
    """A span of some text: ``text[start:end] == value``."""

    start: int
    end: int
    value: str


_ABBREVIATIONS = frozenset("e.g i.e etc vs cf mr mrs dr no fig al approx".split())
_NEXT_STARTS = re.compile(r"\s+[A-Z“\"‘'(]")


def _english_end(text: str, i: int) -> bool:
    """Whether the full stop at ``i`` ends an English sentence: a space and a capital (or quote) follow, and the
    word before is no abbreviation (e.g., etc.) nor a single letter or number (a list number, an initial)."""
    if not _NEXT_STARTS.match(text, i + 1):
        return False
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    word = text[j:i].lower().strip("(\"“")
    # a section or version number (9.2., 3.12.) ends no sentence: "9.2. Python Scopes" is one heading
    return len(word) > 1 and word not in _ABBREVIATIONS and not all(c.isdigit() or c == "." for c in word)


def _split(text: str, ends: str, base: int = 0) -> list[Piece]:
    pieces: list[Piece] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in ends and text[i + 1 : i + 2] in ("(", "（"):
            continue  # "…吗?(如:BERT)" - the bracket still belongs to this sentence
        if ch in ends or ch == "\n" or (ch == "." and _english_end(text, i)):
            pieces.append(Piece(start, i + (ch != "\n"), text[start : i + (ch != "\n")]))
            start = i + 1
    pieces.append(Piece(start, len(text), text[start:]))
    out = []
    for p in pieces:
        lead = len(p.value) - len(p.value.lstrip())
        body = p.value.strip()
        if body:
            out.append(Piece(base + p.start + lead, base + p.start + lead + len(body), body))
    return out


def sentences(text: str) -> list[Piece]:
    """Sentences and lines of ``text`` (split at 。！？； and newlines), whitespace trimmed.

    >>> [p.value for p in sentences("甲是乙。丙\\n- 丁：戊")]
    ['甲是乙。', '丙', '- 丁：戊']
    >>> [p.value for p in sentences("A module is a file. See e.g. the manual. It works.\\n9.2. Python Scopes")]
    ['A module is a file.', 'See e.g. the manual.', 'It works.', '9.2. Python Scopes']
    """
    return _split(text, SENTENCE_END)


def clauses(text: str) -> list[Piece]:
    """Clauses of one sentence (split further at commas and colons)."""
    return _split(text, CLAUSE_END)
