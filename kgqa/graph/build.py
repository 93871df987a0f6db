"""DocGraphs -> one ConceptGraph: merge concepts, re-link sentences, add co-occurrence and glossary edges.

Deterministic: every collection is sorted before it is written. The build is a pure
function of the DocGraphs and the glossary, so an incremental build (one DocGraph
replaced) equals a full rebuild.

Steps:
1. merge the mined names of all documents with the glossary (see ``concepts``),
2. link every stored sentence against the merged lexicon (a term one document defines
   is found in all the others),
3. re-key typed edges; ``followed-by`` chains are transitively reduced (a step that a
   longer chain already implies is dropped),
4. ``related`` edges from co-occurrence within a chunk (Q&A unit), scored by NPMI,
5. glossary relations, each grounded in a corpus sentence that mentions its source.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations

import networkx as nx

from kgqa.graph.compounds import compound_of
from kgqa.graph.concepts import Draft, merge_names
from kgqa.graph.crosslingual import LabelVectors, link_languages
from kgqa.graph.extract import extract_document, is_name_list
from kgqa.graph.glossary import Glossary
from kgqa.graph.heads import head_edges, kind_edges
from kgqa.graph.lexicon import Lexicon
from kgqa.graph.model import GRAPH_VERSION, DocGraph, Sentence, graph_build_version
from kgqa.graph.naming import Context, name_of_no_term, written_label
from kgqa.graph.paradigm import paradigm_terms
from kgqa.graph.query import ConceptGraph
from kgqa.graph.senses import CodeSense, code_label, code_sense
from kgqa.graph.termhood import WEAK_RULES, Background, is_name_shaped, is_term
from kgqa.graph.text import concept_id
from kgqa.tuning import COOCCURRENCE, TERMHOOD
from kgqa.types import Chunk, Concept, Document, Edge, Evidence

STAGE = "graph"  # name of the per-document contributions in the chunk store

__all__ = ["GRAPH_VERSION", "STAGE", "ConceptGraph", "DocGraph", "build_graph", "extract_document", "graph_for_corpus",
           "graph_build_version"]



def _sentence_mentions(
    parts: Sequence[DocGraph], lexicon: Lexicon, senses: Mapping[str, CodeSense]
) -> list[tuple[Sentence, list[str]]]:
    out = []
    for part in parts:
        for s in part.sentences:
            keys = sorted(
                {
                    m.key
                    for m in lexicon.link(s.text)
                    if m.key not in senses or senses[m.key].admits(s.text, m.start, m.end, s.code)
                }
            )
            if keys:
                out.append((s, keys))
    return out


def _concepts(
    parts: Sequence[DocGraph], glossary: Glossary
) -> tuple[dict[str, Concept], dict[str, str], Lexicon, dict[str, CodeSense]]:
    """Merged concepts, the map from every document-local key to a concept id, the lexicon, and the code names
    that are English words, by concept (``senses``)."""
    terms = [t for p in parts for t in p.terms] + paradigm_terms([s for p in parts for s in p.sentences])
    drafts, where = merge_names([(t.en, t.zh, t.aliases) for t in terms], glossary.concepts,
                                [t.rule == "code" for t in terms])
    local: dict[str, str] = {g.id: drafts[i].id for i, g in enumerate(glossary.concepts)}
    sources: dict[str, set[str]] = {}
    found_in: dict[str, list[str]] = {}
    code: dict[str, set[str]] = {}
    for t, i in zip(terms, where, strict=True):
        local.setdefault(t.key, drafts[i].id)
        if t.rule == "code":
            code.setdefault(drafts[i].id, set()).add(t.en)
        sources.setdefault(drafts[i].id, set()).add(t.rule)
        found_in.setdefault(drafts[i].id, []).append(t.evidence.quote)
    names = [n for d in drafts for n in (d.en, d.zh, *d.surfaces) if n]
    background = Background.of(s.text for p in parts for s in p.sentences).primed(names)
    # heading lines, and every section title (a short section shares its chunk with the one before)
    headings = Background.of(s.text for p in parts for s in p.sentences if s.kind == "heading")
    titles = Background.of(sorted({q for p in parts for qs in p.questions.values() for q in qs}))
    credits = [s.text for p in parts for s in p.sentences if is_name_list(s.text)]
    context = Context(background, headings, titles, credits)
    taken = {d.id for d in drafts}
    concepts: dict[str, Concept] = {}
    senses: dict[str, CodeSense] = {}
    kept: list[Draft] = []
    renamed: dict[str, str] = {}
    for d in drafts:
        rules = sources.get(d.id, set()) | ({"glossary"} if d.glossary else set())
        if not d.glossary and not is_term([d.en, d.zh, *d.surfaces], rules, background):
            continue  # an ordinary word or a stopword, not a term of this corpus
        if not d.glossary and rules <= WEAK_RULES and name_of_no_term(d, found_in[d.id], context):
            continue  # a section title ("Fancier Output Formatting"), a person (credited or not), a unit (MB)
        if not d.glossary and rules <= WEAK_RULES and _WORD.fullmatch(d.en):
            whole = compound_of(d.en, background.text)
            if whole and concept_id(whole) not in taken:
                renamed[d.id] = concept_id(whole)
                taken.add(renamed[d.id])
                # "mangling" -> "name mangling", still found where the text writes the word alone
                d = Draft(renamed[d.id], whole, d.zh, [whole, *d.surfaces], d.glossary)
        # code and the labels of an interface keep their spelling (sys.path, StopIteration, Hide Docks)
        as_set = bool(rules & {"code", "gui"}) and not _WORD.fullmatch(d.en)
        label = d.en if d.glossary or as_set else written_label(d.en, background)
        if d.en in code.get(d.id, ()) and label.lower() != d.en.lower():
            label = d.en  # code keeps its number: the collections module is no "collection"
        sense = None if d.glossary else code_sense(code.get(d.id, ()), background)
        if sense:
            senses[d.id] = sense
            label = code_label(sense, d.surfaces, background) or label
        aliases = [s for s in d.surfaces if s not in (label, d.zh) and not (sense and sense.english(s))]
        concepts[d.id] = Concept(d.id, label or d.zh, d.zh, sorted(aliases), sorted(rules), [])
        kept.append(d)
    local = {k: renamed.get(v, v) for k, v in local.items() if renamed.get(v, v) in concepts}
    lexicon = Lexicon({s: d.id for d in kept for s in d.surfaces})
    return concepts, local, lexicon, senses


_WORD = re.compile(r"[a-z][a-z0-9_]*")
def _typed_edges(
    parts: Sequence[DocGraph], local: dict[str, str]
) -> dict[tuple[str, str, str], list[Evidence]]:
    edges: dict[tuple[str, str, str], list[Evidence]] = {}
    for p in parts:
        for e in p.edges:
            s, t = local.get(e.source, e.source), local.get(e.target, e.target)
            if s != t:
                edges.setdefault((s, t, e.type), []).extend(e.evidence)
    steps = nx.DiGraph([(s, t) for s, t, ty in edges if ty == "followed-by"])
    if nx.is_directed_acyclic_graph(steps):
        keep = set(nx.transitive_reduction(steps).edges())
        for s, t in list(steps.edges()):
            if (s, t) not in keep:
                del edges[(s, t, "followed-by")]
    return edges


def _related(linked: list[tuple[Sentence, list[str]]], typed: set[frozenset[str]]) -> list[Edge]:
    """NPMI of two concepts over chunks; evidence: a sentence naming both, else one naming the rarer.

    Near-linear: sentences are indexed by (chunk, concept), and a pair only looks at the chunks it shares.
    """
    where: dict[str, dict[str, list[int]]] = {}  # chunk id -> concept -> sentence positions, in linked order
    for i, (s, keys) in enumerate(linked):
        by_key = where.setdefault(s.chunk_id, {})
        for k in keys:
            by_key.setdefault(k, []).append(i)
    n = len(where)
    single = Counter(k for ks in where.values() for k in ks)
    shared: dict[tuple[str, str], list[str]] = {}
    for chunk_id, ks in where.items():
        for a, b in combinations(sorted(ks), 2):
            shared.setdefault((a, b), []).append(chunk_id)
    out: list[Edge] = []
    for (a, b), chunk_ids in sorted(shared.items()):
        n_ab = len(chunk_ids)
        if n_ab < COOCCURRENCE.min_chunks or frozenset((a, b)) in typed or n_ab == n:
            continue
        pmi = math.log(n * n_ab / (single[a] * single[b]))
        npmi = pmi / -math.log(n_ab / n)
        if npmi < COOCCURRENCE.min_npmi:
            continue
        rarer = a if single[a] <= single[b] else b
        picked = [_chunk_evidence(where[c], a, b, rarer) for c in chunk_ids]
        chosen = sorted((linked[i][0] for i in picked), key=lambda s: (s.doc_id, s.start))[:COOCCURRENCE.max_evidence]
        out.append(Edge(a, b, "related", round(npmi, 4), [s.evidence("cooccurrence") for s in chosen]))
    return out


def _chunk_evidence(by_key: dict[str, list[int]], a: str, b: str, rarer: str) -> int:
    """The chunk's first sentence naming both concepts, else its first naming the rarer one."""
    both = set(by_key[a]) & set(by_key[b])
    return min(both) if both else by_key[rarer][0]


