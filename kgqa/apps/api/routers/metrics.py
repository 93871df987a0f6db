"""``GET /metrics``: Prometheus metrics (requests, ask stages and outcomes, the served index, re-indexes).

Outside ``/v1/`` and not rate limited, so a scraper every few seconds never meets a 429. Public like
``/healthz``: it shows counts, timings, route templates and the index generation, never a question or an
answer. An operator who wants it private blocks ``/metrics`` at the proxy.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kgqa.apps.api.deps import MetricsDep

router = APIRouter(tags=["metrics"])

TEXT_FORMAT = {"text/plain": {"schema": {"type": "string", "description": "Prometheus text format"}}}


@router.get("/metrics", response_class=Response, responses={200: {"content": TEXT_FORMAT}})
def metrics(request: Request, m: MetricsDep) -> Response:
    body, content_type = m.exposition(request.headers.get("accept", ""))
    return Response(body, media_type=content_type)
