"""Deterministic fakes shipped with the package, for fast offline tests of code built on kgqa.

Vectors come from hashes of character n-grams, never from a random generator, so the
same text always gets the same vector and texts sharing words land near each other.

>>> e = FakeEmbedder(dim=16)
>>> bool((e.embed(["自注意力"], "query") == e.embed(["自注意力"], "query")).all())
True
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from kgqa.index.embed import Kind


class FakeEmbedder:
    """Bag of hashed character bigrams (and lower-cased ASCII words), L2-normalised."""

    def __init__(self, dim: int = 64, model_id: str = "fake-hash-embedder") -> None:
        self.dim = dim
        self.model_id = model_id
        self.calls: list[int] = []  # batch sizes seen, so tests can count embedding work

    def _features(self, text: str) -> list[str]:
        t = text.lower()
        feats = [t[i : i + 2] for i in range(max(len(t) - 1, 1))]
        feats += [w for w in "".join(c if c.isascii() and c.isalnum() else " " for c in t).split()]
        return feats

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
                idx = int.from_bytes(h[:4], "little") % self.dim
                sign = 1.0 if h[4] & 1 else -1.0
                out[row, idx] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out



class FakeChatModel(BaseChatModel):
    """A langchain chat model that answers deterministically: a fixed string, or a function of the prompt.

    >>> FakeChatModel(reply="RoPE 是旋转位置编码 [1]").invoke("q").content
    'RoPE 是旋转位置编码 [1]'
    """

    reply: str | Callable[[str], str]

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        prompt = "\n".join(str(m.content) for m in messages)
        text = self.reply(prompt) if callable(self.reply) else self.reply
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    @property
    def _llm_type(self) -> str:
        return "kgqa-fake-chat"


@dataclass
class LiveServer:
    """A real uvicorn server for an ASGI app, in a thread of this process, on a free loopback port.

    >>> server = LiveServer.start(app)   # doctest: +SKIP
    >>> httpx.get(f"{server.url}/healthz"); server.stop()   # doctest: +SKIP
    """

    app: Any
    url: str
    server: Any
    thread: threading.Thread

    @classmethod
    def start(cls, app: Any, name: str = "uvicorn", timeout: float = 60) -> LiveServer:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=name)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start; see the log above")
            time.sleep(0.02)
        return cls(app, f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


class EmbeddingServer:
    """A real OpenAI-compatible ``/v1/embeddings`` server on a free loopback port, in threads of this process.

    It embeds each request's ``input`` as given with ``embedder`` (``FakeEmbedder`` by default) and keeps
    every request body. ``script`` replies to the first requests instead: a status code (``503``), a status
    with headers (``(429, {"Retry-After": "2"})``), ``"hang"`` (no answer until the server stops) or
    ``"garbage"`` (200 with a body that is not JSON). ``overlap`` makes a request wait (up to 5 s) until that
    many are in flight, so a test sees how many a client sends at once.

    >>> with EmbeddingServer(script=[503]) as server:   # doctest: +SKIP
    ...     httpx.post(server.url + "/v1/embeddings", json={"input": ["x"]}).status_code
    503
    """

    def __init__(self, embedder: Any = None, script: Sequence[Any] = (), overlap: int = 0) -> None:
        from http.server import ThreadingHTTPServer

        self.embedder = embedder if embedder is not None else FakeEmbedder(dim=16)
        self.script = list(script)
        self.overlap = overlap
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Condition()
        self._stopped = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _embedding_handler(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True, name="embedding-server")
        self._thread.start()

    def __enter__(self) -> EmbeddingServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def reply(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one request (called by the handler, one thread per request)."""
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            step = self.script.pop(0) if self.script else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._lock.notify_all()
            if self.overlap:
                self._lock.wait_for(lambda: self.in_flight >= self.overlap, timeout=5)
        try:
            return self._answer(step, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, step: Any, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        if step == "hang":
            self._stopped.wait(timeout=60)
            return 503, {}, b""
        if step == "garbage":
            return 200, {}, b"<html>not an embeddings API</html>"
        if step is not None:
            status, headers = step if isinstance(step, tuple) else (step, {})
            error = {"error": {"message": f"scripted {status}", "type": "server_error"}}
            return status, headers, json.dumps(error).encode()
        texts = body["input"] if isinstance(body.get("input"), list) else [body.get("input", "")]
        vectors = self.embedder.embed(texts, kind=body.get("input_type", "passage"))
        data = [{"object": "embedding", "index": i, "embedding": [float(x) for x in v]}
                for i, v in enumerate(vectors)]
        return 200, {}, json.dumps({"object": "list", "data": data, "model": body.get("model")}).encode()


def _embedding_handler(server: EmbeddingServer) -> Any:
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the http.server API)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            status, headers, payload = server.reply(body, {k.lower(): v for k, v in self.headers.items()})
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

    return Handler