def _glossary_edges(
    glossary: Glossary, linked: list[tuple[Sentence, list[str]]], ids: set[str]
) -> list[Edge]:
    where: dict[str, list[int]] = {}
    for i, (_, keys) in enumerate(linked):
        for k in keys:
            where.setdefault(k, []).append(i)
    out = []
    for r in glossary.relations:
        if r.source not in ids or r.target not in ids or r.source not in where:
            continue
        both = sorted(set(where[r.source]) & set(where.get(r.target, [])))
        body = [i for i in both if linked[i][0].kind != "heading"]
        # the glossary's relation is typed where a sentence names both ends; else the text only relates them
        ground = linked[(body or where[r.source])[0]][0]
        out.append(Edge(r.source, r.target, r.type if body else "related", 1.0, [ground.evidence("glossary")]))
    return out


def build_graph(parts: list[DocGraph], glossary: Glossary) -> ConceptGraph:
    """Merge per-document contributions into the concept graph (order of ``parts`` does not matter)."""
    parts = sorted(parts, key=lambda p: p.doc_id)
    concepts, local, lexicon, senses = _concepts(parts, glossary)
    linked = _sentence_mentions(parts, lexicon, senses)
    questions = {cid: qs for p in parts for cid, qs in p.questions.items()}
    for k, chunk_ids in _chunks_by_concept(linked).items():
        concepts[k].chunk_ids.extend(chunk_ids)
    typed = _typed_edges(parts, local)
    found = [
        Edge(s, t, ty, float(len({(e.chunk_id, e.start) for e in evs})), sorted(set(evs), key=_ev_key))
        for (s, t, ty), evs in sorted(typed.items())
        if s in concepts and t in concepts
    ]
    found += _glossary_edges(glossary, linked, set(concepts))
    edges = one_way([e for e in found if e.type != "related"])
    pairs = {frozenset((e.source, e.target)) for e in edges}
    for e in [*head_edges(concepts, linked), *kind_edges(concepts, linked)]:  # what a name states
        if frozenset((e.source, e.target)) not in pairs:
            edges.append(e)
            pairs.add(frozenset((e.source, e.target)))
    pairs = {frozenset((e.source, e.target)) for e in edges}
    for e in found:  # relations the text implies without stating them (a list lead and its items)
        if e.type == "related" and frozenset((e.source, e.target)) not in pairs:
            edges.append(e)
            pairs.add(frozenset((e.source, e.target)))
    edges += _related(linked, pairs)
    for c in concepts.values():
        c.chunk_ids.sort()
    typed_ids = {x for e in edges if e.type != "related" for x in (e.source, e.target)}
    linked_ids = {x for e in edges for x in (e.source, e.target)}
    mentions = Counter(k for _, keys in linked for k in keys)
    kept = {k: c for k, c in sorted(concepts.items())
            if _keep(c, c.id in typed_ids, c.id in linked_ids, mentions[c.id])}
    edges = [e for e in edges if e.source in kept and e.target in kept]
    return ConceptGraph(kept, sorted(edges, key=lambda e: (e.source, e.target, e.type)), questions)


