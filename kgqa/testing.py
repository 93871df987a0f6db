"""Deterministic fakes shipped with the package, for fast offline tests of code built on kgqa.

Vectors come from hashes of character n-grams, never from a random generator, so the
same text always gets the same vector and texts sharing words land near each other.

>>> e = FakeEmbedder(dim=16)
>>> bool((e.embed(["自注意力"], "query") == e.embed(["自注意力"], "query")).all())
True
"""

from __future__ import annotations

import hashlib
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
