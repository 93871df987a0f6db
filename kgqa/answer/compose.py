"""Extractive answer composition: pick the sentences that answer each part of the question.

Pure. Candidates are the sentences of the top hits, scored by cosine to the question
vector (computed once for retrieval), overlap with the question's keywords (including
cross-lingual expansions), how well the chunk's own heading or question matches, and
the chunk's rank. The best one is the anchor; the answer then grows around it the way
the source is written: a list answer takes the items of the anchor's list, a paragraph
answer takes the anchor's neighbouring sentences, all within a character budget.
Headings, restated questions and bare labels are never quoted, nor code unless asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kgqa.ingest.qa_list import similarity
from kgqa.ingest.sentences import Sentence
from kgqa.text import is_latin_text
from kgqa.tuning import COMPOSE
from kgqa.types import Hit

_CODE_WORDS = re.compile(r"代码|实现|code|implement|snippet", re.I)
_LABEL_ONLY = re.compile(r"^[\W\s]*(\*\*)?(题目|答案|问题|回答|解析|内容|目标)[:：]?(\*\*)?[:：]?\s*$")

Scored = tuple[float, int, Sentence, Hit]


@dataclass(frozen=True)
class Picked:
    part: int
    sentence: Sentence
    score: float
    hit_rank: int
    hit: Hit


def _quotable(s: Sentence, allow_code: bool) -> bool:
    if s.role in ("heading", "question") or len(s.plain) < 6 or _LABEL_ONLY.match(s.text):
        return False
    return allow_code or (s.role != "code" and not s.code_line)


def lexical_overlap(query_tokens: set[str], sentence_tokens: Sequence[str]) -> float:
    """Share of the question's keywords the sentence contains, longer words counting more.

    >>> lexical_overlap({"ab", "cdefg"}, ["cdefg", "x"])
    0.6666666666666666
    """
    return _overlap_with(query_tokens)(sentence_tokens)


def _overlap_with(query_tokens: set[str]) -> Callable[[Sequence[str]], float]:
    """``lexical_overlap`` against one question, its keywords' weights worked out once for all its sentences."""
    if not query_tokens:
        return lambda sentence_tokens: 0.0
    weight = {t: min(len(t), 4) for t in query_tokens}
    total = sum(weight.values())

    def overlap(sentence_tokens: Sequence[str]) -> float:
        have = set(sentence_tokens)
        return sum(w for t, w in weight.items() if t in have) / total

    return overlap


def score_candidates(
    question: str,
    keyword_text: str,
    hits: Sequence[Hit],
    sentences: Mapping[str, list[Sentence]],
    similarities: Mapping[str, np.ndarray],
    tokenize: Callable[[str], list[str]],
) -> list[Scored]:
    """Quotable sentences of the top hits, best first, as (score, hit rank, sentence, hit).
    ``similarities`` holds each hit's sentence similarities to the question, in reading order."""
    allow_code = bool(_CODE_WORDS.search(question))
    q_tokens = set(tokenize(keyword_text))
    labels: list[str] = []
    english = not any("\u4e00" <= c <= "\u9fff" for c in question)
    if english:
        # an English question matches Chinese text through its expansion only, and by whole labels (the
        # pieces of 混合专家模型, 混合 and 模型, would favour a sentence about 混合精度); it matches English
        # text by its own words
        labels = [w for w in keyword_text[len(question):].split() if not w.isascii()]
        q_tokens = {t for t in q_tokens if t.isascii()}
    overlap = _overlap_with(q_tokens)
    candidates = []
    for rank, hit in enumerate(hits[:COMPOSE.chunks_per_part]):
        sents = sentences.get(hit.chunk.chunk_id, [])
        sims = similarities.get(hit.chunk.chunk_id, np.zeros(0)) if sents else np.zeros(0)
        unit = " ".join([*hit.chunk.heading[-1:], hit.chunk.question])
        heading_match = max(similarity(unit, question), similarity(question, unit)) if unit.strip() else 0.0
        candidates += [(rank, hit, s, float(sim), heading_match) for s, sim in zip(sents, sims, strict=True)
                       if _quotable(s, allow_code)]
    shift = _language_shift([(s.latin, sim) for _, _, s, sim, _ in candidates], english)
    out = []
    for rank, hit, s, sim, heading_match in candidates:
        if labels and not s.latin:
            lex = sum(1 for w in labels if w in s.plain) / len(labels)
        elif s.latin or not english:
            lex = overlap(tokenize(s.plain))
        else:
            lex = 0.0
        score = (sim + shift.get(s.latin, 0.0) + COMPOSE.lexical * lex + COMPOSE.heading * heading_match
                 - COMPOSE.rank * rank - COMPOSE.position * s.index)
        out.append((round(score, 5), rank, s, hit))
    return sorted(out, key=lambda t: (-t[0], t[1], t[2].start))