def one_way(edges: list[Edge]) -> list[Edge]:
    """At most one edge of a type per pair of concepts: A part-of B and B part-of A cannot both hold, and a
    symmetric type (contrasts-with) needs one direction only. The edge with the most evidence stays (ties: the
    first by source and target).

    >>> from kgqa.types import Evidence
    >>> ev = Evidence("c", "d", 0, 2, "xx", "t")
    >>> both = [Edge("a", "b", "part-of", 1, [ev]), Edge("b", "a", "part-of", 2, [ev, ev])]
    >>> [(e.source, e.target) for e in one_way(both)]
    [('b', 'a')]
    """
    best: dict[tuple[frozenset[str], str], Edge] = {}
    for e in sorted(edges, key=lambda e: (-len(e.evidence), e.source, e.type, e.target)):
        best.setdefault((frozenset((e.source, e.target)), e.type), e)
    return sorted(best.values(), key=lambda e: (e.source, e.target, e.type))


def _chunks_by_concept(linked: list[tuple[Sentence, list[str]]]) -> dict[str, list[str]]:
    """Concept -> the chunks naming it, each once, in the order the sentences come."""
    out: dict[str, dict[str, None]] = {}
    for s, keys in linked:
        for k in keys:
            out.setdefault(k, {})[s.chunk_id] = None
    return {k: list(v) for k, v in out.items()}


