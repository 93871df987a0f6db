"""Relation rules that read more than one sentence: enumerations, procedures, chunk topics.

- ``enumeration``: an intro line (``以下是一些量化方法：``, ``关键步骤：``, ``改进方案包括：``) and
  the list items under it. The intro's keyword picks the relation (方法 -> instance-of or, with
  a goal verb, mitigates / technique-for; 步骤 -> has-step; 组件 -> part-of; 改进/变体 -> variant-of).
- ``procedure``: clauses opened by 再/然后/接着/最后 continue a chain of operations:
  topic -has-step-> first operation -followed-by-> next operation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kgqa.graph.lexicon import Lexicon, Mention
from kgqa.graph.patterns import MITIGATE_VERBS, SEQUENCE, TECHNIQUE_VERBS, Linked, Rel, _rel, np_head, subject
from kgqa.graph.terms import heading_terms
from kgqa.graph.text import clauses

ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}\s*[.、)])")
_INTRO_TYPES = [
    (re.compile(r"优势|优点|缺点|问题|挑战|区别|特点|考点|维度|建议|目标|内容"), ""),
    (re.compile(r"步骤|流程"), "has-step"),
    (re.compile(r"组件|组成|构成|部分|模块|关键点|要点"), "part-of"),
    (re.compile(r"改进|变体|变种"), "variant-of"),
    (re.compile(r"方法|技术|方案|策略|措施|技巧|手段|包括|如下"), "method"),
]
_POINTS_BACK = re.compile(r"(?:^|[，,：:])\s*(?:这是|这个|它|其|该)")
ACTION = re.compile(r"进行|应用|使用|通过|经过|采用|计算|执行")


def topic_of(headings: Sequence[str], lexicon: Lexicon) -> str:
    """The concept a chunk is about: from its deepest heading that names one."""
    for h in reversed(headings):
        for f in heading_terms(h):
            key = lexicon.get(f.en or f.zh)
            if key:
                return key
        ms = lexicon.link(h)
        tail = [
            m
            for m in ms
            if len(h.rstrip("？? ")) - m.end <= 2 and not re.search(r"[与和/]\s*$", h[: m.start])
        ]
        if tail or ms:
            return (tail or ms)[0].key
    return ""


def _goal_target(ls: Linked) -> tuple[str, str]:
    for verbs, type_ in ((MITIGATE_VERBS, "mitigates"), (TECHNIQUE_VERBS, "technique-for")):
        for v in verbs.finditer(ls.text):
            hit = next((m for m in ls.mentions if v.end() <= m.start <= v.end() + 3), None)
            if hit and not re.search(r"[，,、和]", ls.text[v.end() : hit.start]):
                return type_, np_head(ls, hit).key
    return "", ""


def _classify(intro: Linked, header: Sequence[Linked]) -> tuple[str, str]:
    """(relation type, the concept the items relate to) for a list intro, or ('', '')."""
    kind = next((t for pat, t in _INTRO_TYPES if pat.search(intro.text)), None)
    if kind is None:  # a bare "解析：" under "如何减少X？" lists ways to reduce X
        return next((g for ls in header if (g := _goal_target(ls))[1]), ("", ""))
    if not kind:
        return "", ""
    if kind == "method":
        for ls in (intro, *header):
            type_, target = _goal_target(ls)
            if target:
                return type_, target
        kind = "instance-of"
    if kind in ("has-step", "part-of"):
        return kind, subject(intro, len(intro.text)) or intro.topic
    near = [m for m in intro.mentions if m.end <= len(intro.text)]
    return kind, (near[-1].key if near else intro.topic)


def enumeration(chunk: Sequence[Linked], header: Sequence[Linked]) -> list[Rel]:
    out: list[Rel] = []
    intro: Linked | None = None
    for ls in chunk:
        if ls.sentence.kind == "cont":
            continue
        if ITEM.match(ls.text) and intro is not None:
            type_, x = _classify(intro, header)
            for item in ls.label:
                if type_ == "has-step":
                    out += _rel(x, item, type_, "enumeration", ls.sentence, intro.sentence)
                elif type_:
                    out += _rel(item, x, type_, "enumeration", ls.sentence, intro.sentence)
            continue
        intro = ls if ls.text.rstrip().endswith((":", "：")) else None
    return out


def _operation(ls: Linked, start: int, end: int) -> Mention | None:
    """The operation a clause performs: the first concept after its action verb (通过/进行/应用…)."""
    act = ACTION.search(ls.text, start, end)
    if not act:
        return None
    return next((m for m in ls.mentions if m.start >= act.end() and m.end <= end), None)


def procedure(chunk: Sequence[Linked]) -> list[Rel]:
    """Chains of operations: a clause opened by 再/然后/… continues the previous clause's operation.

    The chain may cross a sentence end (``…再进行缩放。然后应用 softmax``); a clause with an
    operation but no sequence word starts a new candidate chain.
    """
    out: list[Rel] = []
    last: Mention | None = None
    last_ls: Linked | None = None
    before: Linked | None = None  # the sentence before last_ls
    started = False
    for prev, ls in zip([None, *chunk], chunk, strict=False):
        if ls.sentence.kind not in ("body", "cont"):
            last, started = None, False
            continue
        for c in clauses(ls.text):
            marked = bool(SEQUENCE.match(c.value))
            op = _operation(ls, c.start, c.end)
            if op is None:
                continue
            if marked and last is not None and last_ls is not None and op.key != last.key:
                # a step may continue the sentence before (…再进行缩放。然后应用 softmax): both are cited
                cite = (ls.sentence,) if last_ls is ls else (last_ls.sentence, ls.sentence)
                if last.key == ls.topic:
                    out += _rel(ls.topic, op.key, "has-step", "procedure", *cite)
                else:
                    if not started:
                        # "这是通过…来实现的": the topic is named by the sentence the pronoun points back to
                        lead = (before.sentence,) if before is not None and _POINTS_BACK.search(last_ls.text) else ()
                        out += _rel(ls.topic, last.key, "has-step", "procedure", *lead, last_ls.sentence)
                    out += _rel(last.key, op.key, "followed-by", "procedure", *cite)
                started = True
            elif not marked:
                started = False
            if last_ls is not ls:
                before = prev
            last, last_ls = op, ls
    return out
