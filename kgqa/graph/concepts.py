"""Merging names into concepts, on purpose rather than by accident.

Two names are one concept when (1) they fold to the same surface (case, width, hyphens,
an English plural: ``Residual Connections`` = ``residual connection``), (2) a Chinese
name differs only by a generic suffix (``自注意力机制`` = ``自注意力``, ``RETRO模型`` = ``RETRO``),
(3) a pair or alias sentence ties them (``知识蒸馏（Knowledge Distillation）``), or (4) the
glossary lists them as one concept (``模型剪枝`` = ``剪枝``).

Names that merely contain another (``全精度量化`` vs ``量化``) stay distinct; the
``lexical-head`` rule links them with ``variant-of``.

>>> drafts, where = merge_names([("Self-Attention", "自注意力机制", ()), ("", "自注意力", ())], [])
>>> [(d.id, d.en, d.zh) for d in drafts], where
([('self-attention', 'Self-Attention', '自注意力')], [0, 0])
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from kgqa.graph.glossary import GlossaryConcept
from kgqa.graph.text import concept_id, normalise
from kgqa.text import is_cjk

GENERIC_SUFFIXES = ("机制", "模型", "函数", "操作", "方法", "技术", "算法")

Name = tuple[str, str, tuple[str, ...]]  # (en, zh, aliases)


@dataclass
class Draft:
    id: str
    en: str
    zh: str
    surfaces: list[str] = field(default_factory=list)
    glossary: bool = False


def merge_keys(surface: str, as_written: bool = False) -> list[str]:
    """The keys under which ``surface`` meets other names; code (``as_written``) meets no other number of itself
    (``dumps`` and ``dump`` are two functions).

    >>> merge_keys("dumps"), merge_keys("dumps", as_written=True)
    (['dumps', 'en:dump'], ['dumps', 'en:dumps'])
    """
    norm = normalise(surface)
    if not norm:
        return []
    keys = [norm]
    if norm.isascii():
        keys.append("en:" + concept_id(norm, as_written))
    for suffix in GENERIC_SUFFIXES:
        stem = norm[: -len(suffix)].strip()
        if norm.endswith(suffix) and len(stem) >= 2 and (not stem.isascii() or len(stem) >= 3):
            keys.append(stem)
            if stem.isascii():
                keys.append("en:" + concept_id(stem))
    return keys


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i


def _pick(values: list[str], shortest: bool = False) -> str:
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    return sorted(counts, key=lambda v: (-counts[v], len(v) if shortest else 0, v))[0]


def merge_names(
    names: Sequence[Name], glossary: Sequence[GlossaryConcept], code: Sequence[bool] = ()
) -> tuple[list[Draft], list[int]]:
    """Group glossary concepts and mined names; returns the drafts and each name's draft index. ``code[i]``: the
    i-th name is code, merged and named as spelled (``merge_keys``).

    Glossary concepts come first and are never merged with each other.
    """
    entries: list[tuple[str, str, tuple[str, ...], str]] = [(g.en, g.zh, g.aliases, g.id) for g in glossary]
    entries += [(en, zh, aliases, "") for en, zh, aliases in names]
    written = [False] * len(glossary) + [bool(c) for c in code] + [False] * (len(names) - len(code))
    uf = _Union(len(entries))
    owner_gid: dict[int, str] = {i: e[3] for i, e in enumerate(entries) if e[3]}
    first_at: dict[str, int] = {}
    for i, (en, zh, aliases, _) in enumerate(entries):
        for surface in (en, zh, *aliases):
            for key in merge_keys(surface, written[i]):
                j = first_at.setdefault(key, i)
                a, b = uf.find(i), uf.find(j)
                if a != b and not (a in owner_gid and b in owner_gid):
                    lo, hi = sorted((a, b))
                    uf.parent[hi] = lo
                    if hi in owner_gid:
                        owner_gid[lo] = owner_gid.pop(hi)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(uf.find(i), []).append(i)
    drafts: list[Draft] = []
    where = [0] * len(entries)
    for root in sorted(groups):
        members = groups[root]
        drafts.append(_draft([entries[i] for i in members], owner_gid.get(root, ""),
                             {entries[i][0] for i in members if written[i]}))
        for i in members:
            where[i] = len(drafts) - 1
    return drafts, where[len(glossary) :]


def _draft(members: list[tuple[str, str, tuple[str, ...], str]], gid: str, code: set[str]) -> Draft:
    gloss = next((m for m in members if m[3]), None)
    ens = [m[0] for m in members if m[0]]
    zhs = [m[1] for m in members if m[1]]
    en = gloss[0] if gloss else _pick(ens)
    zh = gloss[1] if gloss and gloss[1] else _pick(zhs, shortest=True)
    if not zh:  # an English-only alias list may still carry a Chinese name
        zh = _pick([a for m in members for a in m[2] if a and is_cjk(a[0])], shortest=True)
    cid = gid or (concept_id(en, en in code) if en else zh)
    surfaces: dict[str, str] = {}
    for m in members:
        for s in (m[0], m[1], *m[2]):
            if s:
                surfaces.setdefault(normalise(s), s)
    return Draft(cid, en, zh, [surfaces[k] for k in sorted(surfaces)], glossary=gloss is not None)


_HEAD_STRIP = ("机制", "模型", "函数", "操作")


def _stem(norm: str) -> str:
    for suffix in _HEAD_STRIP:
        if norm.endswith(suffix) and len(norm) - len(suffix) >= 2:
            return norm[: -len(suffix)]
    return norm


def _heads_of(stem: str, surface: str = "") -> list[str]:
    """Candidate head words of a folded name: its proper suffixes, and for a version or edition mark (``GPT-3``,
    ``Transformer-XL``: digits or capitals as written) the name it marks. ``Python-fu`` is no edition of Python.
    An identifier or a file name (``__init__.py``, ``sys_path``) is no compound: its underscores join no words.

    >>> _heads_of("init .py", "__init__.py"), _heads_of("self attention", "self-attention")
    ([], ['attention'])
    """
    if "_" in surface:
        return []
    if stem.isascii():
        words = stem.split(" ")
        out = [" ".join(words[i:]) for i in range(1, len(words))]
        mark = re.split(r"[\s_\-]+", surface.strip())[-1] if surface else words[-1]
        if len(words) == 2 and len(words[1]) <= 3 and (any(c.isdigit() for c in mark) or mark.isupper()):
            out.append(words[0])
        return out
    return [stem[i:] for i in range(1, len(stem) - 1) if stem[:i] != "模型"]


def lexical_heads(names: dict[str, tuple[list[str], list[str]]]) -> list[tuple[str, str]]:
    """(compound, head) id pairs: a name that ends in another concept's label (全精度量化 / 量化).

    ``names`` maps id -> (labels, all surfaces); only labels count as heads, so a loose
    alias (压缩 for 模型压缩) never makes every ``…压缩`` a variant.

    >>> lexical_heads({"q": (["量化"], ["量化"]), "fq": (["全精度量化"], ["全精度量化"])})
    [('fq', 'q')]
    """
    index: dict[str, set[str]] = {}
    for cid, (labels, _) in names.items():
        for label in labels:
            stem = _stem(normalise(label))
            if len(stem) >= 2:
                index.setdefault(stem, set()).add(cid)
    pairs: set[tuple[str, str]] = set()
    for cid, (_, surfaces) in names.items():
        for surface in surfaces:
            for head in _heads_of(_stem(normalise(surface)), surface):
                pairs |= {(cid, h) for h in index.get(head, ()) if h != cid}
    return sorted(pairs)
