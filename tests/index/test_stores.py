"""Every vector backend passes the shared contract (``kgqa.testing.VectorBackendContract``); BM25 tokenisation and
the embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kgqa.index.backends import VectorBackend
from kgqa.index.backends.faiss import FaissBackend
from kgqa.index.bm25 import BM25Index, tokenize
from kgqa.index.store import EmbeddingCache
from kgqa.testing import EmbedderContract, FakeEmbedder, VectorBackendContract

pytestmark = pytest.mark.unit

TEXTS = [
    "自注意力机制计算点积", "位置编码使用正弦函数", "知识蒸馏训练学生模型", "RoPE 旋转位置编码", "LayerNorm 层归一化",
]


class TestFaissFlat(VectorBackendContract):
    @pytest.fixture
    def make_backend(self):  # type: ignore[no-untyped-def]
        def make(folder: Path, dim: int, create: bool) -> VectorBackend:
            return FaissBackend.create(dim, "flat") if create else FaissBackend.load(folder)
        return make


class TestFaissHNSW(VectorBackendContract):
    @pytest.fixture
    def make_backend(self):  # type: ignore[no-untyped-def]
        def make(folder: Path, dim: int, create: bool) -> VectorBackend:
            return FaissBackend.create(dim, "hnsw") if create else FaissBackend.load(folder)
        return make
def test_an_opened_hnsw_index_searches_with_todays_beam(tmp_path, monkeypatch):
    import dataclasses

    import kgqa.index.backends.faiss as faiss_backend
    from kgqa.index.backends import VectorRecords

    backend = FaissBackend.create(3, "hnsw")
    backend.upsert(VectorRecords.of("chunk", ["a", "b"], ["d", "d"], ["a", "b"], np.eye(3, dtype=np.float32)[:2]))
    backend.save(tmp_path)
    wider = dataclasses.replace(faiss_backend.VECTORS, hnsw_ef_search=faiss_backend.VECTORS.hnsw_ef_search * 2)
    monkeypatch.setattr(faiss_backend, "VECTORS", wider)
    opened = FaissBackend.load(tmp_path)
    assert opened._kinds["chunk"].index.hnsw.efSearch == wider.hnsw_ef_search
    assert opened.search(np.array([1, 0, 0], np.float32), 1)[0][0] == "a"


def test_english_terms_survive_tokenisation():
    toks = tokenize("Transformer使用LayerNorm而不是BatchNorm，RoPE和ALiBi是位置编码，GELU激活，Adam优化器")
    for term in ("layernorm", "batchnorm", "rope", "alibi", "gelu", "adam", "transformer"):
        assert term in toks
    assert "的" not in tokenize("注意力的计算")


def test_bm25_ranks_the_matching_text_first(tmp_path):
    idx = BM25Index.build(TEXTS)
    assert int(np.argmax(idx.scores("RoPE"))) == 3
    idx.save(tmp_path)
    assert int(np.argmax(BM25Index.load(tmp_path).scores("层归一化"))) == 4
    assert not idx.scores("").any()


def test_bm25_matches_english_words_by_their_stems_and_keeps_the_words_as_written(tmp_path):
    idx = BM25Index.build(["Create a virtual environment with venv.", "Lists are mutable sequences."])
    assert int(np.argmax(idx.scores("creating virtual environments"))) == 0
    assert int(np.argmax(idx.scores("a mutable list"))) == 1
    assert idx.coverage("creating environments", 0) == 1.0
    # the speller and the term check read the words, not the stems
    assert {"environment", "create", "lists"} <= idx.vocabulary() and "environ" not in idx.vocabulary()
    idx.save(tmp_path)
    assert BM25Index.load(tmp_path).vocabulary() == idx.vocabulary()


def test_embedding_cache_round_trip(tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    v = np.arange(4, dtype=np.float32)
    cache.put_many("m", {"k": v})
    assert np.array_equal(cache.get_many("m", ["k", "missing"])["k"], v)
    assert cache.get_many("other-model", ["k"]) == {}


def test_a_model_that_cannot_be_loaded_says_what_to_set(tmp_path):
    from kgqa.errors import ModelError
    from kgqa.index.embed import SentenceTransformerEmbedder

    (tmp_path / "empty-model").mkdir()
    with pytest.raises(ModelError, match="KGQA_EMBEDDING_MODEL"):
        SentenceTransformerEmbedder("my-model", tmp_path / "empty-model")


class TestFakeEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self) -> FakeEmbedder:
        return FakeEmbedder(dim=48)
