"""Term mining: which strings of a sentence name a concept, and their other-language labels.

Each rule is a pure function ``str -> list[Found]`` over one sentence (or heading):

- ``pair``: 中文（English）, 中文(English), English(中文), ABBR(Expansion), Expansion(ABBR)
- ``alias``: X，又称作Y / X也叫Y / X简称Y; X, also called Y / X (also known as Y)
- ``bold``: **X**：... and list labels ``- X：...``
- ``heading``: 什么是X, X如何工作, 如何进行…的X, 解释X的工作原理, bare noun headings
- ``english``: English technical terms inside Chinese text (RoPE, Transformer-XL, Leaky ReLU)
- ``quoted``: “缩放点积注意力”
- ``definition``: the subject of X是一种… / X是指… / X是通过…

>>> [(f.en, f.zh) for f in pair_terms("特别是变换器（Transformer）架构")]
[('Transformer', '变换器')]
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from kgqa.text import is_cjk

# Words that end a Chinese noun phrase when reading leftwards from a bracket: the
# term starts after the last of them ("特别是变换器" -> "变换器", "全连接的前馈网络" -> "前馈网络").
_STOPS = (
    "特别是 又称作 又称 也称 称作 称为 也叫 简称 使用 利用 通过 采用 引入 基于 结合 包括 以及 或者 "
    "例如 比如 进行 替代 实现 加入 应用 转换成 转换为 一种 一个 的 是 在 和 与 及 或 了 被 将 对 "
    "用 为 即 如 由 把 从 到 其 等 这 该 各 些 从而 以 并 而 随着 对于 关于 具有"
).split()
_ASCII_TERM = r"[A-Za-z][A-Za-z0-9]*(?:[-.'][A-Za-z0-9]+)*"
_EN_PHRASE = re.compile(rf"{_ASCII_TERM}(?: {_ASCII_TERM})*$")
_BRACKET = re.compile(r"[（(]([^（()）\n]{1,80})[)）]")
_EXAMPLE = re.compile(r"^\s*(?:如|例如|比如|即|e\.g\.|i\.e\.)")
# whitespace runs are bounded ({0,8}): an unbounded \s* on both sides of the optional comma made every
# start inside a long run of spaces rescan it (cubic)
_ALIAS = re.compile(
    r"([\u4e00-\u9fffA-Za-z\- ]{2,16})\s{0,8}(?:[，,]\s{0,8})?"
    r"(?:又称作|又称|也称为|也称|也叫|简称|亦称)\s*([\u4e00-\u9fffA-Za-z\-]{2,12})"
)
_LABEL = re.compile(
    r"^\s*(?:[-*•]\s*|\d{1,2}\s*[.、)]\s*)?\*\*([^*\n]{2,40}?)\*\*\s*[:：]|^\s*(?:[-*•]|\d{1,2}[.、)])\s*([^：:\n*]{2,40}?)\s*[:：]"
)
_EN_TOKEN = re.compile(rf"(?<![A-Za-z0-9]){_ASCII_TERM}(?: [A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)*")
_QUOTED = re.compile(r"[“\"「]([^”\"」\n]{2,14})[”\"」]")
_DEFINES = re.compile(
    r"^(?:[-*•]\s*|\d{1,2}[.、]\s*)?(?:\*\*)?([^，,。：:\s*]{2,24}?)(?:\*\*)?\s*(?:是一种|是一个|是一类|是指|指的是|是通过|是将|是在|是)"
)
_QUESTION_WORDS = re.compile(r"如何|什么|为什么|怎么|哪些|是否|吗")
_HEADING_PATTERNS = [
    re.compile(r"什么是(.+?)[？?]?$"),
    re.compile(r"^(?:请)?解释(.+?)的工作原理"),
    re.compile(r"^(.+?)(?:如何工作|是什么|的优势|的工作原理|的核心方法|的基本原理|的关键技术|优化)[？?]?$"),
    re.compile(r"^如何(?:进行|实现|使用)(.+?)[？?]$"),
    re.compile(r"^(?:防止|处理|理解)(.+)$"),
]
# Generic words that are never concepts on their own, and endings of list labels that
# describe a property rather than name a thing (能力, 优势, 建议 ...).
GENERIC = set(
    "目标 内容 解析 回答 题目 答案 问题 方法 技术 模型 机制 架构 结构 函数 操作 步骤 过程 部分 "
    "组件 模块 任务 "
    "信息 数据 参数 结果 性能 效率 序列 输入 输出 方面 场景 例子 示例 代码 代码示例 面试技巧 总结 引言 原理 "
    "区别 优势 缺点 优点 特点 关键 核心 基础 方式 策略 因素 原因 价值 意义 作用 能力 系统 框架 资源".split()
)
_BAD_ENDINGS = tuple(
    "能力 优势 优点 缺点 建议 技巧 示例 思维 要求 因素 原因 方向 分析 场景 性 广 率 ".split()
    + "策略 跟踪 原理 缺失 差 需求 时间".split()
)
_LETTERS = frozenset(string.ascii_letters)
_ALNUM = _LETTERS | frozenset(string.digits)
_TERM_PUNCT = frozenset("-.'")
_RUN = _ALNUM | _TERM_PUNCT | {" "}
# headings longer than this are prose, not a concept name; it also bounds the heading patterns' lazy scans
MAX_HEADING = 200
# how far left of a bracket the pair rule reads for the term it explains (both languages)
PAIR_WINDOW = 200
_EN_STOP = set(
    "the of and with from for to in is are on by as an at or vs via into than that this these those using".split()  # noqa: E501
)


@dataclass(frozen=True)
class Found:
    """A term found in one sentence. ``en``/``zh`` may be empty; ``aliases`` are extra surfaces."""

    en: str
    zh: str
    rule: str
    aliases: tuple[str, ...] = ()


def zh_tail(text: str, max_len: int = 10) -> str:
    """The Chinese noun phrase that ends ``text`` (stops cut it on the left)."""
    run = ""
    for ch in reversed(text.rstrip()):
        if not (is_cjk(ch) or ch == "-") or len(run) >= max_len:
            break
        run = ch + run
    cut = max((run.rfind(s) + len(s) for s in _STOPS if s in run), default=0)
    return run[cut:].strip("-")


def _term_suffix(word: str) -> str:
    """The longest suffix of ``word`` that is one ``_ASCII_TERM`` ('' if none): it starts with a letter, ends
    with a letter or digit, and has no two of ``-.'`` in a row."""
    if not word or word[-1] not in _ALNUM:
        return ""
    lo = next((k + 1 for k in range(len(word) - 1, 0, -1) if word[k] in _TERM_PUNCT and word[k - 1] in _TERM_PUNCT), 0)
    return next((word[j:] for j in range(lo, len(word)) if word[j] in _LETTERS), "")


