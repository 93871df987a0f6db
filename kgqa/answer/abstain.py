"""The key terms of a question, and which of them the corpus knows: one signal of ``answer/decide.py``.

A key term is a noun or technical term of the question. It is *unknown* when no concept links it and it occurs
nowhere in the corpus (池化层, RLHF, FlashAttention, Kubernetes). Ordinary words of general language (网速,
weather) are not key terms; a typo of a corpus word (transfomer, 格试) is known; an ordinary word fused to a
corpus noun (扩散 + 模型) makes the compound the term. What follows from unknown terms (a caveat or a refusal)
is decided in ``answer/decide.py``.

>>> cov = Coverage("卷积神经网络 注意力机制 transformer", frozenset({"注意力", "transformer"}))
>>> unknown_terms("卷积神经网络中的池化层有什么作用？", [], cov)
['池化层']
>>> unknown_terms("How does RLHF work?", [], cov), unknown_terms("What is a Transformer?", [], cov)
(['RLHF'], [])
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kgqa.answer.slips import Coverage, is_homophone_of_known, is_short_of_known, is_typo_of_known
from kgqa.tuning import DECIDE

# nouns that frame a question rather than name its subject
FRAMING_NOUNS = frozenset(
    "时候 优缺点 优点 缺点 作用 原理 区别 方法 场景 问题 方面 部分 特点 意义 目的 例子 情况 过程 方式 技术 "
    "东西 步骤 关系 今天 办法 细节 定义 概念 含义 好处 坏处 用途 思路".split()
)
_TECH = re.compile(
    r"^(?:[A-Z]{2,}[A-Za-z0-9]*|[A-Za-z]+[A-Z][A-Za-z0-9]*|[A-Za-z]*\d[A-Za-z0-9]*|[A-Za-z]+-[A-Za-z]+)$"
)
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_VERSION = re.compile(r"^\d+(?:\.\d+)+$")
# ...that is a release when it follows a name or the word version (GIMP 2.10, python 3.13, version 2.0) or comes
# before 版 (3.0 版, 2.10版本); a number in arithmetic (0.1 + 0.2, "is 3.5 bigger") is none
_WORD_BEFORE = re.compile(r"([A-Za-z][\w+-]*)\s*$")
_RELEASE_BEFORE = re.compile(r"(?:\bversion|\brelease|\bv|版本|版)\s*$", re.I)
_RELEASE_AFTER = re.compile(r"\s*(?:版|version\b|release\b)", re.I)
# a code identifier is one key term, looked up whole: a dotted name, a name with an underscore, a call
# (functools.lru_cache, __slots__, __init__.py, requirements.txt, range()); the segmenter would cut it into
# ordinary words (slots, cache)
_IDENTIFIER = re.compile(
    r"(?<![\w.])(?=[\w.]*(?:_|[A-Za-z]\.[A-Za-z_])|\w+\(\))[A-Za-z_]\w+(?:\.[A-Za-z_]\w+)*(?:\(\))?(?![\w(])"
)
# a polite opener or a demonstrative fused to a noun by the segmenter (请问全屏, 本手册, 该工具): the noun is the
# word, and an opener never modifies the noun after it
_OPENERS = ("请问", "想问", "问下")
_OPENING = re.compile(rf"^(?:{'|'.join(_OPENERS)}|[本这那该此每各某])(?=[\u4e00-\u9fff]{{2,}}$)")
# a verb with a resultative or aspect ending (拿到, 做完, 改成) takes the next noun as its object: it does not
# modify it the way 扩散 modifies 模型
_VERB_RESULT = re.compile(r"[到完好过了掉住着成]$")
_lock = threading.Lock()


# Bounds that keep the analysis linear in the question with a small constant: jieba's pure-Python
# part-of-speech HMM costs about 1.5 ms per character of a word its dictionary lacks, and each corpus lookup
# scans the corpus text. A question with more unknown key terms than this is out of corpus anyway.
MAX_KEY_TERMS = 64  # candidate words checked against the corpus, in question order
TAGGER_CHARS = 16  # characters of dictionary-unknown words the HMM tagger reads per question


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    # the tagger read its word tags when jieba.posseg was imported; posseg.dt.initialize() would parse
    # the whole dictionary a second time (about half a second), so only the shared tokenizer is initialised
    jieba.initialize()
    return jieba


def _words(text: str) -> list[str]:
    """Dictionary-and-HMM segmentation (jieba.cut): linear, a few microseconds per character."""
    with _lock:  # jieba's tokenizers keep shared state
        return list(_jieba().cut(text))


def _flag(word: str, budget: list[int]) -> str:
    """The part of speech of ``word``: from jieba's dictionary, else from its HMM tagger while ``budget``
    (characters) lasts. A word the dictionary lacks, once the budget is spent, counts as a noun: such words
    are mostly names and technical terms."""
    jieba = _jieba()
    flag = jieba.posseg.dt.word_tag_tab.get(word)
    if flag is not None:
        return str(flag)
    if len(word) > budget[0]:
        return "n"
    budget[0] -= len(word)
    with _lock:
        pieces = [p.flag for p in jieba.posseg.cut(word)]
    return str(pieces[-1]) if pieces else "x"  # a Chinese compound's head is its last word


def _span_reach(linked_spans: Sequence[tuple[int, int]], n: int) -> list[int]:
    """``reach[i]``: the furthest end of a linked span starting at or before ``i`` (-1 when none), so a word
    ``[start, end)`` lies inside one linked span iff ``reach[start] >= end``."""
    reach = [-1] * (n + 1)
    for s, e in linked_spans:
        if 0 <= s <= n:
            reach[s] = max(reach[s], e)
    for i in range(1, n + 1):
        reach[i] = max(reach[i], reach[i - 1])
    return reach


@dataclass(frozen=True)
class TermCheck:
    """The question's key terms: those the corpus knows (or a concept links) and those it never mentions."""

    known: tuple[str, ...]
    unknown: tuple[str, ...]
    # unknown version numbers that name a release of something (GIMP 2.10, Python 3.13, 3.0 版)
    releases: tuple[str, ...] = ()

    @property
    def unknown_share(self) -> float:
        total = len(self.known) + len(self.unknown)
        return len(self.unknown) / total if total else 0.0


