"""Prometheus metrics of the HTTP service, in a registry of each app's own (several apps in one process, as in
the tests, never share counts). Served at ``GET /metrics`` (``routers/metrics.py``).

    kgqa_http_requests_total{method, route, status}        every request, by route template (not raw path)
    kgqa_http_request_duration_seconds{method, route}      until the response is complete (SSE included)
    kgqa_ask_stage_seconds{stage}                          each stage of ``KnowledgeBase.ask``
    kgqa_ask_outcomes_total{outcome}                       answer, caveat, refused, chitchat
    kgqa_index_info{generation, model} 1                   the generation served now
    kgqa_index_documents / _chunks / _concepts             its size, read at scrape time
    kgqa_reindex_duration_seconds{kind, result}            rebuilds after uploads and deletes, and loads of a
                                                           generation another process published
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, get_args

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kgqa.types import Outcome

if TYPE_CHECKING:
    from kgqa.pipeline import KnowledgeBase

# a request no route takes (a scan, a typo) is counted under one label, so clients cannot grow the label set
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# prometheus_client's defaults (5 ms to 10 s), which span this service's requests: ask and retrieve take tens
# of milliseconds with the default model on two cores, an upload seconds
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
# one stage of an extractive answer takes from well under a millisecond (decide) to tens of milliseconds (the
# query embedding inside retrieve); an LLM composer takes seconds
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# a rebuild reuses cached embeddings (seconds) or embeds a whole corpus again (minutes)
REINDEX_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


class Metrics:
    """The service's instruments. ``watch_index`` adds the served index's size, read at every scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("kgqa_http_requests", "HTTP requests by route template, method and status.",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("kgqa_http_request_duration_seconds", "HTTP request duration, until the "
                                 "response is complete.", ["method", "route"], buckets=HTTP_BUCKETS, registry=r)
        self.stages = Histogram("kgqa_ask_stage_seconds", "Time spent in each stage of answering a question.",
                                ["stage"], buckets=STAGE_BUCKETS, registry=r)
        self.outcomes = Counter("kgqa_ask_outcomes", "Questions answered, by outcome.", ["outcome"], registry=r)
        for outcome in get_args(Outcome):
            self.outcomes.labels(outcome)  # present at 0 from the start, so rates and alerts see every outcome
        self.reindex = Histogram("kgqa_reindex_duration_seconds", "Re-index durations: rebuilds from the corpus "
                                 "and loads of a generation another process published.", ["kind", "result"],
                                 buckets=REINDEX_BUCKETS, registry=r)

    def watch_index(self, current: Callable[[], KnowledgeBase | None]) -> None:
        self.registry.register(IndexCollector(current))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_stage(self, stage: str, seconds: float) -> None:
        self.stages.labels(stage).observe(seconds)

    def count_outcome(self, outcome: str) -> None:
        self.outcomes.labels(outcome).inc()

    def observe_reindex(self, kind: str, seconds: float, ok: bool) -> None:
        self.reindex.labels(kind, "ok" if ok else "error").observe(seconds)

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The registry in the format the scraper asked for (Prometheus text, or OpenMetrics), and its type."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


class IndexCollector(Collector):
    """The served generation and its size, read from the knowledge base being served when scraped."""

    def __init__(self, current: Callable[[], KnowledgeBase | None]) -> None:
        self._current = current

    def collect(self) -> Iterator[Metric]:
        kb = self._current()
        if kb is None:  # not loaded yet: no index to describe
            return
        yield InfoMetricFamily("kgqa_index", "The index generation being served.",
                               value={"generation": kb.index.folder.name, "model": kb.index.manifest.model_id})
        sizes = {"documents": len(kb.index.documents), "chunks": len(kb.index.chunks),
                 "concepts": kb.graph.stats()["concepts"]}
        for name, value in sizes.items():
            yield GaugeMetricFamily(f"kgqa_index_{name}", f"{name.capitalize()} in the served index.", value=value)


def route_template(scope: Scope) -> str | None:
    """The path template of the route that took the request (``/v1/documents/{doc_id}``; a mount by its
    prefix), as the router left it in the scope; None when no route took it."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else None


class KnownRoutes:
    """Path templates for requests the router did not label: answered before routing (a 413, a 429) or by a
    mount. The app's own routes and mounts with a pattern, then its documented (OpenAPI) paths; the first whose
    pattern matches the path, else ``unmatched``."""

    def __init__(self) -> None:
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def template(self, scope: Scope) -> str:
        if self._patterns is None:
            self._patterns = self._compile(scope.get("app"))
        path = scope["path"]
        return next((template for pattern, template in self._patterns if pattern.match(path)), UNMATCHED)

    @staticmethod
    def _compile(app: object) -> list[tuple[re.Pattern[str], str]]:
        patterns = [(r.path_regex, r.path) for r in getattr(app, "routes", [])
                    if isinstance(getattr(r, "path_regex", None), re.Pattern)
                    and isinstance(getattr(r, "path", None), str)]
        openapi = getattr(app, "openapi", None)
        paths = openapi()["paths"] if callable(openapi) else {}
        return patterns + [(compile_path(p)[0], p) for p in paths]


class MetricsMiddleware:
    """Counts and times every HTTP request by method, route template and status. Outermost, so the 413s, 429s
    and CORS preflights other middleware answer are counted too."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.known = KnownRoutes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        observed = False

        def observe() -> None:
            nonlocal observed
            if not observed:
                observed = True
                route = route_template(scope) or self.known.template(scope)
                self.metrics.observe_request(scope["method"], route, status or 500, time.perf_counter() - started)

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # counted before the last byte leaves: a client that has its answer finds it in /metrics
                observe()
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            observe()
