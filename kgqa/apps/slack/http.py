"""The Slack endpoint on the FastAPI app: ``POST /slack/events`` for events, the slash command and buttons."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from kgqa.apps.slack import EVENTS_PATH


def events_router(bolt: App) -> APIRouter:
    router = APIRouter(tags=["slack"])

    # hidden from the OpenAPI schema: only Slack can call it (every request must carry Slack's signature)
    @router.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # Bolt's FastAPI adapter calls the synchronous dispatch on the event loop; dispatch can block
        # (auth.test on the first request, a Retry-After wait), so the same conversion runs it on the
        # thread pool instead.
        resp = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(resp)

    return router