def _zipf(word: str, lang: str) -> float:
    """General-language frequency of ``word`` as one word. wordfreq would split an unknown string into
    words and combine their frequencies (化层 -> 化 + 层), which says nothing about the string itself."""
    from wordfreq import tokenize, zipf_frequency

    if tokenize(word, lang) != [word.lower()]:
        return 0.0
    return float(zipf_frequency(word, lang))


def names_release(before: str, after: str) -> bool:
    """Whether a version number between ``before`` and ``after`` names a release of something.

    >>> names_release("GIMP ", " 都有哪些新功能"), names_release("what is new in python ", "?")
    (True, True)
    >>> names_release("为什么 0.1 + ", " 不等于 0.3"), names_release("is ", " bigger"), names_release("", " 版")
    (False, False, True)
    """
    if _RELEASE_BEFORE.search(before) or _RELEASE_AFTER.match(after):
        return True
    found = _WORD_BEFORE.search(before)
    if found is None:
        return False
    word = found.group(1)
    return word[0].isupper() or _zipf(word.lower(), "en") < DECIDE.release_name_max_zipf


def is_ordinary(word: str, bar: float | None = None) -> bool:
    """A word of general language (网速, weather, Italian): common enough that a corpus need not contain it.
    ``bar``: the Zipf frequency from which an English word is ordinary (default ``DECIDE.ordinary_zipf``).

    Acronyms and CamelCase (RLHF, MoE, RoPE) are terms whatever their look-alikes' frequency, except the
    two-letter ones everybody writes (OK, US).
    """
    if _CJK.match(word):
        # a compound of ordinary words (扩散 + 模型) is not itself ordinary: technical terms are built so
        return max(_zipf(word, "zh"), _jieba_zipf(word)) >= DECIDE.ordinary_zipf
    if _TECH.match(word):
        return len(word) <= 2 and _zipf(word.lower(), "en") >= DECIDE.ordinary_zipf + 1.5
    return _zipf(word.lower(), "en") >= (DECIDE.ordinary_zipf if bar is None else bar)


@lru_cache(maxsize=4096)
def _jieba_zipf(word: str) -> float:
    """The same scale from jieba's dictionary counts (a second opinion: each list lacks words the other has)."""
    import math

    dt = _jieba().dt
    count = dt.FREQ.get(word, 0)
    return math.log10(count / dt.total * 1e9) if count and dt.total else 0.0


