"""Every rule that reads one sentence for a stated relation, Chinese (:mod:`kgqa.graph.patterns`) and English
(:mod:`kgqa.graph.patterns_en`); each fires only on its own cue words, so both run on every sentence."""

from __future__ import annotations

from kgqa.graph.patterns import CHINESE_RULES, Linked, Rel
from kgqa.graph.patterns_en import ENGLISH_RULES

SENTENCE_RULES = (*CHINESE_RULES, *ENGLISH_RULES)


def sentence_relations(ls: Linked) -> list[Rel]:
    return [r for rule in SENTENCE_RULES for r in rule(ls)]
