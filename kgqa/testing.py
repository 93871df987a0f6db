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


class VectorBackendContract:
    """The behaviour every vector backend (``kgqa.index.backends.VectorBackend``) must have.

    Inherit it in a pytest class and define a ``make_backend`` fixture returning a callable
    ``(folder, dim, create) -> backend``: ``create`` opens a new, empty backend kept in ``folder``;
    otherwise it reopens what was committed there.
    """

    DIM = 32
    TEXTS = ("自注意力机制计算点积", "位置编码使用正弦函数", "知识蒸馏训练学生模型", "RoPE 旋转位置编码",
             "LayerNorm 层归一化", "Mixture of Experts routes tokens")

    def records(self, kind: str = "chunk", prefix: str = "c") -> Any:
        from kgqa.index.backends import VectorRecords

        ids = [f"{prefix}{i}" for i in range(len(self.TEXTS))]
        docs = [f"doc{i % 2}.md" for i in range(len(self.TEXTS))]
        chunks = [f"c{i}" for i in range(len(self.TEXTS))]
        return VectorRecords.of(kind, ids, docs, chunks, FakeEmbedder(self.DIM).embed(list(self.TEXTS), "passage"))  # type: ignore[arg-type]

    def query(self, text: str) -> np.ndarray:
        return FakeEmbedder(self.DIM).embed([text], "query")[0]

    def filled(self, make_backend: Any, folder: Any) -> Any:
        backend = make_backend(folder, self.DIM, True)
        for kind, prefix in (("chunk", "c"), ("unit", "c"), ("sentence", "s")):
            backend.upsert(self.records(kind, prefix))
        return backend

    def test_round_trip_finds_the_identical_text_first(self, make_backend: Any, tmp_path: Any) -> None:
        backend = self.filled(make_backend, tmp_path)
        found = backend.search(self.query(self.TEXTS[3]), 3)
        assert found[0][0] == "c3" and abs(found[0][1] - 1.0) < 1e-3
        scores = [s for _, s in backend.search(self.query("位置编码"), 6)]
        assert scores == sorted(scores, reverse=True)
        assert len(backend.search(self.query("x"), 50)) == len(self.TEXTS)
        assert backend.count("chunk") == backend.count("sentence") == len(self.TEXTS)
        assert backend.count() == 3 * len(self.TEXTS)

    def test_upsert_replaces_rows_with_the_same_id(self, make_backend: Any, tmp_path: Any) -> None:
        from kgqa.index.backends import VectorRecords

        backend = self.filled(make_backend, tmp_path)
        new = FakeEmbedder(self.DIM).embed(["完全不同的内容 about gardening"], "passage")
        backend.upsert(VectorRecords.of("chunk", ["c0"], ["doc0.md"], ["c0"], new))
        assert backend.count("chunk") == len(self.TEXTS)
        assert backend.search(self.query("完全不同的内容 about gardening"), 1)[0][0] == "c0"
        assert backend.search(self.query(self.TEXTS[0]), 1)[0][0] != "c0"

    def test_filters_by_kind_document_and_chunk(self, make_backend: Any, tmp_path: Any) -> None:
        backend = self.filled(make_backend, tmp_path)
        q = self.query(self.TEXTS[3])
        assert {i for i, _ in backend.search(q, 10, "sentence")} == {f"s{i}" for i in range(len(self.TEXTS))}
        assert {i for i, _ in backend.search(q, 10, "chunk", doc_ids={"doc0.md"})} == {"c0", "c2", "c4"}
        assert [i for i, _ in backend.search(q, 10, "sentence", chunk_ids=["c3", "c5"])][0] == "s3"
        assert {i for i, _ in backend.search(q, 10, "sentence", doc_ids=["doc1.md"], chunk_ids=["c3", "c2"])} \
            == {"s3"}

    def test_empty_results(self, make_backend: Any, tmp_path: Any) -> None:
        empty = make_backend(tmp_path / "empty", self.DIM, True)
        assert empty.search(self.query("注意力"), 5) == [] and empty.count() == 0 and empty.documents() == set()
        backend = self.filled(make_backend, tmp_path)
        assert backend.search(self.query("注意力"), 5, doc_ids={"nowhere.md"}) == []
        assert backend.search(self.query("注意力"), 5, chunk_ids=[]) == []
        assert backend.search(self.query("注意力"), 0) == []

    def test_delete_by_document(self, make_backend: Any, tmp_path: Any) -> None:
        backend = self.filled(make_backend, tmp_path)
        assert backend.documents() == {"doc0.md", "doc1.md"}
        backend.delete_documents({"doc0.md"})
        assert backend.documents() == {"doc1.md"}
        assert {i for i, _ in backend.search(self.query("x"), 10)} == {"c1", "c3", "c5"}
        assert backend.count("sentence") == 3
        backend.delete_documents({"doc1.md"}, keep_chunks={"c5"})
        assert {i for i, _ in backend.search(self.query("x"), 10, "sentence")} == {"s5"}
        backend.delete_documents(set())
        assert backend.count() == 3

    def test_dimension_mismatch_is_an_index_error(self, make_backend: Any, tmp_path: Any) -> None:
        import pytest

        from kgqa.errors import IndexError_
        from kgqa.index.backends import VectorRecords

        backend = self.filled(make_backend, tmp_path)
        with pytest.raises(IndexError_, match="dimensions"):
            backend.search(np.ones(self.DIM + 1, dtype=np.float32), 3)
        with pytest.raises(IndexError_, match="dimensions"):
            backend.upsert(VectorRecords.of("chunk", ["x"], ["d"], ["x"], np.ones((1, self.DIM * 2), np.float32)))

    def test_persists_across_reopen(self, make_backend: Any, tmp_path: Any) -> None:
        backend = self.filled(make_backend, tmp_path)
        q = self.query("知识蒸馏")
        before = {kind: backend.search(q, 4, kind) for kind in ("chunk", "unit", "sentence")}
        backend.commit(tmp_path)
        backend.close()
        again = make_backend(tmp_path, self.DIM, False)
        after = {kind: again.search(q, 4, kind) for kind in ("chunk", "unit", "sentence")}
        assert [i for i, _ in after["chunk"]] == [i for i, _ in before["chunk"]]
        assert [i for i, _ in after["sentence"]] == [i for i, _ in before["sentence"]]
        for kind in before:  # float16 rows on disk may move a score in the third decimal
            assert np.allclose([s for _, s in after[kind]], [s for _, s in before[kind]], atol=2e-3)
        assert again.documents() == {"doc0.md", "doc1.md"}
        again.close()


