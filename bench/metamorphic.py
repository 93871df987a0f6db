"""Metamorphic robustness suite: question variants whose answer must not change, and how often it does.

Each answerable dev question yields up to four variants, generated from its text alone (never from what the
system answers), the same way on every run:

* ``typo``: in English, two adjacent letters of the longest Latin word (4+ letters) swapped; in Chinese, the
  middle character of the longest word of 3+ characters (jieba's dictionary, no HMM) dropped, else the Latin
  rule.
* ``filler``: a particle or filler added (请问 / 啊 / 呢 for Chinese, ``um, `` / `` please`` for English),
  chosen by a hash of the item id.
* ``synonym``: the first entry of a small fixed table that occurs in the question, swapped (什么 -> 啥,
  "what is" -> "what's", ...).
* ``code_switch``: the longest term of a fixed bilingual table that occurs in the question, put in the other
  language (注意力 -> attention, "virtual environment" -> 虚拟环境); skipped when no term is in the table.

A variant flips when the original was answered and the variant is not, or when the original quoted the gold
evidence and the variant does not.

>>> [v.text for v in variants("i1", "What is a tuple?", "en") if v.kind == "synonym"]
["What's a tuple?"]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

KINDS = ("typo", "filler", "synonym", "code_switch")
ANSWERED = ("answer", "caveat")  # outcomes that give the user an answer; refused and chitchat do not

# (from, to), tried in order; longer Chinese words come before the words they contain
SYNONYMS_ZH: tuple[tuple[str, str], ...] = (
    ("为什么", "为啥"), ("为啥", "为什么"), ("什么", "啥"), ("啥", "什么"), ("怎么", "咋"), ("咋", "怎么"),
    ("如何", "怎样"), ("怎样", "如何"), ("干嘛", "干什么"), ("哪些", "哪几种"), ("是否", "是不是"),
    ("可以", "能"), ("需要", "要"),
)
SYNONYMS_EN: tuple[tuple[str, str], ...] = (
    ("what is", "what's"), ("what's", "what is"), ("how do", "how can"), ("how can", "how do"),
    ("how does", "in what way does"), ("why does", "for what reason does"),
    ("why do", "for what reason do"), ("can i", "is it possible to"), ("difference", "distinction"),
    ("explain", "describe"), ("i want to", "i'd like to"),
)
# (Chinese, English); the longest match wins, so 多头注意力 is switched before 注意力
TERMS: tuple[tuple[str, str], ...] = (
    # Transformer / LLM notes
    ("自注意力", "self-attention"), ("多头注意力", "multi-head attention"), ("注意力", "attention"),
    ("位置编码", "positional encoding"), ("编码器", "encoder"), ("解码器", "decoder"),
    ("前馈网络", "feed-forward network"), ("知识蒸馏", "knowledge distillation"), ("量化", "quantization"),
    ("混合专家", "mixture of experts"), ("剪枝", "pruning"), ("微调", "fine-tuning"), ("预训练", "pre-training"),
    ("推理", "inference"), ("大模型", "large language model"), ("温度", "temperature"),
    # GIMP manual
    ("透明", "transparency"), ("图层", "layer"), ("浮动选区", "floating selection"), ("选区", "selection"),
    ("导出", "export"), ("工具箱", "toolbox"), ("画布", "canvas"), ("插件", "plug-in"), ("快捷键", "shortcut"),
    ("全屏", "fullscreen"), ("剪裁", "crop"), ("文本工具", "text tool"), ("图像", "image"),
    # Python tutorial
    ("虚拟环境", "virtual environment"), ("字典", "dictionary"), ("列表", "list"), ("元组", "tuple"),
    ("集合", "set"), ("异常", "exception"), ("模块", "module"), ("函数", "function"), ("继承", "inheritance"),
    ("字符串", "string"), ("循环", "loop"), ("切片", "slicing"), ("解释器", "interpreter"),
    ("浮点数", "floating-point number"), ("参数", "argument"),
)
FILLERS_ZH = ("请问", "啊", "呢")
FILLERS_EN = ("um, ", " please")

_LATIN = re.compile(r"[A-Za-z]+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_END = re.compile(r"[\s?？!！。.]*$")


@dataclass(frozen=True)
class Variant:
    item_id: str
    kind: str
    text: str


def _pick(item_id: str, options: Sequence[str]) -> str:
    """A fixed choice per item (sha256 of the id), so every run builds the same suite."""
    return options[int(hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8], 16) % len(options)]


def latin_typo(question: str) -> str | None:
    """Swap two adjacent letters in the middle of the longest Latin word of 4+ letters (first on ties).

    >>> latin_typo("what does the decoder do")
    'what does the deocder do'
    """
    words = [m for m in _LATIN.finditer(question) if len(m.group()) >= 4]
    if not words:
        return None
    word = max(words, key=lambda m: len(m.group()))
    w = word.group()
    for i in (*range(len(w) // 2 - 1, len(w) - 1), *range(len(w) // 2 - 2, -1, -1)):
        if w[i].lower() != w[i + 1].lower():
            swapped = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
            return question[: word.start()] + swapped + question[word.end() :]
    return None


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """A private jieba tokenizer with the stock dictionary: the words the system added to its own do not leak in."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def cjk_typo(question: str) -> str | None:
    """Drop the middle character of the longest Chinese word of 3+ characters (first on ties).

    >>> cjk_typo("自注意力是什么")
    '自注力是什么'
    """
    best: tuple[int, int] | None = None
    pos = 0
    for token in _tokenizer().lcut(question, HMM=False):
        if _CJK.fullmatch(token) and len(token) >= 3 and (best is None or len(token) > best[1] - best[0]):
            best = (pos, pos + len(token))
        pos += len(token)
    if best is None:
        return None
    drop = best[0] + (best[1] - best[0]) // 2
    return question[:drop] + question[drop + 1 :]