def _language_shift(sims: Sequence[tuple[bool, float]], english: bool) -> dict[bool, float]:
    """What to add to the cosine of a sentence in the other language than the question's, when the passages
    read hold sentences of both (a half-translated manual): the gap between the two languages' mean cosines.
    The model scores any sentence in the question's language above one in the other, so without it a Chinese
    remark beats the English sentence that answers a Chinese question.

    >>> _language_shift([(False, 0.88), (False, 0.86), (True, 0.80), (True, 0.82)], english=False)
    {True: 0.06}
    """
    if not COMPOSE.language_shift:
        return {}
    by: dict[bool, list[float]] = {True: [], False: []}
    for latin, sim in sims:
        by[latin].append(sim)
    if min(len(v) for v in by.values()) < COMPOSE.language_shift_min:
        return {}
    mean = {k: sum(v) / len(v) for k, v in by.items()}
    return {not english: round(mean[english] - mean[not english], 4)}


def _list_run(sents: Sequence[Sentence], anchor: Sentence) -> list[Sentence]:
    """The entries of the list the anchor opens (a lead) or belongs to (an item). Entries are items
    and the sub-leads of nested lists ("BERT(...):"); an item's second sentence stays part of it."""
    i = anchor.index + 1
    if anchor.role == "item":
        i = anchor.index
        while i > 0 and (sents[i - 1].role == "item" or (sents[i - 1].role == "text" and i > 1
                                                          and sents[i - 2].role == "item")):
            i -= 1
    run: list[Sentence] = []
    for j in range(i, len(sents)):
        s = sents[j]
        opens_items = s.role == "lead" and j + 1 < len(sents) and sents[j + 1].role == "item"
        if s.role == "item" or opens_items:
            run.append(s)
        elif not (s.role == "text" and run and run[-1].role == "item"):
            break
    return run


def _paragraph(sents: Sequence[Sentence], anchor: Sentence, allow_code: bool) -> list[Sentence]:
    """The anchor and the two quotable sentences right after it (the one before it when it ends its passage):
    a line it would not quote (a stub, a label, a line of code) does not take the place of the prose after it."""
    after = [s for s in sents[anchor.index + 1 :] if s.role in ("text", "item") and _quotable(s, allow_code)][:2]
    before = [s for s in sents[: anchor.index] if s.role == "text" and _quotable(s, allow_code)][-1:]
    return [anchor, *after, *before]


def _list_group(sents: Sequence[Sentence], anchor: Sentence) -> list[Sentence]:
    """A list answer: the statement that introduces it, the lead line, then the items."""
    start = anchor if anchor.role != "text" else sents[anchor.index + 1]
    run = _list_run(sents, start)
    first = run[0].index if run else start.index
    lead = [s for s in sents[max(first - 1, 0) : first] if s.role == "lead"]
    before = anchor.index if anchor.role == "text" else (lead[0].index if lead else first)
    intro = [anchor] if anchor.role == "text" else [s for s in sents[:before] if s.role == "text"][-1:]
    return [*intro, *lead, anchor, *run[:COMPOSE.max_items]]


