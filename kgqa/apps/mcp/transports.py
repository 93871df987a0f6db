"""The MCP tools served two ways: streamable HTTP at ``/mcp`` on the API app, and stdio for ``kgqa mcp``.

HTTP is stateless with JSON responses: every POST carries one JSON-RPC message and gets its answer back,
so no session outlives a request, the per-client rate limit and the body limit see every call, and replicas
behind a load balancer need nothing shared. The SDK's DNS-rebinding check stays on: a request must name a
loopback host (or one of ``KGQA_MCP_ALLOWED_HOSTS``) and come from no browser origin, a loopback one, or one of
``KGQA_CORS_ORIGINS``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from kgqa.apps.api.holder import KBHolder
from kgqa.apps.mcp.tools import KBSource, build_server
from kgqa.config import Settings

log = logging.getLogger(__name__)
PATH = "/mcp"
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """Loopback hosts and origins, plus the configured ones; ``KGQA_MCP_ALLOWED_HOSTS='["*"]'`` turns it off."""
    if "*" in settings.mcp_allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        allowed_hosts=[*LOOPBACK_HOSTS, *settings.mcp_allowed_hosts],
        allowed_origins=[*LOOPBACK_ORIGINS, *settings.cors_origins],
    )


class HttpChannel:
    """The ASGI endpoint at ``/mcp``. ``running()`` must wrap the app's lifespan: the SDK's session manager
    runs its task group there, and a manager runs once, so each lifespan gets a fresh one."""

    def __init__(self, server: MCPServer, settings: Settings) -> None:
        self._server = server
        self._security = transport_security(settings)

    def mount(self, app: FastAPI) -> None:
        # a plain Starlette route: its endpoint is an ASGI app, which FastAPI's own routes do not take
        app.router.routes.append(Route(PATH, endpoint=self, include_in_schema=False))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        # the Starlette app it returns is not used: this endpoint serves the manager it creates
        self._server.streamable_http_app(stateless_http=True, json_response=True, transport_security=self._security)
        async with self._server.session_manager.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._server.session_manager.handle_request(scope, receive, send)


def http_channel(kb: KBSource, settings: Settings) -> HttpChannel:
    return HttpChannel(build_server(kb, settings), settings)


def run_stdio(settings: Settings) -> None:
    """Serve the tools on stdin/stdout until the client closes them.

    A missing or unreadable index fails here, before the first message. The model and the knowledge base load
    in the background meanwhile, so the client's handshake is answered at once (agents give a starting tool
    only so long) and the first call waits for the load; a newer index that ``kgqa ingest`` publishes is then
    picked up as ``kgqa serve`` does.
    """
    import anyio

    from kgqa.apps.api.app import SharedModel, default_builder, default_provider
    from kgqa.apps.api.holder import KBHolder
    from kgqa.index.manifest import current_generation
    from kgqa.index.reader import open_index

    open_index(settings.index_dir).close()
    model = SharedModel(settings)
    holder = KBHolder(default_provider(settings, model), default_builder(settings, model),
                      published=lambda: current_generation(settings.index_dir))
    threading.Thread(target=_warm, args=(holder,), name="kgqa-mcp-load", daemon=True).start()
    try:
        anyio.run(build_server(holder.get, settings).run_stdio_async)
    finally:
        holder.close()


def _warm(holder: KBHolder) -> None:
    try:
        holder.get()
    except Exception:  # each call then retries the load and reports its error as a tool error
        log.exception("could not load the knowledge base; tool calls will say why")
