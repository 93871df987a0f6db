"""The vector-store contract (every backend inherits it), BM25 tokenisation, the embedding cache."""

from __future__ import annotations

import numpy as np
import pytest

from kgqa.index.bm25 import BM25Index, tokenize
from kgqa.index.store import EmbeddingCache
from kgqa.index.vector import FaissVectorStore
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.unit

TEXTS = [
    "自注意力机制计算点积", "位置编码使用正弦函数", "知识蒸馏训练学生模型", "RoPE 旋转位置编码", "LayerNorm 层归一化",
]


class VectorStoreContract:
    kind = "flat"

    @pytest.fixture
    def store(self):  # type: ignore[no-untyped-def]
        vecs = FakeEmbedder(dim=32).embed(TEXTS, "passage")
        return FaissVectorStore.build(vecs, [f"c{i}" for i in range(len(TEXTS))], self.kind)  # type: ignore[arg-type]

    def test_finds_the_identical_text_first(self, store):
        q = FakeEmbedder(dim=32).embed([TEXTS[3]], "query")[0]
        assert store.search(q, 2)[0][0] == "c3"

    def test_k_larger_than_the_store(self, store):
        q = FakeEmbedder(dim=32).embed(["x"], "query")[0]
        assert len(store.search(q, 50)) == len(TEXTS)

    def test_scores_are_sorted(self, store):
        q = FakeEmbedder(dim=32).embed(["位置编码"], "query")[0]
        scores = [s for _, s in store.search(q, 5)]
        assert scores == sorted(scores, reverse=True)

    def test_save_and_load_round_trip(self, store, tmp_path):
        store.save(tmp_path)
        again = FaissVectorStore.load(tmp_path)
        q = FakeEmbedder(dim=32).embed(["知识蒸馏"], "query")[0]
        assert again.search(q, 3) == store.search(q, 3)


class TestFlat(VectorStoreContract):
    kind = "flat"


class TestHNSW(VectorStoreContract):
    kind = "hnsw"


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