def assess_terms(question: str, linked_spans: Sequence[tuple[int, int]], coverage: Coverage) -> TermCheck:
    """Sort the question's key terms into known and unknown; ordinary words are not key terms at all.

    Linear in the question: segmentation is jieba's dictionary cut, at most :data:`MAX_KEY_TERMS` candidate
    words are looked up, and the part-of-speech HMM reads at most :data:`TAGGER_CHARS` characters.
    """
    chinese = any("\u4e00" <= c <= "\u9fff" for c in question)
    reach = _span_reach(linked_spans, len(question))
    budget = [TAGGER_CHARS]
    known: list[str] = []
    unknown: list[str] = []
    releases: list[str] = []
    pos, first_word, checked = 0, True, 0
    modifier: tuple[str, int] | None = None  # an ordinary word the corpus lacks, and where it ends
    identifiers = {m.start(): m.group() for m in _IDENTIFIER.finditer(question)}
    skip_to = 0
    for word in _words(question):
        start = question.find(word, pos)
        end = start + len(word)
        pos = end
        pending, modifier = modifier, None
        if not word.strip() or start < skip_to:
            continue
        if start in identifiers:
            ident = identifiers[start]
            skip_to, checked, first_word = start + len(ident), checked + 1, False
            # a call is known when the corpus calls it, with any arguments (range(10) for range())
            key = ident.lower()[:-1] if ident.endswith("()") else ident.lower()
            found = reach[start] >= start + len(ident) or key in coverage.text
            bare = ident[:-2] if ident.endswith("()") else ident
            if not found and _LATIN.match(bare):  # a call with a typo in its name (oepn(), ietr())
                found = coverage.knows_latin(bare) or is_typo_of_known(bare, coverage)
            (known if found else unknown).append(ident)
            continue
        if reach[start] >= end:
            # a linked concept's name; an ordinary English word that names one (write, script, arguments) is
            # no key term: it says as little about what the question asks as any other word
            if not (_LATIN.match(word) and word.islower() and is_ordinary(word)):
                known.append(word)
            first_word = False
            continue
        if _CJK.match(word) and word not in FRAMING_NOUNS:
            checked += 1
            noun = _flag(word, budget).startswith("n")
            if not coverage.is_chinese:
                continue  # a Chinese question about an English corpus: its Chinese words cannot be looked up
            opener = _OPENING.match(word)
            if opener and word[opener.end():] in coverage.text:
                word = word[opener.end():]
            if word in coverage.text or is_homophone_of_known(word, coverage) or is_short_of_known(word, coverage):
                if noun and pending is not None and pending[1] == start:
                    # an ordinary word the corpus lacks, fused to a noun it has (扩散 + 模型): the compound
                    # 扩散模型 is the term, and the corpus never names it
                    unknown.append(pending[0] + word)
                elif noun:
                    known.append(word)
            elif noun and not is_ordinary(word):
                unknown.append(word)
            elif _flag(word, budget)[:1] in ("n", "v", "a") and not _VERB_RESULT.search(word) \
                    and word not in _OPENERS:
                modifier = (word, end)  # a content word (not 那些, 怎么) that may modify the next one
        elif _VERSION.match(word):
            checked += 1
            # a version number names one release: the corpus either mentions it or says nothing about it
            (known if word in coverage.text else unknown).append(word)
            if word not in coverage.text and names_release(question[:start], question[end:]):
                releases.append(word)
        elif _LATIN.match(word):
            checked += 1
            # in a Chinese question every English word is a deliberate term; in an English one, only
            # acronyms, CamelCase, versions and proper nouns are
            salient = chinese or bool(_TECH.match(word)) or (word[0].isupper() and len(word) > 2 and not first_word)
            if coverage.knows_latin(word) or is_typo_of_known(word, coverage):
                if salient or not is_ordinary(word):
                    known.append(word)
            elif (salient and not is_ordinary(word, _name_bar(word, coverage))) or (
                    coverage.writes_english and len(word) >= DECIDE.rare_word_min_length and not is_ordinary(word)):
                # a rare word of general language that the corpus never uses (pytest, tkinter, multithreaded)
                # names what the question is about, capitalised or not
                unknown.append(word)
        if checked >= MAX_KEY_TERMS:
            break
        if re.search(r"\w", word):
            first_word = False
    return TermCheck(tuple(dict.fromkeys(known)), tuple(dict.fromkeys(unknown)), tuple(dict.fromkeys(releases)))


def _name_bar(word: str, coverage: Coverage) -> float:
    """How common a word the question sets apart must be to be ordinary: a capitalised name (Django), or any
    word when the corpus writes English (pandas), meets the higher bar of names; a lower-case English word in a
    Chinese question about a Chinese corpus the ordinary one (cache: the corpus may write it only as 缓存)."""
    return DECIDE.name_ordinary_zipf if word[:1].isupper() or coverage.writes_english else DECIDE.ordinary_zipf


def unknown_terms(question: str, linked_spans: Sequence[tuple[int, int]], coverage: Coverage) -> list[str]:
    """Key terms of the question that the corpus never mentions and no concept links."""
    return list(assess_terms(question, linked_spans, coverage).unknown)
