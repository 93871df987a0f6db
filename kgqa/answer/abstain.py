"""Decide whether the knowledge base answers the question at all.

The signal is the best candidate sentence's score (cosine to the question plus keyword
overlap, see ``compose.score_candidates``) and whether the question names concepts the
graph knows. The threshold is calibrated on the dev split of bench/devset.yaml with
``python bench/calibrate.py`` and checked on the test split; see bench/README.md.

>>> should_abstain(best_score=0.95, linked_concepts=1)
False
>>> should_abstain(best_score=0.70, linked_concepts=0)
True
"""

from __future__ import annotations

# calibrated on the dev split (bench/calibrate.py); a question that names a known concept
# gets a lower bar, since the graph already vouches that the corpus covers its subject
THRESHOLD = 0.86
THRESHOLD_WITH_CONCEPT = 0.84


def should_abstain(best_score: float | None, linked_concepts: int) -> bool:
    if best_score is None:
        return True
    bar = THRESHOLD_WITH_CONCEPT if linked_concepts else THRESHOLD
    return best_score < bar