def pick_sentences(
    part: int, scored: Sequence[Scored], sentences: Mapping[str, list[Sentence]], question: str = ""
) -> list[Picked]:
    """The anchor sentence grown into the answer unit its source writes, within the character budget."""
    if not scored:
        return []
    best_score, rank, anchor, hit = scored[0]
    sents = sentences[anchor.chunk_id]
    allow_code = bool(_CODE_WORDS.search(question))
    listed = _list_instead(scored, sents, anchor)
    # a list that outweighs the anchor is the whole answer: the remarks around it were the weaker evidence
    supported, anchor = listed is anchor, listed
    if _in_list(sents, anchor) or _in_list(sents, sents[anchor.index + 1] if anchor.index + 1 < len(sents) else None):
        group = _list_group(sents, anchor)
    else:
        group = _paragraph(sents, anchor, allow_code)
    chosen: list[Sentence] = []
    used = 0
    latin = COMPOSE.latin_budget_factor if is_latin_text(anchor.text) else 1.0
    for s in sorted(set(group), key=lambda s: s.index):
        if _LABEL_ONLY.match(s.text) or s.role in ("heading", "question"):
            continue
        if chosen and used + len(s.text) > COMPOSE.char_budget * latin and s is not anchor:
            continue
        chosen.append(s)
        used += len(s.text)
    picked = [Picked(part, s, best_score, rank, hit) for s in chosen]
    # across languages the cosines of a passage's sentences are too close to tell a runner-up from noise
    same_language = is_latin_text(question) == is_latin_text(anchor.text) if question else True
    support = _support(scored, chosen, COMPOSE.support_chars * latin) if same_language and supported else []
    return picked + [Picked(part, s, score, rank, hit) for score, rank, s, hit in support]


def _list_instead(scored: Sequence[Scored], sents: Sequence[Sentence], anchor: Sentence) -> Sentence:
    """The best item of a list of the anchor's passage when several of its items score nearly as well as an
    anchor that stands outside the list: the list as a whole is the better evidence (a remark after a list
    shares a word with the question; the items share its subject)."""
    if anchor.role != "text" or COMPOSE.list_margin < 0:
        return anchor
    best = scored[0][0]
    near = [s for score, _, s, _ in scored if score >= best - COMPOSE.list_margin
            and s.chunk_id == anchor.chunk_id and s.role == "item"]
    if len(near) < COMPOSE.list_min_items:
        return anchor
    run = {s.index for s in _list_run(sents, near[0])}
    together = [s for s in near if s.index in run]
    return near[0] if len(together) >= COMPOSE.list_min_items else anchor


def _in_list(sents: Sequence[Sentence], s: Sentence | None) -> bool:
    """An item, or a lead that opens items (a lead before code or a table opens no list)."""
    if s is None:
        return False
    nxt = sents[s.index + 1] if s.index + 1 < len(sents) else None
    return s.role == "item" or (s.role == "lead" and nxt is not None and nxt.role == "item")


def _support(scored: Sequence[Scored], chosen: Sequence[Sentence], max_chars: float) -> list[Scored]:
    """The best other sentence, of any passage read, when it scores nearly as well as the anchor: sentence
    scores are close, and the runner-up often states what the anchor only leads up to. Never one the answer
    holds or a neighbour of one (the grown answer already shows those)."""
    best = scored[0][0]
    for entry in scored[1:]:
        score, _, s, _ = entry
        if score < best - COMPOSE.support_margin:
            break
        if len(s.text) > max_chars or s.role == "lead" or s.plain.rstrip().endswith((":", "：")):
            continue  # a lead without its list says nothing on its own
        if any(c.chunk_id == s.chunk_id and abs(c.index - s.index) <= 1 for c in chosen):
            continue
        return [entry]
    return []
