"""The FastAPI application: settings and a :class:`KBHolder` on ``app.state``, one router per resource."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from kgqa.apps.api import errors
from kgqa.apps.api.holder import Builder, KBHolder, Provider
from kgqa.apps.api.metrics import Metrics, MetricsMiddleware
from kgqa.apps.api.middleware import (
    ApiKeyMiddleware,
    BodyLimitMiddleware,
    RateLimitMiddleware,
    RateRule,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from kgqa.apps.api.rebuild import build_in_child
from kgqa.apps.api.routers import ask, concepts, documents, health, metrics, retrieve
from kgqa.apps.slack import EVENTS_PATH, mount_slack
from kgqa.apps.web import mount_web
from kgqa.apps.web.docs import mount_docs
from kgqa.config import Settings
from kgqa.index.embed import Embedder, QueryFirstEmbedder
from kgqa.index.manifest import current_generation
from kgqa.index.token_count import TokenCounter
from kgqa.pipeline import KnowledgeBase

# multipart framing around an upload of exactly max_upload_bytes; the upload route checks the file itself
BODY_SLACK = 64 * 1024

DESCRIPTION = """Cited answers, retrieval and the concept graph over the indexed notes.

Errors are JSON `{"error": {"type", "message"}}`. With `KGQA_API_KEYS` set, every `/v1/*` route needs
`Authorization: Bearer <key>`. Document upload/delete need `Authorization: Bearer <KGQA_ADMIN_TOKEN>` and are
off when no token is configured."""


class SharedModel:
    """The embedding model, loaded on first use and shared by loading and re-indexing (loaded once)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self._settings = settings
        self._embedder = embedder
        self._lock = threading.Lock()

    def get(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from kgqa.index.models import load_query_embedder

                self._embedder = load_query_embedder(self._settings, batched=True)
            return self._embedder


def default_provider(settings: Settings, model: SharedModel) -> Provider:
    def provide() -> KnowledgeBase:
        from kgqa.pipeline import load

        kb = load(settings, embedder=model.get())
        kb.warm_up()  # before it is served: the first questions do not pay for first-use loading
        return kb

    return provide


def _milvus_lite(settings: Settings) -> bool:
    from kgqa.index.backends import milvus_uri

    return settings.vector_backend == "milvus" and "://" not in milvus_uri(settings)


def default_builder(settings: Settings, model: SharedModel) -> Builder:
    """``build_index`` with the shared model; in a child process when that model embeds only questions in
    this process (the configured default model: building would load torch here, see ``rebuild.py``) and the
    vectors live where two processes may write (FAISS files, a Milvus server; a milvus-lite file is open in
    this process, which only one process may hold)."""

    def build() -> object:
        from kgqa.pipeline import build_index

        embedder = model.get()
        if isinstance(embedder, QueryFirstEmbedder) and embedder.model_id == settings.embedding_model_id \
                and not _milvus_lite(settings):
            return build_in_child(settings)
        return build_index(settings, embedder=embedder)

    return build


def create_app(
    settings: Settings,
    kb_provider: Provider | None = None,
    *,
    embedder: Embedder | None = None,
    builder: Builder | None = None,
) -> FastAPI:
    """The API over the index in ``settings.index_dir``.

    ``kb_provider`` loads the knowledge base, at startup and again after each background re-index
    (default: ``load(settings)`` with ``embedder``, itself defaulting to the configured model, loaded
    once). ``builder`` refreshes the index after an upload or delete (default: ``build_index`` with the
    same embedder).
    """
    model = SharedModel(settings, embedder)
    instruments = Metrics()
    holder = KBHolder(
        kb_provider or default_provider(settings, model), builder or default_builder(settings, model),
        published=(lambda: current_generation(settings.index_dir)) if kb_provider is None else None,
        on_reindex=instruments.observe_reindex,
    )
    instruments.watch_index(lambda: holder.current)
    # imported here: the MCP tools are built on the API's own modules, which import this package
    from kgqa.apps.mcp.transports import PATH as MCP_PATH
    from kgqa.apps.mcp.transports import http_channel

    mcp = http_channel(holder.get, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(holder.get)  # fail at startup, not on the first question
        async with mcp.running():  # the MCP session manager's task group lives as long as the app
            yield
        await run_in_threadpool(holder.close)

    # /docs is served from the package's copy of Swagger UI (mount_docs), not FastAPI's CDN page; no /redoc
    app = FastAPI(title="kgqa", version="0.1.0", description=DESCRIPTION, lifespan=lifespan, docs_url=None,
                  redoc_url=None)
    app.state.settings = settings
    app.state.kb_holder = holder
    app.state.metrics = instruments
    app.state.token_counter = TokenCounter(settings.model_dir)
    errors.install(app)
    for module in (health, ask, retrieve, concepts, documents, metrics):
        app.include_router(module.router)
    # the other channels served here: the concept-map page, MCP for agents, and Slack's HTTP mode when configured
    mount_web(app)
    mcp.mount(app)
    mount_docs(app)
    mount_slack(app, settings, holder.get)

    # added innermost first: request ids wrap everything, so CORS, 413 and 429 responses carry one too, and
    # metrics wrap request ids, so those responses are counted; the rate limit sits inside CORS so a browser
    # can read its 429
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes + BODY_SLACK)
    # inside the rate limit, so guessing keys is throttled; outside the body limit, so a refused request is
    # refused before its body is read
    if settings.api_keys:
        app.add_middleware(ApiKeyMiddleware, keys=settings.api_keys, admin_token=settings.admin_token)
    rules = [
        RateRule.parse("/v1/", settings.rate_limit, "KGQA_RATE_LIMIT"),
        # an agent's tool call costs what the same HTTP request would: the same limit, counted apart from /v1/
        RateRule.parse(MCP_PATH, settings.rate_limit, "KGQA_RATE_LIMIT"),
        RateRule.parse(EVENTS_PATH, settings.slack_rate_limit, "KGQA_SLACK_RATE_LIMIT"),
    ]
    if any(rules):
        app.add_middleware(RateLimitMiddleware, rules=[r for r in rules if r])
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["x-request-id", "retry-after"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=instruments)
    return app
