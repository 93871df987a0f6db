"""Question analysis: language, parts, follow-up resolution, concept linking and cross-lingual expansion.

Pure functions over the question, the history and a concept linker (the graph).

>>> detect_language("What is RoPE?"), detect_language("什么是RoPE？")
('en', 'zh')
>>> split_parts("什么是知识蒸馏？它有哪些关键点？")
['什么是知识蒸馏？', '它有哪些关键点？']
>>> split_coordinated("BERT和GPT分别使用了哪一部分？", [(0, 4), (5, 8)])
['BERT使用了哪一部分？', 'GPT使用了哪一部分？']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kgqa.errors import InputError
from kgqa.retrieve.normalise import plain
from kgqa.types import Concept

_EN_FOLLOWUP = re.compile(
    r"^(and|but|so|what about|how about|then)\b|\b(it|its|it's|they|them|their|this|that|these|those)\b", re.I
)
_ZH_FOLLOWUP = re.compile(r"^(那|那么|还有|另外|其|它|这个|那个|这种|该)|它|它们|其|这个方法|这种方法|上述")
# a comparison or a relation between the concepts is one question about both, never split
_COMPARE = re.compile(
    r"区别|不同|对比|比较|差异|相比|异同|关系|联系|关联|\bvs\.?\b|versus|differ|compar|contrast|relat|connect", re.I
)
_CONJ = re.compile(r"^\s*(?:和|与|及|以及|、|,|，|&|and|or)\s*$", re.I)
_EACH = re.compile(r"\s*(?:分别|各自|各|\beach\b|\brespectively\b|\bboth\b)\s*", re.I)
_EN_PART = re.compile(r"\s*(?:;|\?|\band (?=(?:what|how|why|when|which|where|who)\b))\s*", re.I)


class ConceptLinker(Protocol):
    def link(self, text: str) -> list[tuple[str, str, int, int]]: ...

    def concept(self, id_or_name: str) -> Concept: ...


@dataclass
class QueryPart:
    text: str  # the part as asked
    resolved: str  # with the conversation's subject filled in for follow-ups
    concepts: list[str] = field(default_factory=list)
    dense_text: str = ""
    keyword_text: str = ""
    read: str = ""  # ``resolved`` as the channels and the composer read it (``retrieve/normalise.py``)


@dataclass
class QueryPlan:
    question: str
    language: str
    parts: list[QueryPart]
    concepts: list[str]
    followup: bool = False
    read: str = ""  # the question as retrieval reads it (typos mended, fillers dropped), for the decision


def detect_language(text: str) -> str:
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk and cjk * 3 >= latin else "en"


def split_parts(question: str) -> list[str]:
    """Separate sub-questions: at Chinese question marks/semicolons, and English '?', ';', 'and what/how/...'."""
    pieces = [p for p in re.split(r"(?<=[？；])", question) if p.strip()]
    out: list[str] = []
    for piece in pieces:
        if detect_language(piece) == "en":
            out += [p.strip().rstrip("?") + "?" for p in _EN_PART.split(piece) if p and len(p.strip()) > 3]
        else:
            out.append(piece.strip())
    merged: list[str] = []
    for p in out:
        if merged and len(re.sub(r"\W", "", p)) < 4:
            merged[-1] += p  # a tail too short to be a question of its own
        else:
            merged.append(p)
    return merged or [question.strip()]


def split_coordinated(text: str, mentions: Sequence[tuple[int, int]]) -> list[str]:
    """One question about several coordinated concepts ("A和B分别是什么", "Explain A and B") becomes one
    question per concept; a comparison ("A和B有什么区别") stays whole."""
    if _COMPARE.search(text) or len(mentions) < 2:
        return [text]
    spans = sorted(mentions)
    for i in range(len(spans) - 1):
        chain = [spans[i]]
        for nxt in spans[i + 1 :]:
            if not _CONJ.match(text[chain[-1][1] : nxt[0]]):
                break
            chain.append(nxt)
        if len({text[s:e].lower() for s, e in chain}) >= 2:  # one concept named twice is one question
            head, tail = text[: chain[0][0]], text[chain[-1][1] :]
            tail = _EACH.sub(" " if tail[:1].isascii() and tail.strip()[:1].isalpha() else "", tail, count=1)
            return [f"{head}{text[s:e]}{tail}".strip() for s, e in chain]
    return [text]


def is_followup(text: str) -> bool:
    if detect_language(text) == "zh":
        return bool(_ZH_FOLLOWUP.search(text)) and len(text) <= 30
    return bool(_EN_FOLLOWUP.search(text)) and len(text.split()) <= 12


def last_user_turn(history: Sequence[dict[str, str]]) -> str:
    for turn in reversed(history):
        if turn.get("role") == "user" and turn.get("content", "").strip():
            return turn["content"].strip()
    return ""


def check_history(history: Sequence[object] | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for i, turn in enumerate(history or []):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") or not isinstance(
            turn.get("content"), str
        ):
            raise InputError(
                f"history[{i}] must be {{'role': 'user'|'assistant', 'content': str}}, got {turn!r}"
            )
        out.append({"role": turn["role"], "content": turn["content"]})
    return out


def _labels(linker: ConceptLinker, ids: Sequence[str], language: str) -> list[str]:
    """The other language's labels (and English aliases) of linked concepts, for expansion."""
    out: list[str] = []
    for cid in ids:
        c = linker.concept(cid)
        if language == "en":
            out += [c.label_zh] if c.label_zh else []
        else:
            out += [c.label] + [a for a in c.aliases if a.isascii()][:2]
    return [x for x in dict.fromkeys(out) if x]