class EmbedderContract:
    """The behaviour every embedder (``kgqa.index.embed.Embedder``) must have.

    Inherit it in a pytest class and define an ``embedder`` fixture returning the embedder under test.
    """

    TEXTS = ("什么是自注意力机制？", "RoPE encodes positions by rotating query and key vectors.", "知识蒸馏",
             "A much longer passage " * 20)

    def test_rows_are_unit_float32_of_the_stated_dimension(self, embedder: Any) -> None:
        for kind in ("query", "passage"):
            v = embedder.embed(list(self.TEXTS), kind)
            assert v.dtype == np.float32 and v.shape == (len(self.TEXTS), embedder.dim)
            assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)

    def test_empty_input_gives_no_rows(self, embedder: Any) -> None:
        assert embedder.embed([], "passage").shape == (0, embedder.dim)

    def test_a_text_embeds_alike_alone_and_in_a_batch(self, embedder: Any) -> None:
        batch = embedder.embed(list(self.TEXTS), "passage")
        for i, text in enumerate(self.TEXTS):
            alone = embedder.embed([text], "passage")[0]
            assert float(alone @ batch[i]) > 0.999

    def test_the_same_text_is_nearest_to_itself(self, embedder: Any) -> None:
        q = embedder.embed(list(self.TEXTS[:3]), "query")
        p = embedder.embed(list(self.TEXTS[:3]), "passage")
        assert list(np.argmax(q @ p.T, axis=1)) == [0, 1, 2]

    def test_model_id_names_the_model(self, embedder: Any) -> None:
        assert isinstance(embedder.model_id, str) and embedder.model_id.strip()
