"""A fake Slack Web API on a free local port that records every call, for tests of the bot without Slack.

It answers the methods the bot uses (auth.test, chat.postMessage, conversations.replies, reactions.add/remove,
chat.postEphemeral, chat.update, chat.delete), keeps posted messages in threads so conversations.replies
returns them, accepts response_url posts under ``/hooks/<name>``, and can answer one call with 429 +
Retry-After. Served by the standard library's threading HTTP server: nothing here depends on the code
under test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "UKGQABOT"
BOT_ID = "BKGQA"
TEAM = "T0001"


@dataclass
class Call:
    method: str  # a Web API method, or "response_url" for posts to /hooks/<name>
    params: dict[str, Any]
    headers: dict[str, str]
    status: int
    at: float = field(default_factory=time.monotonic)
    path: str = ""


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._rate_limits: dict[str, int] = {}
        self._clock = int(time.time()) * 1_000_000
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-slack")

    # -- lifecycle and addresses ----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.origin}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.origin}/hooks/{name}"

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self.threads.clear()
            self._rate_limits.clear()

    # -- scripting ------------------------------------------------------------------------------------------

    def new_ts(self) -> str:
        with self._cond:
            self._clock += 100
            return f"{self._clock // 1_000_000}.{self._clock % 1_000_000:06d}"

    def user_message(
        self, channel: str, text: str, user: str = "UALICE", thread_ts: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A message as Slack stores it (conversations.replies returns it), ready to send as an event."""
        msg = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": self.new_ts(),
            "channel": channel,
            **extra,
        }
        if thread_ts:
            msg["thread_ts"] = thread_ts
        with self._cond:
            self.threads.setdefault((channel, thread_ts or msg["ts"]), []).append(msg)
        return msg

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        """The next call of ``method`` gets 429 with ``Retry-After: retry_after``."""
        with self._cond:
            self._rate_limits[method] = retry_after

    # -- inspection -----------------------------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20) -> list[Call]:
        """Block until ``count`` successful calls of ``method`` were made; return them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and c.status == 200]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(
                        f"expected {count} x {method} within {timeout} s; calls so far: {seen}"
                    )
                self._cond.wait(remaining)

    # -- the server -----------------------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Test",
                "user": "kgqa",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = self.new_ts()
            msg = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": BOT_ID,
                "ts": ts,
                "text": params.get("text", ""),
                "blocks": params.get("blocks", []),
            }
            if params.get("metadata"):
                msg["metadata"] = params["metadata"]
            if params.get("thread_ts"):
                msg["thread_ts"] = params["thread_ts"]
            with self._cond:
                self.threads.setdefault((params["channel"], params.get("thread_ts") or ts), []).append(msg)
            return {"ok": True, "channel": params["channel"], "ts": ts, "message": msg}
        if method == "conversations.replies":
            with self._cond:
                messages = list(self.threads.get((params["channel"], params["ts"]), []))
            return {"ok": True, "messages": messages, "has_more": False}
        if method in ("reactions.add", "reactions.remove", "chat.update", "chat.delete"):
            return {"ok": True}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.new_ts()}
        return {"ok": False, "error": "unknown_method"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _params(self) -> dict[str, Any]:
                url = urlsplit(self.path)
                params: dict[str, Any] = dict(parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                if raw and "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(raw))
                elif raw:
                    params.update(parse_qsl(raw))
                for key in ("blocks", "metadata"):  # form-encoded calls send these as JSON strings
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                return params

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                path = urlsplit(self.path).path
                params = self._params()
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/hooks/"):
                    fake._record(Call("response_url", params, headers, 200, path=path))
                    self._send(200, b"ok", "text/plain", {})
                    return
                method = path.removeprefix("/api/")
                with fake._cond:
                    retry_after = fake._rate_limits.pop(method, None)
                if retry_after is not None:
                    fake._record(Call(method, params, headers, 429, path=path))
                    body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self._send(429, body, "application/json", {"Retry-After": str(retry_after)})
                    return
                answer = fake._answer(method, params)
                fake._record(Call(method, params, headers, 200, path=path))
                self._send(200, json.dumps(answer).encode(), "application/json; charset=utf-8", {})

            do_GET = _handle
            do_POST = _handle

        return Handler


def first_block(
    blocks: list[dict[str, Any]], kind: str, pred: Callable[[dict[str, Any]], bool] = lambda b: True
) -> dict[str, Any]:
    for b in blocks:
        if b["type"] == kind and pred(b):
            return b
    raise AssertionError(f"no {kind} block in {json.dumps(blocks, ensure_ascii=False)[:500]}")
