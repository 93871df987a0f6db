"""Every tuning constant of kgqa: its value, why it is what it is, whether it was fitted.

One package, one module per stage (``answers``, ``search``, ``graph``, ``serving``); import them from here.

No constant may depend on the corpus: each must hold on the bundled notes, a Chinese manual and an English
manual (``python bench/eval_corpora.py`` reports all three; fit on dev splits only). A constant marked
``fitted`` names the dev split it was fitted on; every other one is set from a stated reason and left alone.

>>> COMPOSE.char_budget, DECIDE.ordinary_zipf
(280, 3.0)
"""

from __future__ import annotations

from kgqa.tuning.answers import COMPOSE, DECIDE, PROBES, SIMILARITY, Compose, Decide, Probes, Similarity
from kgqa.tuning.graph import (
    COOCCURRENCE,
    CROSSLINGUAL,
    LINKING,
    QUESTION_LISTS,
    RANK,
    TERMHOOD,
    Cooccurrence,
    CrossLingual,
    Linking,
    QuestionLists,
    Rank,
    Termhood,
)
from kgqa.tuning.search import ENCODER, RETRIEVAL, SPELLING, VECTORS, Encoder, Retrieval, Spelling, Vectors
from kgqa.tuning.serving import ADMISSION, REBUILD, RETRY, STATE, Admission, Rebuild, Retry, State

__all__ = [
    "ADMISSION",
    "Admission",
    "COMPOSE",
    "COOCCURRENCE",
    "CROSSLINGUAL",
    "Compose",
    "Cooccurrence",
    "CrossLingual",
    "DECIDE",
    "Decide",
    "ENCODER",
    "Encoder",
    "LINKING",
    "Linking",
    "PROBES",
    "Probes",
    "QUESTION_LISTS",
    "QuestionLists",
    "RANK",
    "REBUILD",
    "RETRIEVAL",
    "RETRY",
    "Rank",
    "Rebuild",
    "Retrieval",
    "Retry",
    "SIMILARITY",
    "SPELLING",
    "STATE",
    "Similarity",
    "Spelling",
    "State",
    "TERMHOOD",
    "Termhood",
    "VECTORS",
    "Vectors",
]
