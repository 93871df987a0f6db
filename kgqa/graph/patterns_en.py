"""Relation rules that read one English sentence: "X is a Y", and cues that name both ends of a relation.

Each rule fires only on its cue and only when the sentence names both ends next to it, as the Chinese rules
of :mod:`kgqa.graph.patterns` do:

- ``X is a (kind of) Y`` -> X instance-of Y (:func:`english_definition`)
- ``X consists of / is made of / is composed of / contains / includes Y and Z`` -> Y, Z part-of X
- ``X uses / relies on / is based on / is built on / depends on Y`` -> X uses Y
- ``Xs such as Y and Z`` -> Y, Z instance-of X

X is the concept written right before the cue (adverbs may stand between: "A package usually contains"),
Y the concept right after it (after an article or a quantifier: "contains one or more modules"), and a
negated cue ("does not contain") states nothing.

>>> s = _sentence("A package contains modules and subpackages.")
>>> [(r.source, r.type, r.target) for r in composition_en(link_sentence(s, _lex("package module subpackage")))]
[('module', 'part-of', 'package'), ('subpackage', 'part-of', 'package')]
"""

from __future__ import annotations

import re

from kgqa.graph.lexicon import Lexicon, Mention
from kgqa.graph.model import Sentence
from kgqa.graph.patterns import MAX_SIDE, Linked, Rel, _rel, link_sentence

__all__ = ["ENGLISH_RULES", "composition_en", "english_definition", "examples_en", "link_sentence", "uses_en"]


def _sentence(text: str) -> Sentence:
    return Sentence("c", "d", 0, len(text), text)


def _lex(words: str) -> Lexicon:
    return Lexicon({w: w for w in words.split()})


_EN_DEFINES = re.compile(r"\s+(?:is|are)\s+(?:a|an)\s+(?:(?:kind|type|sort|form) of\s+)?")
_EN_SUBJECT = re.compile(r"\s*(?:[-*•]\s*)?(?:(?:A|An|The)\s+)?")
# what may follow the class a definition names: the end, a clause or a phrase about it ("a function that …")
_EN_AFTER_CLASS = re.compile(
    r"\s*(?:$|[.,;:(]|(?:that|which|who|whose|where|with|of|for|from|in|to|containing|used|defined|and|or)\b)"
)
_EN_WORD = re.compile(r"[A-Za-z][\w\-]*\s+")


def english_definition(ls: Linked) -> list[Rel]:
    """``A method is a function that …`` / ``Generators are a kind of iterator`` -> X instance-of Y: X opens the
    sentence, Y is the head of the noun phrase after "is a" (at most two words before it, nothing after it).

    >>> s = _sentence("A method is a function that belongs to an object.")
    >>> [(r.source, r.type, r.target) for r in english_definition(link_sentence(s, _lex("method function object")))]
    [('method', 'instance-of', 'function')]
    """
    opening = _EN_SUBJECT.match(ls.text)
    i = ls.first_from(opening.end() if opening else 0)
    if i == len(ls.mentions) or ls.mentions[i].start != (opening.end() if opening else 0):
        return []
    x = ls.mentions[i]
    verb = _EN_DEFINES.match(ls.text, x.end)
    if not verb:
        return []
    pos = verb.end()
    for _ in range(3):  # the class, or up to two words before it (a simple and powerful tool)
        j = ls.first_from(pos)
        if j < len(ls.mentions) and ls.mentions[j].start == pos:
            y = ls.mentions[j]
            return _rel(x.key, y.key, "instance-of", "definition", ls.sentence) if _EN_AFTER_CLASS.match(
                ls.text, y.end
            ) else []
        word = _EN_WORD.match(ls.text, pos)
        if not word:
            return []
        pos = word.end()
    return []


# Cues are matched between lookarounds, not between ``\s+``: a run of spaces would otherwise be rescanned from
# every position in it (quadratic); gaps are read by position and bounded by GAP_CHARS.
_PART_CUE = re.compile(
    r"(?<=\s)(?:consists? of|consisting of|(?:is|are) (?:made up|made|composed|comprised) of|contains?|containing|"
    r"includes?)(?=\s)"
)
_USE_CUE = re.compile(r"(?<=\s)(?:uses?|relies on|rely on|(?:is|are) (?:based|built) on|depends? on)(?=\s)")
_SUCH_AS = re.compile(r"(?<=[\s,])such as(?=\s)")
GAP_CHARS = 40  # a bound on the gaps read, not a tuning of what they mean
# between the subject and its verb: adverbs only ("A package usually contains")
_ADVERBS = re.compile(
    r"(?:\s+(?:also|usually|often|always|only|mostly|simply|just|typically|generally|itself|then))*\s+"
)
_NEGATED = re.compile(r"(?:\bnot|\bnever|n't|\bno longer)\s*$")
# before the first object: an article or a quantifier ("contains one or more modules", "uses the sys module")
_OBJECT_LEAD = re.compile(
    r"\s+(?:(?:a|an|the|one|two|several|many|some|any|zero|all|other|multiple|its|their)(?: or more)?\s+)*"
)
_OBJECT_JOIN = re.compile(r"^(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)(?:(?:a|an|the|other)\s+)?$")
# what may follow an object: the end, punctuation or a function word (not "of": "a list of strings" names a list)
_OBJECT_END = re.compile(
    r"\s*(?:$|\.(?!\w)|[,;:()]|(?:that|which|who|and|or|as|in|to|for|from|with|by|at|on|when|if)\b)"
)
# a word that may qualify the first object ("contains all local variables"); a function word ends the phrase
_QUALIFIER = re.compile(r"(?!(?:of|in|to|for|with|from|by|on|at|as|that|which|and|or|is|are|be)\b)[A-Za-z][\w-]*\s+")
MAX_QUALIFIERS = 2  # as many as english_definition reads before its class ("a simple and powerful tool")


