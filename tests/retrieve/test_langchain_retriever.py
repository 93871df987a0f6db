"""KgqaRetriever against langchain's own standard retriever suite and langchain's document conventions, over an
index of the bundled corpus built with the hash embedder."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document as LCDocument
from langchain_core.prompts import PromptTemplate, format_document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from kgqa.config import Settings
from kgqa.errors import InputError
from kgqa.pipeline import KnowledgeBase, build_index, load
from kgqa.retrieve.langchain_retriever import KgqaRetriever
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What is RoPE?"
FOLLOW_UP = "How is it computed?"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("lc")
    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "indexes", model_dir=root / "models",
                        embedding_model="fake-hash-embedder", _env_file=None)  # type: ignore[call-arg]
    embedder = FakeEmbedder()
    build_index(settings, embedder=embedder)
    return load(settings, embedder=embedder)


@pytest.mark.anyio
class TestStandardSuite(RetrieversIntegrationTests):
    """langchain-tests' RetrieversIntegrationTests, unchanged: k in the constructor and in invoke, ainvoke."""

    @pytest.fixture(autouse=True)
    def _served(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    @property
    def retriever_constructor(self) -> type[KgqaRetriever]:
        return KgqaRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"engine": self.kb.engine, "documents": self.kb.index.documents}

    @property
    def retriever_query_example(self) -> str:
        return QUESTION


def test_invoke_k_overrides_the_constructor_for_one_call(kb: KnowledgeBase) -> None:
    retriever = KgqaRetriever.from_kb(kb, k=5)
    assert len(retriever.invoke(QUESTION, k=1)) == 1
    assert len(retriever.invoke(QUESTION)) == 5
    assert [d.id for d in retriever.invoke(QUESTION, k=2)] == [d.id for d in retriever.invoke(QUESTION)][:2]


def test_documents_carry_the_chunk_id_and_its_span(kb: KnowledgeBase) -> None:
    docs = KgqaRetriever.from_kb(kb, k=3).invoke(QUESTION)
    hits = kb.retrieve(QUESTION, k=3)
    assert [d.id for d in docs] == [h.chunk.chunk_id for h in hits]
    for doc, hit in zip(docs, hits, strict=True):
        source = kb.index.documents[hit.chunk.doc_id]
        m = doc.metadata
        assert m["source"] == source.path and Path(m["source"]).is_file()
        assert m["title"] == source.title and m["section"] == hit.chunk.section
        assert m["score"] == hit.score and m["chunk_id"] == doc.id
        text = kb.index.document(hit.chunk.doc_id).text  # type: ignore[union-attr]
        assert text[m["start"]:m["end"]] == doc.page_content


def test_source_prompts_format(kb: KnowledgeBase) -> None:
    """The document prompt of langchain's sources-citing chains needs ``source`` in every document."""
    prompt = PromptTemplate.from_template("Content: {page_content}\nSource: {source} ({title}, {start}-{end})")
    docs = KgqaRetriever.from_kb(kb, k=2).invoke(QUESTION)
    shown = [format_document(d, prompt) for d in docs]
    assert all(f"Source: {d.metadata['source']} (" in s for d, s in zip(docs, shown, strict=True))


def test_without_documents_title_and_source_fall_back_to_the_id(kb: KnowledgeBase) -> None:
    doc = KgqaRetriever(engine=kb.engine, k=1).invoke(QUESTION)[0]
    assert doc.metadata["source"] == doc.metadata["title"] == doc.metadata["doc_id"]


def test_history_resolves_a_follow_up(kb: KnowledgeBase) -> None:
    retriever = KgqaRetriever.from_kb(kb, k=3)
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "..."}]
    follow_up = [d.id for d in retriever.invoke(FOLLOW_UP, history=history)]
    assert follow_up == [h.chunk.chunk_id for h in kb.retrieve(FOLLOW_UP, k=3, history=history)]
    assert follow_up != [d.id for d in retriever.invoke(FOLLOW_UP)]
    with pytest.raises(InputError, match="history"):
        retriever.invoke(FOLLOW_UP, history=["not a turn"])


def test_wrong_arguments_name_the_value(kb: KnowledgeBase) -> None:
    retriever = KgqaRetriever.from_kb(kb)
    with pytest.raises(TypeError, match="top_k"):
        retriever.invoke(QUESTION, top_k=2)
    with pytest.raises(InputError, match="k must be > 0, got 0"):
        retriever.invoke(QUESTION, k=0)
    with pytest.raises(TypeError, match="'2'"):
        retriever.invoke(QUESTION, k="2")
    with pytest.raises(ValueError, match="greater than 0"):
        KgqaRetriever.from_kb(kb, k=0)


class _Recording:
    """An engine that notes which thread each search runs on."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.threads: list[int] = []

    def search(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.get_ident())
        return self.engine.search(*args, **kwargs)


def test_ainvoke_searches_off_the_event_loop(kb: KnowledgeBase) -> None:
    engine = _Recording(kb.engine)
    retriever = KgqaRetriever(engine=engine, documents=kb.index.documents, k=4)

    async def both() -> tuple[int, list[LCDocument], list[LCDocument]]:
        return threading.get_ident(), *await asyncio.gather(retriever.ainvoke(QUESTION, k=2),
                                                            retriever.ainvoke(QUESTION))

    loop_thread, two, four = asyncio.run(both())
    assert len(two) == 2 and len(four) == 4
    assert [d.id for d in two] == [d.id for d in retriever.invoke(QUESTION, k=2)]
    assert len(engine.threads) == 3 and loop_thread not in engine.threads[:2]


def test_the_readme_example_runs(kb: KnowledgeBase) -> None:
    import kgqa

    readme = (REPO / "README.md").read_text("utf-8")
    example = readme.split("## LangChain", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {"kgqa": kgqa, "kb": kb}
    exec(example, scope)  # noqa: S102 - the README's own code
    assert len(scope["docs"]) == 2 and len(scope["more"]) == 3
    assert all(f"(source: {d.metadata['source']}, " in scope["context"] for d in scope["docs"])
