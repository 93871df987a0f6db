"""Extractive answer composition: pick the sentences that answer each part of the question.

Pure: candidates are the sentences of the top hits; each is scored by its cosine to the
question vector (computed once for retrieval), its overlap with the question's keywords
(including cross-lingual expansions) and the rank of its chunk. Headings, bare labels
("回答：") and code are never quoted unless the question asks for code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kgqa.ingest.sentences import Sentence
from kgqa.types import Hit

CHUNKS_PER_PART = 3
MAX_SENTENCES_PER_PART = 3
CHAR_BUDGET = 260
KEEP_RATIO = 0.9
_CODE_WORDS = re.compile(r"代码|实现|code|implement|snippet", re.I)
_LABEL_ONLY = re.compile(r"^[\W\s]*(\*\*)?(题目|答案|问题|回答|解析|内容|目标)[:：]?(\*\*)?[:：]?\s*$")
_QUESTION_ECHO = re.compile(r"^\**\s*题目[:：]")


@dataclass(frozen=True)
class Picked:
    part: int
    sentence: Sentence
    score: float
    hit_rank: int
    hit: Hit


def _quotable(s: Sentence, allow_code: bool) -> bool:
    from kgqa.ingest.structure import is_code_line

    if s.is_heading or len(s.plain) < 6 or _LABEL_ONLY.match(s.text) or _QUESTION_ECHO.match(s.text):
        return False
    return allow_code or not is_code_line(s.text)


def lexical_overlap(query_tokens: set[str], sentence_tokens: Sequence[str]) -> float:
    """Share of the question's keywords the sentence contains, longer words counting more."""
    if not query_tokens:
        return 0.0
    have = set(sentence_tokens)
    weight = {t: min(len(t), 4) for t in query_tokens}
    return sum(w for t, w in weight.items() if t in have) / sum(weight.values())


def score_candidates(
    question: str,
    keyword_text: str,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentences: Mapping[str, list[Sentence]],
    vectors: Mapping[str, np.ndarray],
    tokenize: Callable[[str], list[str]],
) -> list[tuple[float, int, Sentence, Hit]]:
    allow_code = bool(_CODE_WORDS.search(question))
    q_tokens = set(tokenize(keyword_text))
    out = []
    for rank, hit in enumerate(hits[:CHUNKS_PER_PART]):
        sents = sentences.get(hit.chunk.chunk_id, [])
        sims = vectors[hit.chunk.chunk_id] @ query_vector if sents else np.zeros(0)
        for s, sim in zip(sents, sims, strict=True):
            if not _quotable(s, allow_code):
                continue
            lex = lexical_overlap(q_tokens, tokenize(s.plain))
            score = float(sim) + 0.25 * lex - 0.03 * rank - 0.004 * s.index
            out.append((round(score, 5), rank, s, hit))
    return sorted(out, key=lambda t: (-t[0], t[1], t[2].start))


def pick_sentences(part: int, scored: Sequence[tuple[float, int, Sentence, Hit]]) -> list[Picked]:
    """The best sentence, plus close runners-up (same chunk or above KEEP_RATIO of the best) within budget."""
    if not scored:
        return []
    best_score, best_rank, best, best_hit = scored[0]
    picked = [Picked(part, best, best_score, best_rank, best_hit)]
    used = len(best.text)
    for score, rank, s, hit in scored[1:]:
        if len(picked) >= MAX_SENTENCES_PER_PART or used + len(s.text) > CHAR_BUDGET:
            continue
        same_chunk_next = s.chunk_id == best.chunk_id and abs(s.index - best.index) == 1
        if score >= best_score * KEEP_RATIO and (same_chunk_next or score >= best_score * 0.97):
            picked.append(Picked(part, s, score, rank, hit))
            used += len(s.text)
    return sorted(picked, key=lambda p: (p.hit_rank, p.sentence.start))