def _english_run(text: str) -> list[str]:
    """The words of the longest suffix of ``text`` (right-stripped) made of ``_ASCII_TERM`` s joined by
    single spaces, read right to left in linear time (a regex such as ``(?:TERM[ ]?)+$`` backtracks
    exponentially on a run that does not end in a term).

    >>> _english_run("基于 Multi-Head Attention"), _english_run("x1.5 b-"), _english_run("a  bc")
    (['Multi-Head', 'Attention'], [], ['bc'])
    """
    s = text.rstrip()
    i = len(s)
    while i > 0 and s[i - 1] in _RUN:
        i -= 1
    out: list[str] = []
    for word in reversed(s[i:].split(" ")):
        tail = _term_suffix(word)
        if not tail:
            break
        out.append(tail)
        if tail != word:  # the phrase starts inside this word
            break
    return out[::-1]


def en_tail(text: str, words: int = 0) -> str:
    """The English phrase that ends ``text``; ``words`` > 0 keeps only the last ``words`` words."""
    parts = _english_run(text)
    if words:
        parts = parts[-words:]
    while parts and parts[0].lower() in _EN_STOP:
        parts = parts[1:]
    return " ".join(parts)


def good_zh(term: str) -> bool:
    return (
        2 <= len(term) <= 12
        and term not in GENERIC
        and not term.endswith(_BAD_ENDINGS)
        and not _QUESTION_WORDS.search(term)
    )


def _is_english(s: str) -> bool:
    return bool(_EN_PHRASE.match(s.strip())) and not any(c.isdigit() for c in s)


def _abbr(s: str) -> bool:
    return 2 <= len(s) <= 8 and s.isascii() and s.isalpha() and sum(c.isupper() for c in s) >= 2