def _before(ls: Linked, at: int) -> Mention | None:
    """The concept written right before position ``at`` (only adverbs between)."""
    m = ls.last_before(at)
    return m if m and at - m.end <= GAP_CHARS and _ADVERBS.fullmatch(ls.text, m.end, at) else None


def _after(ls: Linked, at: int) -> list[Mention]:
    """The concepts of the noun phrase list right after ``at``: "modules, functions and classes"."""
    lead = _OBJECT_LEAD.match(ls.text, at)
    pos = lead.end() if lead else at
    for _ in range(MAX_QUALIFIERS):
        j = ls.first_from(pos)
        if j < len(ls.mentions) and ls.mentions[j].start == pos:
            break
        word = _QUALIFIER.match(ls.text, pos)
        if not word:
            return []
        pos = word.end()
    out: list[Mention] = []
    for m in ls.mentions[ls.first_from(pos) :]:
        gap = ls.text[out[-1].end if out else pos : m.start]
        if len(gap) > GAP_CHARS:
            break
        if out and gap == " ":
            out[-1] = m  # "Python definitions": the first concept qualifies the next, which heads the phrase
        elif (out and not _OBJECT_JOIN.match(gap)) or (not out and gap) or len(out) >= MAX_SIDE:
            break
        else:
            out.append(m)
    while out and not _OBJECT_END.match(ls.text, out[-1].end):
        out.pop()  # "contains a list of strings": the last concept qualifies a noun it does not name
    return out


def _cued(ls: Linked, cue: re.Pattern[str]) -> list[tuple[Mention, list[Mention]]]:
    out = []
    for v in cue.finditer(ls.text):
        x = _before(ls, v.start())
        if x is None or _NEGATED.search(ls.text, max(0, v.start() - 12), v.start()):
            continue
        out.append((x, _after(ls, v.end())))
    return out


def composition_en(ls: Linked) -> list[Rel]:
    """``X consists of / contains Y and Z`` -> Y, Z part-of X."""
    cued = _cued(ls, _PART_CUE)
    return [r for x, ys in cued for y in ys for r in _rel(y.key, x.key, "part-of", "composition", ls.sentence)]


def uses_en(ls: Linked) -> list[Rel]:
    """``X uses / relies on / is based on Y`` -> X uses Y.

    >>> s = _sentence("The interpreter relies on readline for editing. The shell does not use readline.")
    >>> [(r.source, r.type, r.target) for r in uses_en(link_sentence(s, _lex("interpreter shell readline")))]
    [('interpreter', 'uses', 'readline')]
    """
    return [r for x, ys in _cued(ls, _USE_CUE) for y in ys for r in _rel(x.key, y.key, "uses", "uses", ls.sentence)]


def examples_en(ls: Linked) -> list[Rel]:
    """``Xs such as Y and Z`` -> Y, Z instance-of X.

    >>> s = _sentence("Sequence types such as lists and tuples support slicing.")
    >>> [(r.source, r.type, r.target) for r in examples_en(link_sentence(s, _lex("sequence list tuple")))]
    []
    >>> s = _sentence("Sequences, such as lists and tuples, support slicing.")
    >>> [(r.source, r.type, r.target) for r in examples_en(link_sentence(s, _lex("sequence list tuple")))]
    [('list', 'instance-of', 'sequence'), ('tuple', 'instance-of', 'sequence')]
    """
    out: list[Rel] = []
    for v in _SUCH_AS.finditer(ls.text):
        x = ls.last_before(v.start())
        if x is None or not re.fullmatch(r" ?,? ", ls.text[x.end : v.start()]):
            continue  # "sequence types such as": the class is "types", which no concept names
        out += [r for y in _after(ls, v.end()) for r in _rel(y.key, x.key, "instance-of", "example", ls.sentence)]
    return out


ENGLISH_RULES = (english_definition, composition_en, uses_en, examples_en)
