"""The remote embedder against real HTTP servers on loopback (kgqa.testing.EmbeddingServer): batching, bounded
concurrency, retries, timeouts, errors, prompts, and how an index built from a server is told apart."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from kgqa.config import Settings
from kgqa.errors import IndexError_, ModelError
from kgqa.index import remote
from kgqa.index.e5_convert import PROMPTS
from kgqa.index.models import load_embedder
from kgqa.index.remote import (
    RemoteEmbedder,
    backoff_delay,
    embeddings_url,
    parse_embeddings,
    prompts_for,
    retry_after_seconds,
)
from kgqa.pipeline import build_index, load
from kgqa.testing import EmbedderContract, EmbeddingServer, FakeEmbedder
from kgqa.tuning import Retry

pytestmark = pytest.mark.unit

QUICK = Retry(attempts=3, backoff=0.01, max_backoff=0.02, max_retry_after=60.0)
TEXTS = [f"文本 {i} text number {i}" for i in range(20)]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the embedder asks for between tries (recorded, not slept)."""
    asked: list[float] = []
    monkeypatch.setattr(remote.time, "sleep", asked.append)
    return asked


@pytest.fixture
def server() -> Iterator[EmbeddingServer]:
    with EmbeddingServer() as s:
        yield s


Maker = Callable[..., RemoteEmbedder]


@pytest.fixture
def embedder_for() -> Iterator[Maker]:
    """``embedder_for(server, **options)``: a RemoteEmbedder on that server, closed after the test."""
    made: list[RemoteEmbedder] = []

    def make(server: EmbeddingServer, **kwargs: object) -> RemoteEmbedder:
        options: dict[str, object] = {"retry": QUICK, "model": "fake-hash-embedder", **kwargs}
        made.append(RemoteEmbedder(server.url, **options))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for embedder in made:
        embedder.close()


def test_embeddings_url_accepts_base_v1_and_endpoint() -> None:
    assert embeddings_url("http://h:8080/") == "http://h:8080/v1/embeddings"
    assert embeddings_url("http://h:8080/v1") == "http://h:8080/v1/embeddings"
    assert embeddings_url("http://h/api/v1/embeddings") == "http://h/api/v1/embeddings"


@pytest.mark.parametrize(("model", "e5"), [
    ("intfloat/multilingual-e5-small", True), ("intfloat/e5-base-v2", True),
    ("jeffh/intfloat-multilingual-e5-small:f16", True), ("intfloat/multilingual-e5-large-instruct", False),
    ("intfloat/e5-mistral-7b-instruct", False), ("BAAI/bge-m3", False), ("nomic-embed-text", False),
])
def test_e5_models_get_the_local_models_prompts(model: str, e5: bool) -> None:
    assert prompts_for(model, "client") == (PROMPTS if e5 else {})
    assert prompts_for(model, "server") == {}


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:10 GMT", now=1792567680.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = Retry(attempts=9, backoff=0.5, max_backoff=8.0)
    assert [backoff_delay(a, policy) for a in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff_delay(2, policy, jitter=0.0) == 1.0


def test_parse_embeddings_orders_decodes_and_rejects() -> None:
    b64 = "AACAPwAAAAA="  # float32 [1.0, 0.0]
    rows = parse_embeddings({"data": [{"index": 1, "embedding": b64}, {"index": 0, "embedding": [0, 3]}]}, 2)
    assert rows.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match="expected 2 embeddings"):
        parse_embeddings({"data": [{"index": 0, "embedding": [1]}]}, 2)
    with pytest.raises(ValueError, match="zero"):
        parse_embeddings({"data": [{"index": 0, "embedding": [0, 0]}]}, 1)


def test_batches_keep_order_and_concurrency_stays_bounded(embedder_for: Maker) -> None:
    with EmbeddingServer() as server:
        embedder = embedder_for(server, batch_size=5, max_concurrency=2)
        server.overlap = 2  # from now on a request waits for a second one (the dimension probe came alone)
        vectors = embedder.embed(TEXTS, kind="passage")
    assert embedder.dim == 16 and embedder.model_id == "remote:fake-hash-embedder"
    np.testing.assert_allclose(vectors, FakeEmbedder(dim=16).embed(TEXTS, "passage"), atol=1e-6)
    batches = [r["input"] for r in server.requests[1:]]  # after the dimension probe
    assert [len(b) for b in batches] == [5] * 4 and sorted(sum(batches, [])) == sorted(TEXTS)
    assert server.max_in_flight == 2


def test_requests_are_openai_shaped_with_e5_prompts_and_the_key(server: EmbeddingServer, embedder_for: Maker) -> None:
    embedder = embedder_for(server, model="intfloat/multilingual-e5-small", api_key="sk-test")
    embedder.embed(["注意力"], kind="query")
    embedder.embed(["Attention is all you need."], kind="passage")
    query, passage = server.requests[-2:]
    assert query == {"model": "intfloat/multilingual-e5-small", "input": ["query: 注意力"], "encoding_format": "float"}
    assert passage["input"] == ["passage: Attention is all you need."] and "input_type" not in passage
    assert server.headers[-1]["authorization"] == "Bearer sk-test"


def test_server_side_prompts_send_the_text_as_is_and_its_kind(server: EmbeddingServer, embedder_for: Maker) -> None:
    embedder = embedder_for(server, model="intfloat/multilingual-e5-small", prompts_by="server")
    embedder.embed(["注意力"], kind="query")
    assert server.requests[-1]["input"] == ["注意力"] and server.requests[-1]["input_type"] == "query"


