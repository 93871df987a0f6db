"""Relations a concept's own name states: a compound is a variant of its head (全精度量化 / 量化, keyword argument /
argument), and code the text names with its kind is an instance of that kind ("the datetime module": datetime
instance-of module). Each edge's evidence is a sentence of the text that writes the name so, never a heading.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from kgqa.graph.concepts import lexical_heads
from kgqa.graph.model import Sentence
from kgqa.graph.termhood import general_zipf, is_name_shaped, noun_heads
from kgqa.graph.text import concept_id, normalise
from kgqa.tuning import TERMHOOD
from kgqa.types import Concept, Edge

_WORD = re.compile(r"[a-z][a-z0-9_]*")
_NEGATED = ("non ", "non-", "un", "not ", "不", "非", "无", "未")


def head_edges(concepts: dict[str, Concept], linked: list[tuple[Sentence, list[str]]]) -> list[Edge]:
    """variant-of from nested labels (全精度量化 / 量化, keyword argument / argument): the compound's own name
    states it, so the evidence is a sentence of the text (no heading) that names the compound. A negated
    compound (non-ASCII, 非线性) is no variant of its head."""
    where = _where_named(linked)
    labels = {c.id: [x for x in (c.label, c.label_zh) if x] for c in concepts.values()}
    names = {c.label for c in concepts.values() if c.label[:1].isupper()}
    out = []
    for c, h in lexical_heads({k: (v, v) for k, v in labels.items()}):
        if c not in where or any(normalise(x).startswith(_NEGATED) for x in labels[c]):
            continue
        at = where[c]
        english = concepts[c].label if concepts[c].label.isascii() and " " in concepts[c].label else ""
        if english and _two_names(english, names):
            continue  # Linux GNOME: two names side by side (GNOME on Linux), no kind of GNOME
        if english and not is_name_shaped(english):
            # an English compound in Title Case is a title or a proper name (Monty Python, "see Python Scopes and
            # Namespaces"); written in lower case it is a kind of its head (keyword arguments)
            lower = _lower_form(english)
            anycase = re.compile(lower.pattern, re.IGNORECASE)
            at = [i for i in at if lower.search(linked[i][0].text) or not anycase.search(linked[i][0].text)]
            if not at:
                continue
        # a bare list lead ("…存在两个问题:") or the bare name (a tool's name as a list entry or a term) says nothing
        at = [i for i in at if not _is_lead(linked[i][0].text) and not _name_alone(linked[i][0].text, labels[c])]
        if not at:
            continue
        both = sorted(set(at) & set(where.get(h, [])))
        s = min((linked[i][0] for i in (both or at)), key=lambda x: (x.doc_id, x.start))
        out.append(Edge(c, h, "variant-of", 1.0, [s.evidence("lexical-head")]))
    return out


def _where_named(linked: Sequence[tuple[Sentence, Sequence[str]]]) -> dict[str, list[int]]:
    """Concept id -> the indexes of the sentences (no heading) that name it, in reading order."""
    where: dict[str, list[int]] = {}
    for i, (s, keys) in enumerate(linked):
        if s.kind != "heading":
            for k in keys:
                where.setdefault(k, []).append(i)
    return where


def _two_names(label: str, names: set[str]) -> bool:
    """Whether an English compound is two capitalised names of the graph side by side (Linux GNOME): the
    modifier names a thing of its own, so the compound is no kind of its head. A numbered name (PEP 8) is.

    >>> _two_names("Linux GNOME", {"Linux", "GNOME"}), _two_names("Swin Transformer", {"Transformer"})
    (True, False)
    >>> _two_names("PEP 8", {"PEP", "PEP 8"})
    False
    """
    modifier, head = label.rsplit(" ", 1)
    return modifier in names and head in names


def _name_alone(text: str, names: Sequence[str]) -> bool:
    """Whether ``text`` holds nothing but one of ``names`` (punctuation and markup aside).

    >>> _name_alone("- **前景选择工具**", ["前景选择工具"]), _name_alone("前景选择工具用于抠图。", ["前景选择工具"])
    (True, False)
    """
    bare = "".join(ch for ch in normalise(text) if ch.isalnum())
    return any(bare == "".join(ch for ch in normalise(n) if ch.isalnum()) for n in names)


def _is_lead(text: str) -> bool:
    return text.rstrip().endswith((":", "："))


def _lower_form(label: str) -> re.Pattern[str]:
    """The label written in lower case, words joined by a space or a hyphen, the last in any inflection."""
    words = [re.escape(w) for w in label.lower().replace("-", " ").split()]
    return re.compile(r"(?<![A-Za-z])" + r"[ -]".join(words) + r"[a-z]*")


def kind_edges(concepts: dict[str, Concept], linked: list[tuple[Sentence, list[str]]]) -> list[Edge]:
    """instance-of from code named with its kind: a concept the source sets as code (``datetime``) whose names
    hold the phrase the text writes after a determiner ("the datetime module", "the range() function"), where
    the phrase's noun is a concept of its own. The evidence is the first sentence (no heading, no list lead)
    that writes the phrase. A code name that is an English word the text uses as a noun (``string``: "a string
    of characters", ``set``) is that noun's concept, not the code of one phrase ("the string module"), and
    gets no such edge (the share is ``senses``' ``code_noun_share``).

    >>> from kgqa.types import Concept
    >>> cs = {"datetime": Concept("datetime", "datetime", "", ["datetime module"], ["code"], []),
    ...       "module": Concept("module", "module", "", [], ["english"], [])}
    >>> s = Sentence("c1", "d.md", 0, 43, "The datetime module supplies date classes.", "body")
    >>> [(e.source, e.type, e.target) for e in kind_edges(cs, [(s, ["datetime", "module"])])]
    [('datetime', 'instance-of', 'module')]
    """
    where = _where_named(linked)
    out = []
    nouns: Counter[str] | None = None
    words: Counter[str] = Counter()
    for c in concepts.values():
        if "code" not in c.sources or " " in c.label:
            continue  # a label that is the phrase itself (match statement) is a compound of its head
        word = c.label.lower()
        if _WORD.fullmatch(word) and general_zipf(word) >= TERMHOOD.jargon_zipf:
            if nouns is None:
                # a call is no noun use: "the print() function" (``noun_heads``)
                text = "\n".join(s.text for s, _ in linked).lower()
                nouns, words = noun_heads(text), Counter(_WORD.findall(text))
            if nouns[word] >= TERMHOOD.code_noun_share * words[word]:
                continue
        for name in dict.fromkeys([c.label, *c.aliases]):
            kind = _kind_of(c.label, name)
            target = concept_id(kind) if kind else ""
            if not target or target == c.id or target not in concepts:
                continue
            said = [linked[i][0] for i in where.get(c.id, [])
                    if not _is_lead(linked[i][0].text) and name.lower() in linked[i][0].text.lower()]
            if said:
                s = min(said, key=lambda x: (x.doc_id, x.start))
                out.append(Edge(c.id, target, "instance-of", 1.0, [s.evidence("named-kind")]))
                break
    return out


def _kind_of(label: str, name: str) -> str:
    """The noun of a code phrase ("datetime module" -> module) when ``name`` is ``label`` followed by one word.

    >>> _kind_of("range", "range() function"), _kind_of("sys", "sys.path"), _kind_of("re", "regular expression")
    ('function', '', '')
    """
    head, _, noun = name.partition(" ")
    if not noun or " " in noun or not noun.isalpha() or not noun.islower():
        return ""
    return noun if head.lower().removesuffix("()") == label.lower().removesuffix("()") else ""