def _english_pair(left: str, inner: str) -> Found | None:
    """ABBR(Expansion) or Expansion(ABBR)."""
    if _abbr(inner):
        words = en_tail(left).split(" ")
        take = [w for w in words][-max(1, len([c for c in inner if c.isupper()])) :]
        if take and take[0][:1].upper() == inner[0].upper():
            return Found(" ".join(take), "", "pair", (inner,))
        return None
    abbr = en_tail(left, words=1)
    words = inner.lower().split()
    if len(inner.strip()) < 2:
        return None  # a call's argument (MyClass.f(x)), not an expansion
    if not words or words[0] in _EN_STOP or words[-1] in _EN_STOP:
        return None  # an aside ("JavaScript (and many other languages)"), not an expansion
    if len(abbr) >= 2 and (_abbr(abbr) or any(c.isupper() for c in abbr[1:])):
        return Found(inner.strip(), "", "pair", (abbr,))
    return None


def pair_terms(sentence: str) -> list[Found]:
    out: list[Found] = []
    text_starts = len(sentence) - len(sentence.lstrip())
    for m in _BRACKET.finditer(sentence):
        # a bounded window, so a sentence of many brackets costs linear time, not one prefix copy each
        inner, left = m.group(1).strip(), sentence[max(0, m.start() - PAIR_WINDOW) : m.start()]
        if _EXAMPLE.match(inner) or m.start() <= text_starts:
            continue
        if _is_english(inner):
            zh = zh_tail(left)
            # "GIMP 可执行文件(GIMP-console)": the Chinese run is the tail of a mixed name, not the whole name
            mixed = re.search(r"[A-Za-z0-9] ?$", left[: len(left) - len(zh)]) is not None if zh else False
            if zh and left.rstrip() == left and good_zh(zh) and not mixed:
                out.append(Found(inner, zh, "pair"))
            elif not zh:
                found = _english_pair(left, inner)
                if found:
                    out.append(found)
        elif all(is_cjk(c) for c in inner) and 2 <= len(inner) <= 8:
            en = en_tail(left, words=3)
            if en and _is_english(en) and left.rstrip() == left:
                out.append(Found(en, inner, "pair"))
    return out


def alias_terms(sentence: str) -> list[Found]:
    out = []
    for m in _ALIAS.finditer(sentence):
        head = zh_tail(m.group(1)) or en_tail(m.group(1))
        alias = m.group(2).strip()
        if head and alias and head != alias:
            out.append(
                Found("" if is_cjk(head[0]) else head, head if is_cjk(head[0]) else "", "alias", (alias,))
            )
    return out


# "X, also called Y" / "X (also known as Y)": the English alias sentence, with a bounded gap (no \s* pair)
_EN_ALIAS = re.compile(r"(?:,|\s?\()\s{0,3}(?:also called|also known as|or simply)\s{1,3}")
_EN_ALIAS_NAME = re.compile(rf"{_ASCII_TERM}(?: {_ASCII_TERM}){{0,2}}")
_NOT_A_NAME = frozenset("the a an its their his her our your this that these those".split())


def english_alias_terms(sentence: str) -> list[Found]:
    """``Syntax errors, also known as parsing errors`` -> one term with both names: each of one to three words,
    the alias no phrase opening on an article or a possessive ("also called its type").

    >>> [(f.en, f.aliases) for f in english_alias_terms("Syntax errors, also known as parsing errors, are common.")]
    [('Syntax errors', ('parsing errors',))]
    >>> english_alias_terms("It may have values, also known as the exception's arguments.")
    []
    """
    out = []
    for m in _EN_ALIAS.finditer(sentence):
        head = " ".join(_english_run(sentence[max(0, m.start() - PAIR_WINDOW) : m.start()])[-3:])
        alias = _EN_ALIAS_NAME.match(sentence, m.end())
        if not head or not alias or head.split()[0].lower() in _EN_STOP | _NOT_A_NAME:
            continue
        name = alias.group(0)
        words = name.split()
        while words and words[-1].lower() in _EN_STOP | {"for", "short"}:
            words.pop()  # "f-strings for short"
        if words and words[0].lower() not in _NOT_A_NAME | _EN_STOP and " ".join(words).lower() != head.lower():
            out.append(Found(head, "", "alias", (" ".join(words),)))
    return out


def split_label(label: str) -> list[str]:
    label = _BRACKET.sub("", label).strip()
    return [p.strip() for p in re.split(r"[与和及、/]|\+", label) if p.strip()]