def _keep(c: Concept, typed: bool, linked: bool = True, mentions: int = 0) -> bool:
    """Glossary concepts and named ones (English label, or a pair/bold/quoted name) stay. A name found only by
    a weak rule (an English run, a heading, a list label) in a single passage goes, unless it is name-shaped
    (RETRO, ResNet) or the text states a typed relation for it. A Chinese-only phrase found only as a list
    label or heading stays when the text states a typed relation for it."""
    if "glossary" in c.sources:
        return True
    dropped_once = len(c.chunk_ids) < TERMHOOD.min_chunks_unlinked and mentions < TERMHOOD.min_topic_mentions
    if not c.chunk_ids or (dropped_once and not linked and not self_marked(c)):
        return False  # named once in one passage and linked to nothing: no node of a concept map
    weak = set(c.sources) <= WEAK_RULES
    if weak and len(c.chunk_ids) < 2 and not typed and not is_name_shaped(c.label):
        return False  # found once, as a capitalised run or a heading, and nothing states a relation for it
    if c.label != c.label_zh or not weak or "compound" in c.sources:
        return True  # a compound of a series (教师模型 beside 学生模型) is a name, not a phrase of a list label
    return typed


_CALLED = re.compile(r"[A-Za-z_][\w.]*\(\)")
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]{3,}")


def self_marked(c: Concept) -> bool:
    """Set by the source as a label of the interface (a menu, a dialog, a button: *Hide Docks*), or as code that
    names an interface of the language or its library: a call (``isinstance()``, ``math.fsum()``) or an
    environment variable or constant (``PYTHONSTARTUP``). A name the reader looks up even where the text writes
    it once; other inline code named once is mostly an example's detail (``the_answer``)."""
    if "gui" in c.sources:
        return True
    names = [c.label, *c.aliases]
    return "code" in c.sources and any(_CALLED.fullmatch(n) or _CONSTANT.fullmatch(n) for n in names)


def _ev_key(e: Evidence) -> tuple[str, int, int, str]:
    return (e.doc_id, e.start, e.end, e.rule)


def graph_for_corpus(
    docs: Sequence[Document],
    chunks_per_doc: Sequence[Sequence[Chunk]],
    glossary: Glossary,
    glossary_sha256: str,
    previous: Callable[[str, str, str], object | None] | None = None,
    label_vectors: LabelVectors | None = None,
) -> tuple[ConceptGraph, list[tuple[str, str, DocGraph]]]:
    """The graph of a corpus, re-extracting only documents whose text (or the glossary) changed.

    ``previous(stage, doc_id, key)`` returns a stored contribution; the (doc_id, key, DocGraph) list
    returned is what to store for the next build. With ``label_vectors`` (the index's embedding model),
    English-only and Chinese-only concepts that name one thing are joined (see ``crosslingual``).
    """
    parts: list[tuple[str, str, DocGraph]] = []
    for doc, chunks in zip(docs, chunks_per_doc, strict=True):
        key = f"{doc.sha256}:{graph_build_version()}:{glossary_sha256}"
        cached = previous(STAGE, doc.doc_id, key) if previous else None
        dg = DocGraph.from_dict(cached) if isinstance(cached, dict) else extract_document(doc, list(chunks), glossary)
        parts.append((doc.doc_id, key, dg))
    graph = build_graph([dg for _, _, dg in parts], glossary)
    return (link_languages(graph, label_vectors) if label_vectors else graph), parts
