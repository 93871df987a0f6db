"""A uvicorn server running an app in a thread of the test process, on a free port."""

from __future__ import annotations

import time
from typing import Any

import httpx

import kgqa.testing


class LiveServer(kgqa.testing.LiveServer):
    """The shared live server, plus a wait for the background re-index the admin endpoints start."""

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
                # a request resolves its knowledge base before it reads the re-index state, so the one that saw
                # the swap may still describe the old index: ask once more, after the swap
                return client.get("/healthz").json()
            time.sleep(0.1)
        raise AssertionError(f"no re-index finished within {timeout} s")