def label_of(line: str) -> str:
    """The label of a list item or bold lead (``- **量化**：…`` -> ``量化``), or ''."""
    m = _LABEL.match(line)
    return (m.group(1) or m.group(2) or "").strip() if m else ""


def _term_from_text(part: str, rule: str) -> Found | None:
    part = part.strip(' *"“”')
    if not part:
        return None
    if _is_english(part) and len(part) >= 2:
        return Found(part, "", rule)
    if all(is_cjk(c) or c == "-" for c in part) and good_zh(part):
        return Found("", part, rule)
    return None


def label_terms(sentence: str) -> list[Found]:
    label = label_of(sentence)
    if not label or "的" in label and not label.startswith("基于"):
        return []
    rule = "bold" if "**" in sentence.split(label)[0] + "**" and "**" in sentence else "list-label"
    return [f for p in split_label(label) if (f := _term_from_text(p, rule))]


def heading_terms(heading: str) -> list[Found]:
    if len(heading) > MAX_HEADING:
        return []
    h = re.sub(
        r"^\s*#*\s*(?:\d{1,3}(?:\.\d{1,3})*\.?|[一二三四五六七八九十]{1,3}[、.．]|问题\s*\d*\s*[:：])\s*",
        "",
        heading,
    )
    h = re.sub(r"^问题\s*[:：]\s*", "", h).strip()
    h = _BRACKET.sub("", h).strip()
    for pat in _HEADING_PATTERNS:
        m = pat.search(h)
        if m:
            core = m.group(1).strip()
            core = core.split("的")[-1].strip() if "的" in core else core
            core = (
                re.sub(r"^(?:Transformer\s*)?(?:模型)?中?", "", core)
                if core.startswith("Transformer") and len(core) > 11
                else core
            )
            found = _term_from_text(core, "heading")
            return [found] if found else []
    if len(h) <= 8 and not _QUESTION_WORDS.search(h) and not re.search(r"[和与及的]", h):
        found = _term_from_text(h, "heading")
        return [found] if found else []
    return []


def _blank_expansions(sentence: str) -> str:
    """Blank out bracketed multi-word English (expansions are mined by ``pair``), keeping offsets."""

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0)) if " " in m.group(1).strip() and _is_english(m.group(1)) else m.group(0)

    return _BRACKET.sub(blank, sentence)


def english_terms(sentence: str) -> list[Found]:
    out = []
    for m in _EN_TOKEN.finditer(_blank_expansions(sentence)):
        for tok in re.split(r"/", m.group(0)):
            tok = re.sub(r"'s$", "", tok.strip(" .-'")).strip(" .-'")  # GIMP's -> GIMP
            words = tok.split(" ")
            if len(words) > 1 and not all(w[:1].isupper() for w in words):
                tok = words[0]
            if _english_term_ok(tok):
                out.append(Found(tok, "", "english"))
    return out


def _english_term_ok(tok: str) -> bool:
    if tok.lower() in _EN_STOP or len(tok) < 2:
        return False
    uppers = sum(c.isupper() for c in tok)
    has_digit = any(c.isdigit() for c in tok)
    if uppers >= 2 or (has_digit and tok[0].isalpha() and uppers):
        return True
    if " " in tok:
        return True
    return len(tok) >= 4 and tok.isalpha()


def quoted_terms(sentence: str) -> list[Found]:
    return [f for m in _QUOTED.finditer(sentence) if (f := _term_from_text(m.group(1), "quoted"))]


def definition_terms(sentence: str) -> list[Found]:
    m = _DEFINES.match(sentence.strip())
    if not m:
        return []
    subject = m.group(1)
    subject = subject.split("的")[-1] if "的" in subject else subject
    if re.match(
        r"^(?:这|那|它|其|该|每|我|你|他|以下|如果|具体|通常|常见|主要|另外|此外|核心|基本)", subject
    ) or re.search(r"[和与或]|通常|主要|都|也|还|则", subject):
        return []
    found = _term_from_text(_BRACKET.sub("", subject), "definition")
    return [found] if found else []


def mine_sentence(sentence: str) -> list[Found]:
    """Every term rule applied to one body sentence (headings use :func:`heading_terms`)."""
    found: list[Found] = []
    for rule in BODY_RULES:
        found += rule(sentence)
    return found


BODY_RULES = (pair_terms, alias_terms, english_alias_terms, label_terms, english_terms, quoted_terms, definition_terms)
