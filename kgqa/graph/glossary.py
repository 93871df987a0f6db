"""The concept glossary users extend: what the text alone cannot give.

It names concepts whose English the corpus never writes (剪枝 = pruning), declares
synonyms on purpose (模型剪枝 = 剪枝) and a few relations the text implies but never
states. Each relation says ``why``. ``parse_glossary`` is pure; ``load_glossary`` reads the file.

>>> g = parse_glossary({"concepts": [{"id": "pruning", "en": "pruning", "zh": "剪枝"}]}, "g.yaml")
>>> g.concepts[0].surfaces()
['pruning', '剪枝']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kgqa.errors import CorpusError
from kgqa.graph.text import concept_id

RELATION_TYPES = (
    "part-of",
    "has-step",
    "followed-by",
    "uses",
    "instance-of",
    "variant-of",
    "technique-for",
    "mitigates",
    "contrasts-with",
)


@dataclass(frozen=True)
class GlossaryConcept:
    id: str
    en: str
    zh: str = ""
    aliases: tuple[str, ...] = ()

    def surfaces(self) -> list[str]:
        return [s for s in (self.en, self.zh, *self.aliases) if s]


@dataclass(frozen=True)
class GlossaryRelation:
    source: str
    type: str
    target: str
    why: str


@dataclass(frozen=True)
class Glossary:
    concepts: tuple[GlossaryConcept, ...] = ()
    relations: tuple[GlossaryRelation, ...] = field(default=())

    def surface_map(self) -> dict[str, str]:
        """Every surface (label or alias) -> glossary concept id."""
        return {s: c.id for c in self.concepts for s in c.surfaces()}


def _fail(where: str, what: str) -> CorpusError:
    return CorpusError(f"{where}: {what}. See the header of corpus/glossary.yaml for the format.")


def _concept(entry: Any, where: str) -> GlossaryConcept:
    if not isinstance(entry, dict) or not (entry.get("en") or entry.get("id")):
        raise _fail(where, f"a concept needs at least `en` (or `id`), got {entry!r}")
    en = str(entry.get("en") or entry["id"])
    cid = str(entry.get("id") or concept_id(en))
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list):
        raise _fail(where, f"`aliases` of {cid!r} must be a list, got {aliases!r}")
    return GlossaryConcept(cid, en, str(entry.get("zh") or ""), tuple(str(a) for a in aliases))


def _relation(entry: Any, known: set[str], where: str) -> GlossaryRelation:
    if not isinstance(entry, dict) or not all(entry.get(k) for k in ("source", "type", "target", "why")):
        raise _fail(where, f"a relation needs source, type, target and why, got {entry!r}")
    if entry["type"] not in RELATION_TYPES:
        raise _fail(where, f"relation type {entry['type']!r} is not one of {', '.join(RELATION_TYPES)}")
    return GlossaryRelation(str(entry["source"]), str(entry["type"]), str(entry["target"]), str(entry["why"]))


def parse_glossary(data: Any, where: str) -> Glossary:
    """Validate the loaded YAML (``None`` -> empty glossary); errors name the file and entry."""
    if data is None:
        return Glossary()
    if not isinstance(data, dict):
        raise _fail(where, f"expected a mapping with `concepts` and `relations`, got {type(data).__name__}")
    concepts = tuple(_concept(e, where) for e in data.get("concepts") or [])
    ids = [c.id for c in concepts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _fail(where, f"concept ids must be unique, repeated: {', '.join(dupes)}")
    relations = tuple(_relation(e, set(ids), where) for e in data.get("relations") or [])
    return Glossary(concepts, relations)


def load_glossary(path: Path) -> Glossary:
    """The glossary at ``path``; a missing file is an empty glossary, invalid YAML a CorpusError."""
    if not path.exists():
        return Glossary()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CorpusError(
            f"{path} is not valid YAML: {exc}. Fix the syntax (see the file's header)."
        ) from exc
    return parse_glossary(data, str(path))
