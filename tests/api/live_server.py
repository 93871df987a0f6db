"""A uvicorn server running an app in a thread of the test process, on a free port."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI


@dataclass
class LiveServer:
    app: FastAPI
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    @classmethod
    def start(cls, app: FastAPI) -> LiveServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn")
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start; see the log above")
            time.sleep(0.02)
        return cls(app, f"http://127.0.0.1:{port}", server, thread)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def wait_reindexed(
        self, client: httpx.Client, completed_before: int, timeout: float = 60
    ) -> dict[str, Any]:
        """Poll /healthz until a re-index finished after ``completed_before`` and nothing is pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = client.get("/healthz").json()
            state = health["reindex"]
            assert state["last_error"] is None, state["last_error"]
            if state["completed"] > completed_before and not state["running"] and not state["pending"]:
                return health
            time.sleep(0.1)
        raise AssertionError(f"no re-index finished within {timeout} s")
