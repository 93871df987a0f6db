"""The text layer every stage shares: script detection and sentence splitting with exact offsets.

Chinese sentences end at 。！？；!?; (with any closing quotes); a line end always ends a sentence.
Lines written mostly in a Latin script are split by pysbd (rule-based, handles "e.g.", "Fig. 3",
"3.14"), so an English paragraph is split at ". " but not inside an abbreviation.
``SPLITTER_VERSION`` goes into the index manifest: a change here re-splits every document.

>>> [("一二。三四？"[s:e]) for s, e in sentence_spans("一二。三四？")]
['一二。', '三四？']
>>> t = "Lists are mutable. Tuples, e.g. (1, 2), are not."
>>> [t[s:e] for s, e in sentence_spans(t)]
['Lists are mutable.', 'Tuples, e.g. (1, 2), are not.']
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

SPLITTER_VERSION = "2"  # 1: CJK punctuation and line ends only; 2: + pysbd for Latin-script lines
SENTENCE_END = "。！？；!?;"
_CJK_SENTENCE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』)）\"']*|$)")
# a Latin sentence end followed by a space: only such lines need the English splitter
_LATIN_END = re.compile(r"[.!?][\"')\]]*\s+\S")


# counted by the regex engine, not a Python loop per character: every question and every candidate sentence
# is classified by these
_CJK_CHAR = re.compile("[\u4e00-\u9fff]")
_ASCII_LETTER = re.compile("[A-Za-z]")  # what c.isascii() and c.isalpha() accept


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def cjk_count(text: str) -> int:
    """CJK ideographs in ``text``.

    >>> cjk_count("Transformer的编码器")
    4
    """
    return len(_CJK_CHAR.findall(text))


def latin_letter_count(text: str) -> int:
    """ASCII letters in ``text``."""
    return len(_ASCII_LETTER.findall(text))


def cjk_ratio(text: str) -> float:
    """Share of CJK ideographs among the characters of ``text`` (0 for empty text)."""
    return cjk_count(text) / len(text) if text else 0.0


def is_latin_text(text: str) -> bool:
    """Mostly Latin letters: more than four Latin letters for every CJK ideograph."""
    letters = latin_letter_count(text)
    return letters > 4 * cjk_count(text) and letters > 0


def guess_language(text: str) -> str:
    """``zh`` when CJK ideographs are at least a quarter as many as Latin letters, else ``en``."""
    cjk = cjk_count(text)
    return "zh" if cjk >= latin_letter_count(text) / 4 and cjk > 0 else "en"


CODE_HINTS = re.compile(r"(def |class |import |return |self\.|\)\s*:|\w+\s*=\s*\w|torch\.|nn\.)")


def swaps(word: str) -> list[str]:
    """``word`` with two neighbouring letters swapped, each way it can be (the commonest slip of typing).

    >>> swaps("gmip")
    ['mgip', 'gimp', 'gmpi']
    """
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1) if word[i] != word[i + 1]]


def in_case_of(written: str, mended: str) -> str:
    """``mended`` in the case ``written`` was typed in: all capitals, a capital first, or as it is.

    >>> in_case_of("GGEL", "gegl"), in_case_of("Pyhton", "python"), in_case_of("gmip", "gimp")
    ('GEGL', 'Python', 'gimp')
    """
    if written.isupper():
        return mended.upper()
    return mended[0].upper() + mended[1:] if written[:1].isupper() and mended else mended


_local = threading.local()


def english_stems(words: Sequence[str]) -> list[str]:
    """The Snowball (Porter 2) stems of lower-case English words: ``["environments", "creating"]`` ->
    ``["environ", "creat"]``. Each thread has its own stemmer: a snowballstemmer stemmer keeps the word it is
    stemming on itself, so one shared by a server's request threads raises IndexError when two stem at once."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    new = [w for w in dict.fromkeys(words) if w not in _STEMS]
    if new:
        if len(_STEMS) + len(new) > _MAX_STEMS:
            _STEMS.clear()  # a vocabulary this large is no corpus's; start again rather than grow
        _STEMS.update(zip(new, stemmer.stemWords(new), strict=True))
    return [_STEMS.get(w) or stemmer.stemWord(w) for w in words]


# stems already computed, shared by every thread (a dict's get and update are atomic): answering stems the same
# passage and question words again and again, and the pure-Python stemmer costs a few microseconds a word
_STEMS: dict[str, str] = {}
_MAX_STEMS = 200_000


def is_code_line(text: str) -> bool:
    """Source code, possibly flattened onto one line: many code tokens, few Chinese characters."""
    s = text.strip()
    if len(s) < 20:
        return False
    return len(CODE_HINTS.findall(s)) >= 3 and cjk_ratio(s) < 0.15


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _latin_spans(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(line):
        # pysbd reports spans, but they drift on repeated text: find each piece from the cursor instead
        at = line.find(piece.sent, cursor)
        if at < 0:
            return [(0, len(line))]
        spans.append((at, at + len(piece.sent)))
        cursor = at + len(piece.sent)
    return spans


def line_sentence_spans(line: str) -> list[tuple[int, int]]:
    """Sentence spans of one line (no newline inside), whitespace trimmed, in order."""
    if is_code_line(line):
        raw = [(0, len(line))]  # code is never cut into "sentences"
    elif is_latin_text(line) and _LATIN_END.search(line):
        raw = _latin_spans(line)
    else:
        raw = [(m.start(), m.end()) for m in _CJK_SENTENCE.finditer(line) if m.end() > m.start()]
    out = []
    for s, e in raw:
        s, e = _strip(line, s, e)
        if e > s:
            out.append((s, e))
    return out


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` as offsets into ``text``; every line end ends a sentence."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        if stop > pos:
            out += [(pos + s, pos + e) for s, e in line_sentence_spans(text[pos:stop])]
        pos = stop + 1
    return out
