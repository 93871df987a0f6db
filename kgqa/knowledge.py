"""The queryable knowledge base: ``load`` (indexes -> a knowledge base) and ``KnowledgeBase.ask``, wired from the
answer stages (chit-chat, analyse, retrieve, decide, compose, the graph's part). Read top to bottom.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from kgqa import admission
from kgqa.answer import chitchat
from kgqa.answer.cite import abstention_text, caveat_text
from kgqa.answer.composers import Composer, ExtractiveComposer, LLMComposer
from kgqa.answer.decide import Floors, Judge
from kgqa.answer.graph_answer import enumeration_answer, relation_answer
from kgqa.answer.graph_answer import merge as merge_path
from kgqa.answer.llm import make_chat_model
from kgqa.answer.overview import Overview, build_overview
from kgqa.answer.related import answer_concepts, nearest_concepts, related_concepts
from kgqa.answer.slips import Coverage
from kgqa.calibration import calibration_key, read_calibration, write_calibration
from kgqa.config import DEFAULT_MODEL, Settings
from kgqa.deadline import Deadline
from kgqa.errors import IndexError_
from kgqa.graph.build import ConceptGraph
from kgqa.index.backends import backend_name, open_backend
from kgqa.index.bm25 import tokenize
from kgqa.index.embed import Embedder
from kgqa.index.reader import IndexReader, open_index
from kgqa.retrieve import normalise
from kgqa.retrieve.analyse import detect_language
from kgqa.retrieve.engine import Engine
from kgqa.retrieve.hybrid import HybridRetriever
from kgqa.timing import Laps, StageObserver
from kgqa.tuning import COMPOSE, DECIDE, PROBES, RETRIEVAL, SIMILARITY
from kgqa.types import Answer, Hit

log = logging.getLogger(__name__)

# sentences are scored against every question; their tokens never change while an index is loaded
cached_tokenize = lru_cache(maxsize=65536)(tokenize)


@dataclass
class KnowledgeBase:
    """A loaded index: chunks, vector and keyword indexes, the concept graph, and the query embedder."""

    settings: Settings
    index: IndexReader
    graph: ConceptGraph
    engine: Engine
    judge: Judge
    composer: Composer
    overview: Overview
    chat_model: Any = None
    _titles: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)
    probed: bool = False  # whether loading asked the probe questions (it calibrated: nothing was cached)

    def retrieve(self, query: str, k: int = 5, history: Sequence[object] | None = None) -> list[Hit]:
        """Ranked passages for a question (follow-ups resolved against ``history``), no answer composed."""
        return self.engine.search(query, k=k, history=history)

    def titles(self) -> dict[str, str]:
        """Document id -> title, read-only; made once, as a knowledge base serves one index generation."""
        if self._titles is None:
            self._titles = {d.doc_id: d.title for d in self.index.documents.values()}
        return self._titles

    def ask(self, question: str, history: Sequence[object] | None = None, k: int | None = None,
            language: str | None = None, deadline: Deadline | None = None,
            on_stage: StageObserver | None = None) -> Answer:
        """A cited answer, an answer with a caveat, an honest refusal with the nearest topics, or a short
        reply to chit-chat. ``language`` (zh, en) is the one to answer in (a chat's system message may ask
        for one); by default the question's own. Retrieval always reads the question in its own language.
        Over ``deadline`` (checked between stages) it raises BudgetExceededError. ``on_stage(stage, seconds)``
        is told how long each stage below took. Long questions take turns (``kgqa.admission``)."""
        with admission.turn(question):
            return self._ask(question, history, k, language, deadline, on_stage)

    def _ask(self, question: str, history: Sequence[object] | None, k: int | None, language: str | None,
             deadline: Deadline | None, on_stage: StageObserver | None) -> Answer:
        k = k or self.settings.top_k
        budget = deadline or Deadline.none()
        laps = Laps(on_stage)
        # 0. a greeting, thanks or "what can you do" is a conversation turn, not a question
        kind = chitchat.kind_of(question, self.judge.names_subject)
        if kind is not None:
            reply = self.overview.reply(kind, language or detect_language(question))
            laps.lap("chitchat")
            return reply
        # 1. analyse: language, parts, follow-up resolution, concept linking and expansion
        plan = self.engine.plan(question, history, k)
        lang = language or plan.language
        laps.lap("analyse")
        # 2. retrieve each part: dense + BM25 + graph channel, fused
        budget.check("retrieving passages")
        results = self.engine.retrieve(plan, k)
        related = related_concepts(self.graph, plan.concepts)
        laps.lap("retrieve")
        # 3. decide: answer, answer with a caveat, or refuse
        decision = self.judge.decide(question, len(plan.concepts), results, plan.language, plan.read)
        laps.lap("decide")
        if decision.outcome == "refused":
            nearest = nearest_concepts(self.graph, [h for r in results for h in r.hits], lang)
            refusal = Answer(abstention_text(lang, plan.question.strip(), nearest), [], related,
                             plan.concepts, abstained=True, missing=list(decision.missing))
            laps.lap("compose")
            return refusal
        # 4. compose: the extractive composer, or the LLM layer when configured
        budget.check("composing the answer")
        text, citations = self.composer.compose(question, plan.parts, results, lang)
        laps.lap("compose")
        # 5. a relation question also gets the concept graph's path, an enumeration the graph's items, each
        # hop or item cited by its evidence
        budget.check("adding the concept graph's part")
        graph_part = relation_answer(self.graph, question, lang, self.index.by_id, self.titles(),
                                     len(citations) + 1, citations) \
            or enumeration_answer(self.graph, question, lang, self.index.by_id, self.titles(),
                                  len(citations) + 1, citations, {h.chunk.chunk_id for r in results for h in r.hits})
        text, citations = merge_path(text, citations, graph_part)
        about = answer_concepts(self.graph, plan.concepts, citations, COMPOSE.answer_concepts)
        if not plan.concepts:  # a question that names no concept: what to read next follows what was cited
            related = related_concepts(self.graph, about)
        laps.lap("graph")
        if decision.outcome == "caveat":
            text = caveat_text(lang, decision.missing) + "\n" + text
        return Answer(text, citations, related, about, outcome=decision.outcome,
                      missing=list(decision.missing))

    def warm_up(self) -> None:
        """Load and work out now what answering otherwise loads on first use, for a server about to serve this
        knowledge base: the corpus's keyword lists (``Coverage.prepare``), the typo corrector of the concept
        names, the word-frequency lists, the pinyin and part-of-speech dictionaries. Loading asks the probes only
        when the calibration is not cached; when it was, the first three dev-set questions took 803, 256 and 375
        ms instead of about 20 (and concurrent first questions each loaded the same lists), and the first question
        with a word the corpus lacks (wordpiece) took 290 ms more in its analysis. The probe
        questions, everyday topics in both languages, take every one of those paths; what asking leaves behind
        is caches of pure functions, so later answers are the same. When loading calibrated, it has just asked
        them."""
        self.judge.coverage.prepare()
        normalise.prepare()  # the probes hold no word the corpus lacks, so they never load the speller's list
        if self.probed:
            return
        for question in (*PROBES.zh, *PROBES.en):
            self.ask(question)

    def hit_json(self, hit: Hit) -> dict[str, object]:
        c = hit.chunk
        doc = self.index.documents.get(c.doc_id)
        return {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "title": doc.title if doc else c.doc_id,
                "section": c.section, "text": c.text, "start": c.start, "end": c.end,
                "score": hit.score, "scores": hit.scores}


def load(settings: Settings, embedder: Embedder | None = None) -> KnowledgeBase:
    """Open the current index (building it first when missing is the caller's choice: see ``ensure_index``)."""
    index = open_index(settings.index_dir, lambda folder, m: open_backend(
        settings, folder, m.dim, m.model_id, create=False, name=backend_name(m.vector_backend)))
    if embedder is None:  # loading only queries: no full model, unless this model has no fast query path
        from kgqa.index.models import load_query_embedder

        embedder = load_query_embedder(settings)
    if embedder.model_id != index.manifest.model_id:
        raise IndexError_(
            f"the index was built with {index.manifest.model_id!r} but the query model is {embedder.model_id!r}; "
            "run `kgqa ingest` to rebuild with the configured model."
        )
    graph = ConceptGraph.load(index.folder / "graph.json")
    retriever = HybridRetriever(index.chunks, index.vectors, index.bm25, embedder, settings.fusion_weights)
    engine = Engine(retriever, graph, settings.max_question_chars)
    coverage = Coverage("\n".join(c.index_text().lower() for c in index.chunks), index.bm25.vocabulary(),
                        index.bm25.frequent_words(DECIDE.subject_share))
    judge = Judge(graph, coverage, index.sentence_scores, cached_tokenize, Floors(*abstain_thresholds(settings)))
    # what the probe questions teach (hub passages, the unrelated-question floor) is kept per index and code
    key = calibration_key(index.folder, settings, embedder)
    learnt = read_calibration(settings.index_dir, key)
    if learnt is None:
        probes = [*PROBES.zh, *PROBES.en]
        retriever.set_hubness(embedder.embed(probes, kind="query"), RETRIEVAL.hubness_weight)
        judge.calibrate(lambda q: engine.retrieve(engine.plan(q, None, settings.top_k), settings.top_k))
        write_calibration(settings.index_dir, key, {"hubness": retriever.hubness, "unrelated": judge.floors.unrelated})
    else:
        retriever.hubness = learnt["hubness"]
        judge.floors = replace(judge.floors, unrelated=learnt["unrelated"])
    titles = {d.doc_id: d.title for d in index.documents.values()}
    chat_model = make_chat_model(settings)
    composer: Composer = (
        LLMComposer(chat_model, index.sentences, titles, cached_tokenize, settings.top_k) if chat_model is not None
        else ExtractiveComposer(index.sentences, index.sentence_scores, titles, cached_tokenize,
                                lambda cid: graph.concepts[cid].chunk_ids if cid in graph.concepts else ())
    )
    overview = build_overview(titles, index.chunks, list(graph.concepts.values()))
    return KnowledgeBase(settings, index, graph, engine, judge, composer, overview, chat_model, probed=learnt is None)


def abstain_thresholds(settings: Settings) -> tuple[float | None, float | None]:
    """(floor, floor when no concept is named): explicit setting, else calibrated for the default model only."""
    if settings.abstain_min_similarity is not None:
        return settings.abstain_min_similarity, settings.abstain_min_similarity
    if settings.embedding_model == DEFAULT_MODEL:
        return SIMILARITY.e5_min, SIMILARITY.e5_min_unlinked
    return None, None
