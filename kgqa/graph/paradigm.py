"""Chinese compound terms the text forms in a series: one head noun after several modifiers.

A manual names its tools 路径工具, 文字工具, 克隆工具, 剪裁工具; notes name their models 教师模型, 学生模型, 语言模型.
When the corpus writes one head noun (工具, 模型) after at least ``TERMHOOD.paradigm_modifiers`` different noun
modifiers, each modifier + head written at least twice is a candidate term (termhood still decides). A compound
that is mostly written inside a longer one (精度训练 inside 混合精度训练, 化方法 inside 量化方法, 文件许可 before
声明) is a fragment of that one and no candidate. Segmentation and parts of speech are jieba's.

>>> from kgqa.graph.model import Sentence
>>> texts = ["选择路径工具。", "路径工具画线。", "克隆工具复制像素。", "用克隆工具。", "文字工具写字。", "文字工具。"]
>>> sorted(t.zh for t in paradigm_terms([Sentence("c", "d", 0, len(x), x) for x in texts]))
['克隆工具', '文字工具', '路径工具']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kgqa.graph.model import Sentence, Term
from kgqa.graph.terms import good_zh
from kgqa.graph.text import concept_id
from kgqa.text import is_cjk
from kgqa.tuning import TERMHOOD

# jieba's classes of a modifier that names a kind: nouns, proper and other nouns, verbal nouns, distinguishing
# words (同步, 异步), abbreviations (jieba reads many technical words as names: 克隆 nr); adjectives (新, 小),
# verbs and function words describe or act, they do not name
_MODIFIER_POS = ("n", "vn", "b", "j")
_HEAD_POS = ("n", "vn", "nz")


def _pairs(text: str) -> list[tuple[str, str, int, str]]:
    """(modifier, head, offset of the compound, the noun right after it or "") for consecutive Chinese words of
    ``text``."""
    import jieba.posseg

    out = []
    at = 0
    words = []
    for p in jieba.posseg.dt.cut(text):
        words.append((str(p.word), str(p.flag), at))
        at += len(str(p.word))
    for i, ((w1, f1, a1), (w2, f2, _)) in enumerate(zip(words, words[1:], strict=False)):
        if not all(is_cjk(c) for c in w1 + w2) or len(w2) < 2:
            continue
        if f1.startswith(_MODIFIER_POS) and f2.startswith(_HEAD_POS):
            w3, f3, _ = words[i + 2] if i + 2 < len(words) else ("", "", 0)
            after = w3 if w3 and all(is_cjk(c) for c in w3) and f3.startswith(_HEAD_POS) else ""
            out.append((w1, w2, a1, after))
    return out


def paradigm_terms(sentences: Sequence[Sentence]) -> list[Term]:
    """Candidate compounds of the corpus's series, each with the first sentence that writes it."""
    found: dict[str, list[tuple[Sentence, int, str]]] = {}
    modifiers: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    for s in sentences:
        if not any(is_cjk(c) for c in s.text):
            continue
        for mod, head, at, after in _pairs(s.text):
            compound = mod + head
            if 3 <= len(compound) <= TERMHOOD.max_marked_zh and good_zh(compound):
                found.setdefault(compound, []).append((s, at, after))
                modifiers.setdefault(head, set()).add(mod)
                heads.setdefault(compound, set()).add(head)
    out = []
    for compound, where in sorted(found.items()):
        series = max(len(modifiers[h]) for h in heads[compound])
        if series < TERMHOOD.paradigm_modifiers or len(where) < TERMHOOD.min_weak_count:
            continue
        before = Counter(s.text[at - 1] if at and is_cjk(s.text[at - 1]) else "" for s, at, _ in where)
        follows = Counter(a for _, _, a in where)
        if any(x and n >= 2 and n * 2 > len(where) for x, n in (*before.most_common(1), *follows.most_common(1))):
            continue  # a fragment of a longer compound the text writes (混合精度训练; 文件许可声明)
        s = where[0][0]
        out.append(Term(concept_id(compound), "", compound, (), "compound", s.evidence("compound")))
    return out
