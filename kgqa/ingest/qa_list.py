"""Questions listed apart from their answers: detect the list, attach each answer to its question.

Some notes list all questions first and answer them later under short titles
("位置编码", "防止过拟合"), in the same order but not for every question. We align
answers to questions monotonically (dynamic programming over character-bigram overlap),
so an answer can only take a question that comes after the previous answer's question.

>>> align_answers(["什么是位置编码?", "如何防止过拟合?"], ["位置编码", "防止过拟合"])
{0: 0, 1: 1}
"""

from __future__ import annotations

import re

from kgqa.ingest.structure import SEPARATOR, Line, Section
from kgqa.tuning import QUESTION_LISTS

QUESTION_MARK = re.compile(r"[?？]")
ANSWERS_FOLLOW = re.compile(r"^(以下是答案|答案如下|参考答案|answers?)[:：]?$", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")


def question_list(section: Section) -> list[Line]:
    """The question lines of ``section`` if it is mainly a bare list of questions (no answers)."""
    body = [ln for ln in section.lines if ln.stripped and not SEPARATOR.match(ln.text)]
    items = [ln for ln in body if not ANSWERS_FOLLOW.match(ln.stripped)]
    if not items or any(len(ln.stripped) > 200 for ln in items):
        return []
    asked = sum(1 for ln in items if QUESTION_MARK.search(ln.text))
    return items if asked >= QUESTION_LISTS.min_questions and asked >= QUESTION_LISTS.min_question_share * len(items) \
        else []


def _features(text: str) -> set[str]:
    t = text.lower()
    cjk = [c for c in t if "\u4e00" <= c <= "\u9fff"]
    grams = {a + b for a, b in zip(cjk, cjk[1:], strict=False)}
    return grams | set(_WORD.findall(t))


def similarity(title: str, question: str) -> float:
    """Share of the answer title's bigrams and words that the question contains."""
    a, q = _features(title), _features(question)
    return len(a & q) / len(a) if a else 0.0


def align_answers(questions: list[str], answers: list[str]) -> dict[int, int]:
    """Map answer index -> question index, order-preserving, maximising total similarity."""
    n, m = len(answers), len(questions)
    sims = [[similarity(a, q) for q in questions] for a in answers]
    # best[i][j]: best total using answers[:i] and questions[:j]
    floor = QUESTION_LISTS.min_similarity
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            take = best[i - 1][j - 1] + (sims[i - 1][j - 1] if sims[i - 1][j - 1] >= floor else 0.0)
            best[i][j] = max(take, best[i - 1][j], best[i][j - 1])
    pairs: dict[int, int] = {}
    i, j = n, m
    while i > 0 and j > 0:
        s = sims[i - 1][j - 1]
        if s >= floor and best[i][j] == best[i - 1][j - 1] + s:
            pairs[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return _fill_gaps(pairs, n, m)


def _fill_gaps(pairs: dict[int, int], n: int, m: int) -> dict[int, int]:
    """Between two aligned answers, unaligned answers take the questions in between when
    the counts agree: the list and the answers follow the same order."""
    anchors = [(-1, -1), *sorted(pairs.items()), (n, m)]
    filled = dict(pairs)
    for (a0, q0), (a1, q1) in zip(anchors, anchors[1:], strict=False):
        if a1 - a0 > 1 and a1 - a0 == q1 - q0 and (a0, q0) != (-1, -1) and (a1, q1) != (n, m):
            for k in range(1, a1 - a0):
                filled[a0 + k] = q0 + k
    return dict(sorted(filled.items()))
