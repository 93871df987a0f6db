"""Pure ASGI middleware (streaming-safe, unlike BaseHTTPMiddleware): request ids with an access log,
a cap on request bodies so an oversized upload is refused before it is buffered, API keys on ``/v1/*``,
and security headers.
"""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("kgqa.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "x-request-id"
# the routes OpenAI clients and chat front ends call: their errors carry OpenAI's param and code
OPENAI_PATHS = ("/v1/chat/", "/v1/models")


def is_openai_path(path: str) -> bool:
    return path.startswith(OPENAI_PATHS)


def request_id_of(scope: Scope) -> str | None:
    rid = scope.get("state", {}).get("request_id")
    return rid if isinstance(rid, str) else None


def current_request_id(conn: HTTPConnection) -> str | None:
    return request_id_of(conn.scope)


class RequestIdMiddleware:
    """Uses the client's well-formed ``X-Request-ID`` or makes one; echoes it; logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex[:16]
        # kept in the scope state (not a contextvar) so the outermost 500 handler still sees it
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if all(k.lower() != HEADER.encode() for k, _ in headers):
                    headers.append((HEADER.encode(), rid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            client = scope.get("client")
            fields = {"request_id": rid, "client": client[0] if client else "-", "method": scope["method"],
                      "path": scope["path"], "status": status or 500,
                      "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
            # the same fields as a text line and, for JSON logs, as fields of their own
            access_log.info('%(request_id)s %(client)s "%(method)s %(path)s" %(status)d %(duration_ms).1fms',
                            fields, extra=fields)


class BodyTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"request body is at least {size} bytes, over the limit of {limit}")
        self.size, self.limit = size, limit


class BodyLimitMiddleware:
    """Refuses bodies over ``limit`` bytes: by Content-Length up front, else while they stream in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _send_413(scope, send, int(declared), self.limit)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(seen, self.limit)  # turned into a 413 by the API's error handlers
            return message

        await self.app(scope, counting_receive, send)


async def _send_error(
    scope: Scope, send: Send, status: int, type_: str, message: str, headers: Sequence[tuple[bytes, bytes]] = (),
    **extra: str | None,
) -> None:
    error = {"type": type_, "request_id": request_id_of(scope), "message": message, **extra}
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_413(scope: Scope, send: Send, size: int, limit: int) -> None:
    message = (
        f"request body is {size} bytes, over the limit of {limit}; send a smaller file "
        "(the server's limit is KGQA_MAX_UPLOAD_BYTES)."
    )
    await _send_error(scope, send, 413, "too_large", message)


@dataclass(frozen=True)
class RateRule:
    """Requests under ``prefix`` are limited per client to every one of ``limits`` (``setting`` names it)."""

    prefix: str
    limits: tuple[RateLimitItem, ...]
    setting: str

    @classmethod
    def parse(cls, prefix: str, spec: str, setting: str) -> RateRule | None:
        """``"120/minute"`` or ``"10/second;200/hour"``; None when ``spec`` is empty (no limit)."""
        if not spec.strip():
            return None
        try:
            return cls(prefix, tuple(parse_many(spec)), setting)
        except ValueError as exc:
            from kgqa.errors import ConfigError

            raise ConfigError(
                f"{setting}={spec!r} is not a rate limit; write e.g. '120/minute' or '10/second;200/hour', "
                "or leave it empty to turn the limit off"
            ) from exc


class RateLimitMiddleware:
    """Per-client request limits (the ``limits`` package, moving windows in memory): over one, a 429 that
    says which limit and when to retry, with ``Retry-After`` in seconds."""

    def __init__(self, app: ASGIApp, rules: Sequence[RateRule]) -> None:
        self.app = app
        self.rules = list(rules)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = next((r for r in self.rules if scope["type"] == "http" and scope["path"].startswith(r.prefix)), None)
        if rule is None or scope["method"] == "OPTIONS":  # CORS preflights are not requests of their own
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "-"
        for item in rule.limits:
            if not self.limiter.hit(item, rule.prefix, key):
                reset = self.limiter.get_window_stats(item, rule.prefix, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                message = (
                    f"too many requests from {key}: the limit for {rule.prefix} is {item}; retry after {wait} s "
                    f"(the server's limit is {rule.setting})."
                )
                await _send_error(
                    scope, send, 429, "rate_limited", message, [(b"retry-after", str(wait).encode())]
                )
                return
        await self.app(scope, receive, send)


# what KGQA_API_KEYS closes: the API and the MCP channel, which serves the same data to agents
KEYED_PATHS = ("/v1/", "/mcp")


class ApiKeyMiddleware:
    """With ``KGQA_API_KEYS`` set, every ``/v1/*`` and ``/mcp`` request needs ``Authorization: Bearer <one of
    them>`` (the admin token also passes, so upload and delete need one header); else a 401, OpenAI-shaped on
    the chat routes. ``/healthz``, the page, its static files and ``/slack/events`` stay open; CORS preflights
    carry no credentials and pass."""

    def __init__(self, app: ASGIApp, keys: Sequence[str], admin_token: str | None = None) -> None:
        self.app = app
        self.keys = [k.encode() for k in [*keys, *([admin_token] if admin_token else [])] if k]

    def _allowed(self, scope: Scope) -> bool:
        given = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = given.partition(b" ")
        token = token.strip()
        # every key is compared, so the time taken does not tell which one came close
        matches = [secrets.compare_digest(token, key) for key in self.keys]
        return scheme.lower() == b"bearer" and bool(token) and any(matches)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(KEYED_PATHS) or scope["method"] == "OPTIONS" \
                or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization")
        what = "no API key was sent" if not header else "the API key is not one of the server's"
        message = f"{what}: send the header `Authorization: Bearer <key>` with a key from KGQA_API_KEYS."
        challenge = [(b"www-authenticate", b"Bearer")]
        if is_openai_path(scope["path"]):
            await _send_error(scope, send, 401, "invalid_request_error", message, challenge, param=None,
                              code="invalid_api_key")
        else:
            await _send_error(scope, send, 401, "unauthorized", message, challenge)


# The page loads only its own files: scripts and styles from /static (no inline script, no style attributes;
# the map sets colours through the DOM), data: for the empty favicon, and fetches to this origin.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# JSON and errors never load anything
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# FastAPI's interactive docs page starts Swagger UI with an inline script: it keeps its own rules
DOCS_PATHS = ("/docs",)


def csp_for(path: str) -> str | None:
    """The Content-Security-Policy for a path: the page's, the API's, or none for the interactive docs."""
    if path == "/" or path.startswith("/static/"):
        return PAGE_CSP
    if path.startswith(DOCS_PATHS):
        return None
    return API_CSP


class SecurityHeadersMiddleware:
    """``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and a CSP on every response (a header
    the app set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = csp_for(scope["path"])
        extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
        if csp:
            extra.append((b"content-security-policy", csp.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                message["headers"] = headers + [(k, v) for k, v in extra if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