def test_503_then_200_is_retried(sleeps: list[float], embedder_for: Maker) -> None:
    with EmbeddingServer(script=[503, 502]) as server:
        embedder = embedder_for(server)
        assert embedder.embed(["x"], kind="query").shape == (1, 16)
    assert len(server.requests) == 4 and len(sleeps) == 2  # two failures, then the probe, then the text


def test_retry_after_is_honoured(sleeps: list[float], embedder_for: Maker) -> None:
    with EmbeddingServer(script=[(429, {"Retry-After": "7"})]) as server:
        embedder_for(server)
    assert sleeps == [7.0] and len(server.requests) == 2


def test_retry_after_beyond_the_cap_is_reported_not_waited(sleeps: list[float], embedder_for: Maker) -> None:
    with EmbeddingServer(script=[(503, {"Retry-After": "120"})]) as server:
        with pytest.raises(ModelError, match=r"HTTP 503: scripted 503 \(it asked to retry after 120 s\)"):
            embedder_for(server)
    assert sleeps == [] and len(server.requests) == 1


def test_persistent_5xx_names_the_url_the_status_and_the_tries(sleeps: list[float], embedder_for: Maker) -> None:
    with EmbeddingServer(script=[500] * 5) as server:
        with pytest.raises(ModelError) as err:
            embedder_for(server)
    assert f"{server.url}/v1/embeddings" in str(err.value) and "after 3 tries: HTTP 500" in str(err.value)
    assert len(server.requests) == 3 and len(sleeps) == 2


def test_a_hanging_server_times_out_on_every_try(embedder_for: Maker) -> None:
    with EmbeddingServer(script=["hang", "hang"]) as server:
        with pytest.raises(ModelError, match=r"after 2 tries: no answer within 0.2 s; raise KGQA_EMBEDDING_TIMEOUT"):
            embedder_for(server, timeout=0.2, retry=Retry(attempts=2, backoff=0.01, max_backoff=0.01))
    assert len(server.requests) == 2


@pytest.mark.parametrize(("status", "fix"), [(401, "KGQA_EMBEDDING_API_KEY"), (404, "ollama pull"),
                                             (413, "--auto-truncate"), (422, "KGQA_EMBEDDING_MODEL")])
def test_a_refused_request_is_not_retried_and_says_how_to_fix_it(
    status: int, fix: str, sleeps: list[float], embedder_for: Maker
) -> None:
    with EmbeddingServer(script=[status]) as server:
        with pytest.raises(ModelError, match=f"HTTP {status}: scripted {status}") as err:
            embedder_for(server)
    assert fix in str(err.value) and len(server.requests) == 1 and sleeps == []


def test_no_server_at_the_address(sleeps: list[float]) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(ModelError, match=r"after 3 tries: cannot connect .*Check KGQA_EMBEDDING_URL"):
            RemoteEmbedder(url, "m", retry=QUICK)


def test_a_200_that_is_not_the_embeddings_api(sleeps: list[float], embedder_for: Maker) -> None:
    with EmbeddingServer(script=["garbage"]) as server:
        with pytest.raises(ModelError, match="not with OpenAI embeddings"):
            embedder_for(server)


def test_load_embedder_picks_the_server_when_the_url_is_set(server: EmbeddingServer) -> None:
    settings = Settings(embedding_url=server.url, embedding_model="m", embedding_remote_batch_size=3,
                        _env_file=None)  # type: ignore[call-arg]
    with load_embedder(settings) as embedder:  # type: ignore[attr-defined]
        assert isinstance(embedder, RemoteEmbedder) and embedder.model_id == settings.embedding_model_id == "remote:m"
        assert embedder.batch_size == 3 and embedder.url == f"{server.url}/v1/embeddings"


def test_an_index_from_local_vectors_is_not_served_by_the_remote_model(
    fake_settings: Settings, server: EmbeddingServer, embedder_for: Maker
) -> None:
    local = FakeEmbedder(dim=16)
    build_index(fake_settings, embedder=local)
    on_server = fake_settings.model_copy(update={"embedding_url": server.url})
    remote_embedder = embedder_for(server, batch_size=64)
    with pytest.raises(IndexError_, match="built with 'fake-hash-embedder' but the query model is "
                                          "'remote:fake-hash-embedder'"):
        load(on_server, embedder=remote_embedder)
    # a build notices without being handed an embedder, and embeds everything again: no cached local vector
    report = build_index(on_server, embedder=remote_embedder)
    assert report.reasons == ["model_id changed (fake-hash-embedder -> remote:fake-hash-embedder)"]
    assert report.counts["cached"] == 0 and report.counts["embedded"] > 0


def test_the_same_remote_model_is_accepted_and_another_one_is_not(
    fake_settings: Settings, server: EmbeddingServer, embedder_for: Maker
) -> None:
    on_server = fake_settings.model_copy(update={"embedding_url": server.url})
    build_index(on_server, embedder=embedder_for(server, batch_size=64))
    assert build_index(on_server).up_to_date  # decided from the settings alone: no model, no request
    requests = len(server.requests)
    load(on_server, embedder=embedder_for(server)).retrieve("注意力", k=1)
    assert len(server.requests) > requests
    other = on_server.model_copy(update={"embedding_model": "other-model"})
    assert build_index(other, embedder=embedder_for(server, model="other-model", batch_size=64)).reasons == [
        "model_id changed (remote:fake-hash-embedder -> remote:other-model)"]


class TestRemoteEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self, server: EmbeddingServer, embedder_for: Maker) -> RemoteEmbedder:
        return embedder_for(server, batch_size=3)
