"""Which mined names are terms of the text, and how their labels are written.

A name of several capitalised words may be a section title or a person of a credits list rather than a term;
a term's English label is written as the text writes it, in the singular (``written_label``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from kgqa.graph.concepts import Draft
from kgqa.graph.termhood import Background, is_name_shaped
from kgqa.graph.text import singular
from kgqa.text import is_cjk

_PERSON = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}")


@dataclass(frozen=True)
class Context:
    """What the rules below read of the corpus: its text, its headings, its section titles and its lists of
    people (credits)."""

    background: Background
    headings: Background
    titles: Background
    credits: list[str]


def name_of_no_term(d: Draft, contexts: list[str], c: Context) -> bool:
    """A name a weak rule found that is a section title, a person (credited or spoken of) or a unit of measure;
    ``contexts``: the sentences it was found in."""
    return (
        title_only(d, c.background, c.headings, c.titles)
        or capitalised_in_english(d, contexts, c.background)
        or credited_person(d, c.credits)
        or personal_name(d, c.background)
        or measure_unit(d, c.background)
    )


def credited_person(d: Draft, credits: list[str]) -> bool:
    """A person's name (two or three capitalised words: Delin Chang) that a list of people (credits,
    translators) writes: a contributor to the text, not a term of its domain (people a sentence speaks of:
    ``personal_name``)."""
    people = [n for n in (d.en, *d.surfaces) if n and _PERSON.fullmatch(n.strip())]
    return any(n in line for n in people for line in credits)


def personal_name(d: Draft, background: Background) -> bool:
    """Two or three capitalised words whose last the text writes nowhere but in this name and whose first it
    also writes on its own, always capitalised (Peter Mattis beside Peter Volkov, "Spencer 和 Peter"): a given
    name and a surname, someone the text speaks of, not a term of its domain. The head word of a term recurs
    on its own (Vision Transformer beside transformer), and a term written once (Average Pooling) has no first
    word used elsewhere.

    >>> bg = Background.of(["Peter Mattis wrote it.", "Peter Volkov and a transformer.", "Vision Transformer"])
    >>> personal_name(Draft("p", "Peter Mattis", ""), bg), personal_name(Draft("v", "Vision Transformer", ""), bg)
    (True, False)
    """
    names = list(dict.fromkeys(n.strip() for n in (d.en, *d.surfaces) if n and _PERSON.fullmatch(n.strip())))
    uses = sum(background.cased_count(n) for n in names)
    words = [re.split(r"[ -]", n) for n in names]
    return uses > 0 and all(
        background.count(w[-1]) <= uses and background.written[w[0]] > uses and not background.written[w[0].lower()]
        for w in words
    )


def title_only(d: Draft, background: Background, headings: Background, titles: Background) -> bool:
    """A name of several words that only headings write, or that the text only writes capitalised, as the title
    of a section it points to ("see Python Scopes and Namespaces"). Proper names (GNU Free Documentation
    License) are name-shaped and stay."""
    multi = [n for n in (d.en, *d.surfaces) if n and " " in n.strip() and n.isascii()]
    if not multi:
        return False
    forms = list(dict.fromkeys(f for n in multi for f in (n, written_label(n, Background.of([])))))
    if all(background.count(n) <= headings.count(n) for n in forms):
        return True
    titled = [n for n in multi if not is_name_shaped(n) and titles.count(n)]
    return bool(titled) and not any(background.cased_count(n.lower()) for n in forms)


_UNIT = re.compile(r"[A-Za-z]{1,4}")


def measure_unit(d: Draft, background: Background) -> bool:
    """A short capitalised name the text writes right after a number in at least half of its uses (17 MB, 100 MB,
    3 GHz): a unit of measure, not a term of the domain.

    >>> measure_unit(Draft("mb", "MB", ""), Background.of(["Needs 17 MB of memory.", "Load a 100MB image."]))
    True
    """
    name = d.en.strip()
    if not _UNIT.fullmatch(name) or name.islower():
        return False
    uses = background.written[name]
    return uses > 0 and 2 * _after_numbers(background.raw)[name] >= uses


_AFTER_NUMBER = re.compile(r"\d\s?([A-Za-z]{1,4})(?![A-Za-z0-9_])")


@lru_cache(maxsize=2)
def _after_numbers(raw: str) -> Counter[str]:
    """The short Latin words ``raw`` writes right after a number, counted in one pass over it."""
    return Counter(_AFTER_NUMBER.findall(raw))


def capitalised_in_english(d: Draft, contexts: list[str], background: Background) -> bool:
    """A name of several capitalised words found only in English sentences and never written in lower case:
    English capitalises titles and proper names (the Installing Python Modules guide, Monty Python), not terms.
    In Chinese text a capitalised English name is how a term is written (Swin Transformer), so it stays."""
    multi = [n for n in (d.en, *d.surfaces) if n and " " in n.strip() and n.isascii()]
    if not multi or any(is_name_shaped(n) for n in multi) or not contexts:
        return False
    english = all(sum(1 for c in q if is_cjk(c)) * 10 < len(q) for q in contexts)
    forms = {f for n in multi for f in (n.lower(), written_label(n, Background.of([])).lower())}
    return english and not any(background.cased_count(f) for f in forms)


def written_label(en: str, background: Background) -> str:
    """An English label as the text writes it, in the singular: ``Formatted String Literals`` ->
    ``formatted string literal`` when the text writes it in lower case, ``ascii`` -> ``ASCII`` when the text
    mostly spells it so. Name-shaped words (GIMP, ResNet) keep their spelling.

    >>> written_label("Keyword Arguments", Background.of(["Keyword Arguments", "Use keyword arguments."]))
    'keyword argument'
    """
    if not en or not en.isascii():
        return en
    words = en.split(" ")
    last = words[-1]
    one = singular(last.lower())
    # a single word in -ices only when the text writes the singular (indices stays, not "indice"); a noun in
    # -ics (semantics, graphics) is singular
    if not is_name_shaped(last) and not last.endswith("ics") and (
        len(words) > 1 or background.count(one) or not last.endswith("ices")
    ):
        words[-1] = last[: len(one)] if last.lower().startswith(one) else last[: len(one) - 1] + one[-1]
    label = " ".join(words)
    if len(words) == 1:
        spellings = [w for w in background.written if w.lower() in (label.lower(), last.lower())]
        best = max(spellings, key=lambda w: (background.written[w], w.lower() == label.lower(), w), default="")
        return label if not best or is_name_shaped(label) else _same_case(label, best)
    if not any(is_name_shaped(w) for w in words) and label != label.lower():
        lower = [label.lower(), en.lower()]
        if any(background.cased_count(n) for n in lower):
            return label.lower()
    return label


def _same_case(label: str, spelling: str) -> str:
    """``label`` spelt in the case of ``spelling`` (a form of the same word, maybe plural)."""
    if spelling.isupper():
        return label.upper()
    if spelling.islower():
        return label.lower()
    return label[:1].upper() + label[1:].lower() if spelling[:1].isupper() else label
