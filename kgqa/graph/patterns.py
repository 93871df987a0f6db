"""Relation rules that read one Chinese sentence: definitions, uses, goals, contrasts, examples, composition.

The English cues are in :mod:`kgqa.graph.patterns_en`; :mod:`kgqa.graph.relations` runs both.

Each rule takes a :class:`Linked` sentence (its concept mentions already found) and
returns :class:`Rel` records naming the rule. Subjects come from the sentence itself
(the first mention near its start), from the list label the line explains
(``- 梯度裁剪：…以防止梯度爆炸``), or, after a pronoun (这/它/其), from the chunk topic.

>>> from kgqa.graph.lexicon import Lexicon
>>> from kgqa.graph.model import Sentence
>>> lex = Lexicon({"梯度裁剪": "gradient-clipping", "梯度爆炸": "exploding-gradient"})
>>> s = Sentence("c", "d", 0, 16, "梯度裁剪通过设定阈值，以防止梯度爆炸。")
>>> [(r.source, r.type, r.target) for r in goal(link_sentence(s, lex))]
[('gradient-clipping', 'mitigates', 'exploding-gradient')]
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from kgqa.graph.lexicon import Lexicon, Mention
from kgqa.graph.model import Sentence
from kgqa.graph.terms import label_of
from kgqa.graph.text import CLAUSE_END
from kgqa.text import is_cjk

USE_VERBS = re.compile(r"通过|利用|使用|采用|借助|基于|结合了?|应用|引入")
MITIGATE_VERBS = re.compile(r"防止|避免|缓解|解决|减少|降低|减轻|抑制|应对|克服")
TECHNIQUE_VERBS = re.compile(r"提高|加速|提升|优化|实现|改进|扩展|加快|改善")
EXAMPLE = re.compile(r"(?:例如|比如|如)(?![何果下此今同])\s*[:：]?")
# Whitespace appears once between optional parts (``\s*(?:X\s*)?$``, never ``\s*X?\s*$``): two adjacent
# ``\s*`` split a run of spaces every possible way before failing, which is quadratic or worse.
_VERB_GAP = re.compile(r"^\s*(?:(?:了|模型|各种|对)\s*)?$")
_NP_GLUE = re.compile(r"^\s*(?:(?:的|中的|模型的|模型|中)\s*)?$")
SEQUENCE = re.compile(r"^\s*(?:(?:并且?|而后)\s*)?(?:再|然后|接着|随后|之后|最后|最终)")
PRONOUN = re.compile(r"^\s*(?:[-*•]\s*)?(?:这是|这个|它|其|该)")
_NOT_SUBJECT = re.compile(r"(?:与|和|及|或|、|对于|相较于|相比|防止|避免|为了|如何|在|如|例如)\s*$")
JOINER = re.compile(r"^\s*(?:[（(][^)）]*[)）]\s*)?(?:(?:和|与|、|及|或|以及|或者|/)\s*)?$")
GENERIC_TAIL = re.compile(
    r"^\s*(?:[)）]\s*)?(?:[（(][^)）]*[)）]\s*)?(?:(?:模型|技术|方法|架构|机制|技巧|框架|算法|函数|手段|策略|系列)\s*)?"
    r"(?:[。；，,.]\s*)?$"
)
CONTRAST_WORDS = re.compile(r"区别|不同|差异|对比|相比|相较|而不是|而非|\bvs\b")
# unanchored forms, matched at a position (``pattern.match(text, pos, endpos)``) instead of on a slice copy
_SEQUENCE_AT = re.compile(SEQUENCE.pattern.removeprefix("^"))
_VERB_GAP_AT = re.compile(_VERB_GAP.pattern.removeprefix("^"))
_GENERIC_TAIL_AT = re.compile(GENERIC_TAIL.pattern.removeprefix("^"))
_PRONOUN_AT = re.compile(PRONOUN.pattern.removeprefix("^"))
_CONTRAST_TAIL = re.compile(r"\s*(?:相比|不同|的区别|的不同|的差异|[，,])")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_EXAMPLE_INSIDE = re.compile(r"[（(]([^（()）]*?)(?:[，,\s]|)(?:如|例如|比如)\s*[:：]?([^（()）]+)[)）]")
_VARIANT = re.compile(r"(\S{0,12}?)(?:的)?(?:改进和|改进与)?(?:变体|变种)")
# Bounds that keep a long sentence linear: a rule pairs at most MAX_SIDE mentions on one side of its verb
# (more is a list, not a relation), and reads a generic tail of at most TAIL_CHARS
MAX_SIDE = 8
TAIL_CHARS = 80


@dataclass(frozen=True)
class Linked:
    """A sentence with its mentions (offsets inside ``sentence.text``) and its context."""

    sentence: Sentence
    mentions: tuple[Mention, ...]
    topic: str = ""
    label: tuple[str, ...] = ()
    label_text: str = ""

    @property
    def text(self) -> str:
        return self.sentence.text

    # Mentions are sorted and do not overlap, so starts and ends both ascend and every lookup below is a
    # binary search: a sentence of many mentions and verbs stays linear.
    @cached_property
    def starts(self) -> list[int]:
        return [m.start for m in self.mentions]

    @cached_property
    def ends(self) -> list[int]:
        ends = [m.end for m in self.mentions]
        assert ends == sorted(ends), "mentions overlap"
        return ends

    def within(self, start: int, end: int) -> list[Mention]:
        return list(self.mentions[bisect_left(self.starts, start) : bisect_right(self.ends, end)])

    def first_from(self, pos: int) -> int:
        """Index of the first mention starting at or after ``pos`` (``len(mentions)`` when none)."""
        return bisect_left(self.starts, pos)

    def last_before(self, pos: int) -> Mention | None:
        """The last mention ending at or before ``pos``."""
        i = bisect_right(self.ends, pos)
        return self.mentions[i - 1] if i else None

    @cached_property
    def clause_ends(self) -> list[int]:
        return [i for i, ch in enumerate(self.text) if ch in CLAUSE_END]

    def clause_start(self, i: int) -> int:
        j = bisect_left(self.clause_ends, i)
        return self.clause_ends[j - 1] + 1 if j else 0

    def clause_end(self, i: int) -> int:
        j = bisect_left(self.clause_ends, i)
        return self.clause_ends[j] if j < len(self.clause_ends) else len(self.text)

    @cached_property
    def heads(self) -> list[int]:
        """``heads[i]``: the mention a 的-chain from mention ``i`` ends in (see :func:`np_head`)."""
        heads = list(range(len(self.mentions)))
        for i in range(len(self.mentions) - 2, -1, -1):
            if _NP_GLUE.match(self.text[self.mentions[i].end : self.mentions[i + 1].start]):
                heads[i] = heads[i + 1]
        return heads

    @cached_property
    def body_start(self) -> int:
        if self.label_text:
            colon = re.search(r"[:：]", self.text)
            if colon:
                return colon.end()
        return len(self.text) - len(self.text.lstrip(" -*•#0123456789.、"))

    @cached_property
    def sequence_at(self) -> dict[int, int]:
        """Clause start -> end of the sequence word (然后, 最后...) opening that clause, or -1."""
        out: dict[int, int] = {}
        for cs in [0, *(e + 1 for e in self.clause_ends)]:
            m = _SEQUENCE_AT.match(self.text, cs)
            out[cs] = m.end() if m else -1
        return out


@dataclass(frozen=True)
class Rel:
    source: str
    target: str
    type: str
    rule: str
    sentences: tuple[Sentence, ...]


def link_sentence(s: Sentence, lexicon: Lexicon, topic: str = "") -> Linked:
    mentions = tuple(lexicon.link(s.text))
    label = label_of(s.text)
    keys = tuple(dict.fromkeys(m.key for m in lexicon.link(label))) if label else ()
    return Linked(s, mentions, topic, keys, label)


_NEGATION = re.compile(r"(?:不|没有?|未|无|非|并非|不能|无法|不再)\s*(?:能|会|可|可以|需要|必|再)?\s*$")


def negated(text: str, at: int) -> bool:
    """Whether a negation (不, 没有, 不能, 无法…) stands right before position ``at``: 文件可以不包含X states no part.

    >>> negated("文件可以不包含章节", 5), negated("文件包含章节", 2)
    (True, False)
    """
    return bool(_NEGATION.search(text, max(0, at - 6), at))


def _rel(src: str, tgt: str, type_: str, rule: str, *sents: Sentence) -> list[Rel]:
    return [Rel(src, tgt, type_, rule, sents)] if src and tgt and src != tgt else []


def np_head(ls: Linked, m: Mention) -> Mention:
    """Follow a 的-chain to its head: ``Transformer模型的压缩`` -> 压缩."""
    return ls.mentions[ls.heads[ls.first_from(m.start)]]


def subject(ls: Linked, before: int) -> str:
    """Who the sentence is about: a mention opening its body, its list label, or (after 它/这是) the topic."""
    body = ls.body_start
    for m in ls.mentions[ls.first_from(body) :]:
        if m.start > body + 25 or (ls.label and ls.text[body : m.start].strip(" *")):
            break  # a list item's body that does not open on a concept is about its label
        if m.end > before:
            continue
        if not _NOT_SUBJECT.search(ls.text[body : m.start]) and not re.search(
            r"[与和]\S{0,12}$", ls.text[body : m.start]
        ):
            return np_head(ls, m).key
    if ls.label:
        return ls.label[0]
    return ls.topic if _PRONOUN_AT.match(ls.text, body) else ""


def objects(ls: Linked, at: int) -> list[Mention]:
    """The noun phrase right after position ``at``: the first mention and those joined to it by 和/、/或."""
    out: list[Mention] = []
    for m in ls.mentions[ls.first_from(at) :]:
        gap = ls.text[out[-1].end if out else at : m.start]
        if (not out and len(gap.strip()) <= 4 and not re.search(r"[，,。；：:]", gap)) or (
            out and JOINER.match(gap)
        ):
            out.append(m)
        elif out or m.start - at > 4:
            break
    return out


def _sequenced(ls: Linked, i: int) -> bool:
    end = ls.sequence_at[ls.clause_start(i)]
    return 0 <= end <= i


def definition(ls: Linked) -> list[Rel]:
    """``X是一种(基于Z的)Y`` -> X instance-of Y, X uses Z."""
    m = re.search(r"是(?:一种|一个|一类)", ls.text)
    if not m:
        return []
    x = subject(ls, m.start())
    end = ls.clause_end(m.end())
    out: list[Rel] = []
    inside = ls.within(m.end(), end)
    if inside and GENERIC_TAIL.match(ls.text[inside[-1].end : end + 1]):
        out += _rel(x, inside[-1].key, "instance-of", "definition", ls.sentence)
    for b in re.finditer(r"基于", ls.text[m.end() : end]):
        for o in objects(ls, m.end() + b.end()):
            out += _rel(x, o.key, "uses", "definition", ls.sentence)
    return out


def uses(ls: Linked) -> list[Rel]:
    """``X通过/使用/采用 Y…`` -> X uses Y (not in clauses that continue a procedure)."""
    out: list[Rel] = []
    for v in USE_VERBS.finditer(ls.text):
        if (
            _sequenced(ls, v.start())
            or ls.text[max(0, v.start() - 1) : v.start()] in ("一", "可", "的")  # 的应用: a noun, "application"
            or ls.text[v.end() : v.end() + 1] == "于"
            or negated(ls.text, v.start())
        ):
            continue
        x = subject(ls, v.start())
        for o in objects(ls, v.end()):
            if not modifies(ls.text, o):
                out += _rel(x, o.key, "uses", "uses", ls.sentence)
    return out


def modifies(text: str, m: Mention) -> bool:
    """Whether a mention only qualifies the noun after it: 基于自注意力的架构 (的), 模拟量化误差 (a noun right
    after it). Then the sentence names it but does not state it as the object.

    >>> modifies("通过模拟量化误差提升精度", Mention("q", "量化", 4, 6))
    True
    >>> modifies("通过量化来压缩", Mention("q", "量化", 2, 4))
    False
    """
    after = text[m.end : m.end + 4]
    if after.startswith("的"):
        return True
    if not after or not is_cjk(after[0]):
        return False
    import jieba.posseg

    first = next(iter(jieba.posseg.dt.cut(after)), None)
    return first is not None and str(first.flag).startswith("n") and first.word[0] == after[0]


def _means(ls: Linked) -> list[str]:
    """The means a sentence names (use-objects, then examples), the same for each of its goal verbs."""
    found = [o.key for v in USE_VERBS.finditer(ls.text) for o in objects(ls, v.end())]
    ex = EXAMPLE.search(ls.text)
    if ex:
        found += [m.key for m in ls.mentions[ls.first_from(ex.end()) :]]
    return [k for k in dict.fromkeys(found) if k][: MAX_SIDE + 1]


def _actors(ls: Linked, target: str, verb_at: int, means: list[str]) -> list[str]:
    found = means or [subject(ls, verb_at)]
    return [k for k in found if k and k != target][:MAX_SIDE]


def goal(ls: Linked) -> list[Rel]:
    """``…以防止 Y`` / ``…实现 Y``: the means (use-objects, examples, label, subject) mitigates / serves Y."""
    out: list[Rel] = []
    means: list[str] | None = None
    for verbs, type_ in ((MITIGATE_VERBS, "mitigates"), (TECHNIQUE_VERBS, "technique-for")):
        for v in verbs.finditer(ls.text):
            i = ls.first_from(v.end())
            if i == len(ls.mentions) or not _VERB_GAP_AT.match(ls.text, v.end(), ls.mentions[i].start):
                continue
            target = np_head(ls, ls.mentions[i])
            if ls.text[target.end : target.end + 2].strip()[:1] in ("中", "里", "内", "的"):
                continue  # the concept only locates or qualifies the object (ReLU 中神经元死亡的问题, 大模型的训练)
            means = _means(ls) if means is None else means
            for actor in _actors(ls, target.key, v.start(), means):
                out += _rel(actor, target.key, type_, "goal", ls.sentence)
    return out


def _contrast_pairs(ls: Linked) -> list[tuple[str, str]]:
    t = ls.text
    m = re.search(r"而(?:不是|非)", t)
    if m:
        a = [x for x in ls.mentions if x.end <= m.start()]
        b = objects(ls, m.end())
        return [(a[-1].key, o.key) for o in b] if a else []
    for m in re.finditer(r"与|相较于|相比于|不同于|相对于", t):
        group = objects(ls, m.end())
        if not group or not _CONTRAST_TAIL.match(t, group[-1].end):
            continue
        before = [x for x in ls.mentions if x.end <= m.start()]
        after = [x for x in ls.mentions if x.start >= group[-1].end]
        if before and not t[before[-1].end : m.start()].strip():
            s = before[-1].key
        else:
            s = after[0].key if after else (before[0].key if before else ls.topic)
        return [(s, g.key) for g in group]
    m = re.search(r"的\S{0,6}?(?:区别|不同|差异)", t)
    if m:
        pair = [x for x in ls.mentions if x.end <= m.start()][-2:]
        if (
            len(pair) == 2
            and JOINER.match(t[pair[0].end : pair[1].start])
            and not t[pair[1].end : m.start()].strip()
        ):
            return [(pair[0].key, pair[1].key)]
    return []


def contrast(ls: Linked) -> list[Rel]:
    """``与 A 相比，B…`` / ``A 而不是 B`` / ``A 和 B 的区别`` -> contrasts-with."""
    if not CONTRAST_WORDS.search(ls.text):
        return []
    return [r for a, b in _contrast_pairs(ls) for r in _rel(a, b, "contrasts-with", "contrast", ls.sentence)]


def example(ls: Linked) -> list[Rel]:
    """``Y（如 A、B）`` -> A, B instance-of Y; ``Y 的改进和变体（如 A）`` -> variant-of Y."""
    out: list[Rel] = []
    # the first 变体 of the sentence; a bracket after it is a list of variants
    variant = _VARIANT.search(ls.text)
    content_end = len(ls.text.rstrip(" 。.;；"))
    # each bracket pair is matched on its own span, so the lazy example pattern never rescans the sentence
    for pair in _BRACKETED.finditer(ls.text):
        b = _EXAMPLE_INSIDE.match(ls.text, pair.start(), pair.end())
        if not b:
            continue
        examples = ls.within(b.start(2), b.end(2))
        last = ls.last_before(b.start())
        cls, type_ = "", "instance-of"
        if variant and variant.end() <= b.start():
            near = ls.last_before(min(b.start(), variant.start(1) + len(variant.group(1)) + 6))
            cls, type_ = (near.key, "variant-of") if near else ("", type_)
        elif (
            last
            and b.start() - last.end <= TAIL_CHARS
            and _GENERIC_TAIL_AT.match(ls.text, last.end, b.start())
            and not b.group(1)
        ):
            cls = last.key
        elif ls.label and b.end() >= content_end:
            cls = ls.label[0]
        for e in examples:
            out += _rel(e.key, cls, type_, "example", ls.sentence)
    return out


def composition(ls: Linked) -> list[Rel]:
    """``X 由 A 和 B 组成`` / ``X 包含 A、B`` / a ``结构组成：A+B`` label -> A part-of X."""
    out: list[Rel] = []
    t = ls.text
    first = ls.mentions[0].key if ls.mentions else ""
    for m in re.finditer(r"由(.{1,40}?)(?:组成|构成)|包含|含有", t):
        if negated(t, m.start()):
            continue
        cs = ls.clause_start(m.start())
        if m.group(0).startswith("由"):
            parts = ls.within(m.start(1), m.end(1))
        else:
            parts = objects(ls, m.end())
        wholes = [x.key for x in ls.within(cs, m.start())[-MAX_SIDE:]] or [
            first if first and ls.mentions[0].end <= cs else ls.topic
        ]
        out += [
            r for w in wholes for p in parts for r in _rel(p.key, w, "part-of", "composition", ls.sentence)
        ]
    if re.search(r"组成|组件", ls.label_text) and ls.topic:
        colon = re.search(r"[:：]", t)
        for p in ls.within(colon.end(), len(t)) if colon else []:
            out += _rel(p.key, ls.topic, "part-of", "composition", ls.sentence)
    return out


CHINESE_RULES = (definition, uses, goal, contrast, example, composition)