def typo(question: str, language: str) -> str | None:
    if language == "zh":
        return cjk_typo(question) or latin_typo(question)
    return latin_typo(question)


def filler(item_id: str, question: str, language: str) -> str:
    """Add a particle (zh) or filler (en); a suffix goes before the closing punctuation.

    >>> filler("x", "how do I exit?", "en") in ("um, how do I exit?", "how do I exit please?")
    True
    """
    body = _END.sub("", question)
    tail = question[len(body) :]
    options = [w for w in (FILLERS_ZH if language == "zh" else FILLERS_EN) if w.strip(", ") not in question]
    word = _pick(item_id, options or ["请问" if language == "zh" else "um, "])
    if word in ("请问", "um, "):
        if word == "um, " and body[:1].isupper() and body[1:2].islower():
            body = body[0].lower() + body[1:]
        return word + body + tail
    return body + word + tail


def _replace_en(question: str, old: str, new: str) -> str | None:
    match = re.search(rf"(?<![A-Za-z]){re.escape(old)}(?![A-Za-z])", question, flags=re.IGNORECASE)
    if not match:
        return None
    found = match.group()
    if found[:1].isupper():
        new = new[:1].upper() + new[1:]
    return question[: match.start()] + new + question[match.end() :]


def synonym(question: str, language: str) -> str | None:
    """The first table entry found in the question, swapped; None when none is.

    >>> synonym("MoE 到底是咋工作的", "zh")
    'MoE 到底是怎么工作的'
    """
    if language == "zh":
        return next((question.replace(old, new, 1) for old, new in SYNONYMS_ZH if old in question), None)
    return next((out for old, new in SYNONYMS_EN if (out := _replace_en(question, old, new))), None)


def code_switch(question: str) -> str | None:
    """Put the longest bilingual-table term of the question into the other language; None when none occurs.

    >>> code_switch("多头注意力有什么好处")
    'multi-head attention有什么好处'
    >>> code_switch("how do I make a virtual environment?")
    'how do I make a 虚拟环境?'
    """
    found: list[tuple[int, str, str]] = []
    for zh, en in TERMS:
        if zh in question:
            found.append((len(zh), zh, en))
        if _replace_en(question, en, "") is not None:
            found.append((len(en), en, zh))
    if not found:
        return None
    _, old, new = max(found, key=lambda f: f[0])  # max keeps the first of equal lengths: table order
    if old.isascii():
        return _replace_en(question, old, new)
    return question.replace(old, new, 1)


def variants(item_id: str, question: str, language: str) -> list[Variant]:
    """Every variant of one question, in KINDS order; a kind that does not apply (or changes nothing) is left out.

    >>> [v.kind for v in variants("x", "transformer的编码器是什么", "zh")]
    ['typo', 'filler', 'synonym', 'code_switch']
    """
    made = {
        "typo": typo(question, language),
        "filler": filler(item_id, question, language),
        "synonym": synonym(question, language),
        "code_switch": code_switch(question),
    }
    return [Variant(item_id, kind, text) for kind, text in made.items() if text and text != question]


# ---------------------------------------------------------------- flips


@dataclass(frozen=True)
class Judged:
    """What counts about one answer for the suite: its outcome and whether it quoted the gold evidence."""

    outcome: str
    quote_hit: bool


def flipped(original: Judged, variant: Judged) -> bool:
    """The variant lost what the original had: an answer, or the gold quote.

    >>> flipped(Judged("answer", True), Judged("refused", False))
    True
    >>> flipped(Judged("refused", False), Judged("refused", False))
    False
    """
    lost_answer = original.outcome in ANSWERED and variant.outcome not in ANSWERED
    lost_quote = original.quote_hit and not variant.quote_hit
    return lost_answer or lost_quote


def can_flip(original: Judged) -> bool:
    """Only a question the system answered, or quoted correctly, has anything to lose."""
    return original.outcome in ANSWERED or original.quote_hit


def flip_rates(pairs: Iterable[tuple[str, str, Judged, Judged]]) -> dict[str, Any]:
    """Flip counts and rates, overall, per kind and per corpus, from (corpus, kind, original, variant).

    The rate is flips / eligible variants (those whose original answered or hit the quote); ``variants``
    counts all of them.

    >>> r = flip_rates([("c", "typo", Judged("answer", True), Judged("refused", False)),
    ...                 ("c", "filler", Judged("answer", True), Judged("answer", True)),
    ...                 ("c", "filler", Judged("refused", False), Judged("answer", False))])
    >>> r["all"]
    {'variants': 3, 'eligible': 2, 'flips': 1, 'to_refusal': 1, 'lost_quote': 1, 'rate': 0.5}
    """
    groups: dict[str, dict[str, Any]] = {}

    def add(name: str, original: Judged, variant: Judged) -> None:
        g = groups.setdefault(name, {"variants": 0, "eligible": 0, "flips": 0, "to_refusal": 0, "lost_quote": 0})
        g["variants"] += 1
        if not can_flip(original):
            return
        g["eligible"] += 1
        g["flips"] += flipped(original, variant)
        g["to_refusal"] += original.outcome in ANSWERED and variant.outcome not in ANSWERED
        g["lost_quote"] += original.quote_hit and not variant.quote_hit

    for corpus, kind, original, variant in pairs:
        for name in ("all", f"kind:{kind}", f"corpus:{corpus}", f"{corpus}:{kind}"):
            add(name, original, variant)
    for g in groups.values():
        g["rate"] = round(g["flips"] / g["eligible"], 4) if g["eligible"] else None
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0])))
