"""The Slack endpoint on the FastAPI app: ``POST /slack/events`` for events, the slash command and buttons."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from kgqa.apps.slack import EVENTS_PATH

TIMESTAMP_HEADER = "x-slack-request-timestamp"


def timestamp_problem(request: Request) -> str | None:
    """Why the request's Slack timestamp cannot be checked, or None. Bolt's verifier calls ``int()`` on it,
    so anything but a whole number of seconds would end in a 500 before the signature is even looked at."""
    values = request.headers.getlist(TIMESTAMP_HEADER)
    if len(values) > 1:
        return f"{len(values)} X-Slack-Request-Timestamp headers; send one"
    if values and not (values[0].isascii() and values[0].isdigit() and len(values[0]) <= 12):
        return "X-Slack-Request-Timestamp must be a Unix time in whole seconds, as Slack sends it"
    return None


def events_router(bolt: App) -> APIRouter:
    router = APIRouter(tags=["slack"])

    # hidden from the OpenAPI schema: only Slack can call it (every request must carry Slack's signature)
    @router.post(EVENTS_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        problem = timestamp_problem(request)
        if problem:
            return JSONResponse({"error": {"type": "invalid_signature", "message": problem}}, status_code=401)
        body = await request.body()
        # Bolt's FastAPI adapter calls the synchronous dispatch on the event loop; dispatch can block
        # (auth.test on the first request, a Retry-After wait), so the same conversion runs it on the
        # thread pool instead.
        resp = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(resp)

    return router
