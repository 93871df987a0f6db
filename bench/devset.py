"""Load and check the labelled dev set (bench/devset.yaml) against the corpus documents.

Every gold quote must occur verbatim in its document; its spans are resolved here, once, so the metric
functions only compare character ranges. ``python bench/devset.py`` checks the file and prints its make-up.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from metrics import Gold

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "devset.yaml"
TYPES = ("heading", "paraphrase", "english", "multipart", "followup", "out_of_corpus")
LANGUAGES = ("zh", "en")
TEST_SHARE = 0.3
QUOTE_CHARS = (10, 40)


class DevsetError(ValueError):
    """The dev set file is malformed or a gold quote does not match the corpus."""


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    language: str
    type: str
    split: str
    parts: tuple[tuple[Gold, ...], ...]  # one tuple of acceptable evidence per part; empty when out of corpus
    history: tuple[dict[str, str], ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type != "out_of_corpus"


def split_for(item_id: str) -> str:
    """Deterministic dev/test assignment from the id alone: ~30% of ids land in test.

    >>> split_for("zh-01") in ("dev", "test")
    True
    """
    bucket = int(hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket < TEST_SHARE * 100 else "dev"


def occurrences(text: str, quote: str) -> tuple[tuple[int, int], ...]:
    """Every (start, end) where ``quote`` occurs in ``text``, overlapping occurrences included."""
    spans, i = [], text.find(quote)
    while i >= 0:
        spans.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return tuple(spans)


def _gold(raw: Any, texts: Mapping[str, str], where: str) -> Gold:
    if not isinstance(raw, dict) or set(raw) != {"doc_id", "quote"}:
        raise DevsetError(f"{where}: gold entries are {{doc_id, quote}}, got {raw!r}")
    doc_id, quote = str(raw["doc_id"]), str(raw["quote"])
    if doc_id not in texts:
        raise DevsetError(f"{where}: unknown doc_id {doc_id!r}; known: {sorted(texts)}")
    lo, hi = QUOTE_CHARS
    if not lo <= len(quote) <= hi:
        raise DevsetError(f"{where}: quote must be {lo}-{hi} characters, got {len(quote)}: {quote!r}")
    spans = occurrences(texts[doc_id], quote)
    if not spans:
        raise DevsetError(f"{where}: quote {quote!r} does not occur verbatim in {doc_id}")
    return Gold(doc_id, quote, spans)


def _parts(raw: dict[str, Any], texts: Mapping[str, str], where: str) -> tuple[tuple[Gold, ...], ...]:
    if raw["type"] == "out_of_corpus":
        if "gold" in raw or "parts" in raw:
            raise DevsetError(f"{where}: an out_of_corpus item has no gold evidence")
        return ()
    if raw["type"] == "multipart":
        parts = raw.get("parts") or []
        if len(parts) < 2 or "gold" in raw:
            raise DevsetError(f"{where}: a multipart item has two or more `parts` and no top-level `gold`")
        golds = [p.get("gold") or [] for p in parts]
    else:
        if "parts" in raw:
            raise DevsetError(f"{where}: only multipart items have `parts`")
        golds = [raw.get("gold") or []]
    if not all(golds):
        raise DevsetError(f"{where}: every part needs at least one gold entry")
    return tuple(tuple(_gold(g, texts, f"{where} gold {i}") for g in part) for i, part in enumerate(golds))


def _item(raw: Any, texts: Mapping[str, str]) -> Item:
    where = f"item {raw.get('id', '?')!r}" if isinstance(raw, dict) else f"item {raw!r}"
    if not isinstance(raw, dict) or not {"id", "question", "language", "type", "split"} <= set(raw):
        raise DevsetError(f"{where}: needs id, question, language, type and split")
    if raw["type"] not in TYPES:
        raise DevsetError(f"{where}: type must be one of {TYPES}, got {raw['type']!r}")
    if raw["language"] not in LANGUAGES:
        raise DevsetError(f"{where}: language must be one of {LANGUAGES}, got {raw['language']!r}")
    if raw["split"] != split_for(raw["id"]):
        raise DevsetError(f"{where}: split is fixed by the id hash: expected {split_for(raw['id'])!r}")
    history = tuple(raw.get("history") or ())
    if (raw["type"] == "followup") != bool(history):
        raise DevsetError(f"{where}: follow-ups, and only follow-ups, carry a `history`")
    if any(set(turn) != {"role", "content"} or turn["role"] not in ("user", "assistant") for turn in history):
        raise DevsetError(f"{where}: history turns are {{role: user|assistant, content}}")
    return Item(raw["id"], str(raw["question"]), raw["language"], raw["type"], raw["split"],
                _parts(raw, texts, where), history)


def load_devset(texts: Mapping[str, str], path: Path = DEVSET) -> list[Item]:
    """Parse and check the dev set against ``texts`` (doc_id -> the document text offsets point into)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items, problems = [], []
    for raw in (data or {}).get("items", []):
        try:
            items.append(_item(raw, texts))
        except DevsetError as exc:
            problems.append(str(exc))
    if problems:
        raise DevsetError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    dupes = [i for i, n in Counter(it.id for it in items).items() if n > 1]
    if dupes:
        raise DevsetError(f"duplicate ids in {path}: {dupes}")
    return items


def composition(items: list[Item]) -> dict[str, dict[str, int]]:
    """Counts by type x language, and by split."""
    table: dict[str, dict[str, int]] = {}
    for it in items:
        row = table.setdefault(it.type, {"zh": 0, "en": 0})
        row[it.language] += 1
    table["total"] = {lang: sum(1 for it in items if it.language == lang) for lang in LANGUAGES}
    table["split"] = dict(Counter(it.split for it in items))
    return table


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    from kgqa.ingest.load import load_corpus

    corpus = HERE.parent / "corpus"
    texts = {d.doc_id: d.text for d in load_corpus([corpus], corpus).documents}
    try:
        items = load_devset(texts)
    except DevsetError as exc:
        print(f"devset.yaml: {exc}", file=sys.stderr)
        return 1
    golds = [g for it in items for part in it.parts for g in part]
    print(f"{len(items)} items, {len(golds)} gold quotes, all verbatim in their documents")
    for name, row in composition(items).items():
        print(f"  {name:<14} {row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