def linked_ids(linker: ConceptLinker, text: str) -> list[str]:
    return list(dict.fromkeys(cid for cid, *_ in linker.link(text)))


def analyse(question: str, history: Sequence[dict[str, str]], linker: ConceptLinker,
            speller: Callable[[str], str] | None = None) -> QueryPlan:
    """Plan the retrieval of each part of ``question``; ``speller`` mends the slips the linker does not read
    through (``normalise.Speller.correct``)."""
    language = detect_language(question)
    previous = last_user_turn(history)
    prior_concepts = linked_ids(linker, previous) if previous else []
    parts: list[QueryPart] = []
    followup = False
    pieces = [p for piece in split_parts(question)
              for p in split_coordinated(piece, [(s, e) for _, _, s, e in linker.link(piece)])]
    anchor, anchor_concepts = "", list[str]()  # the last part of this question that stands on its own
    for text in pieces:
        # the concepts of the question as asked and as mended: a slip the linker does not read through (data
        # parlalel) must not lose the concept it names
        own = linked_ids(linker, text)
        mended = speller(text) if speller else text
        if mended != text:
            own = list(dict.fromkeys(own + linked_ids(linker, mended)))
        resolved = text
        elliptic = is_followup(text) or not own
        if anchor and elliptic:
            # a later part that names nothing of its own asks on about an earlier one ("tabs or spaces? how
            # many?", "字符串能改吗？不能的话怎么办"): it is read with that part, as a follow-up is read with the
            # turn before
            resolved = f"{anchor} {text}"
            own = list(dict.fromkeys(own + anchor_concepts))
        elif previous and elliptic:
            followup = True
            resolved = f"{previous} {text}"
            own = list(dict.fromkeys(own + prior_concepts))
        if not anchor or not elliptic:
            anchor, anchor_concepts = resolved, own
        expansion = _labels(linker, own, language)
        # the channels read the question with the typos the linker reads through corrected (gmip -> gimp)
        fixed = linker.correct(resolved) if hasattr(linker, "correct") else resolved
        # and without fillers, with standard question words and the corpus's spelling: none of it changes
        # what is asked, so none of it may change what is found
        read = plain(speller(fixed) if speller else fixed)
        parts.append(
            QueryPart(
                text=text,
                resolved=resolved,
                concepts=own,
                dense_text=" ".join([read, *expansion]) if language == "en" else read,
                keyword_text=" ".join([read, *expansion]),
                read=read,
            )
        )
    concepts = list(dict.fromkeys(c for p in parts for c in p.concepts))
    # the decision reads the speller's mending, not the linker's correction: the linker rewrites any word near a
    # concept's name into it, which would make a term the corpus lacks look like one it has
    read = plain(speller(question) if speller else question)
    return QueryPlan(question, language, parts, concepts, followup, read)
