"""The background rebuild of a server that embeds only questions runs in a child process: the server never
loads the passage model (for the default model, torch), whose loading holds the GIL for seconds."""

from __future__ import annotations

import pytest

from kgqa.apps.api import create_app
from kgqa.apps.api.rebuild import build_in_child
from kgqa.config import Settings
from kgqa.errors import EmptyCorpusError
from kgqa.index.embed import QueryFirstEmbedder
from kgqa.index.manifest import current_generation
from kgqa.pipeline import build_index
from kgqa.testing import FakeEmbedder


def test_a_query_only_server_rebuilds_without_loading_the_passage_model(fake_settings) -> None:
    build_index(fake_settings, embedder=FakeEmbedder())
    full_loads: list[int] = []
    queries = FakeEmbedder()
    embedder = QueryFirstEmbedder(fake_settings.embedding_model_id, queries.dim,
                                  lambda texts: queries.embed(texts, "query"),
                                  load_full=lambda: full_loads.append(1) or FakeEmbedder())  # type: ignore[func-returns-value]
    holder = create_app(fake_settings, embedder=embedder).state.kb_holder
    first = holder.get()
    (fake_settings.corpus_dir / "zebra.md").write_text("# 斑马量化术\n\n斑马量化术是一种虚构的量化方法。\n", "utf-8")
    holder.request_reindex()
    assert holder.wait_idle(timeout=120)
    state = holder.state()
    assert (state.completed, state.last_error) == (1, None)
    served = holder.get()
    assert served is not first and "zebra" in served.index.documents
    assert full_loads == []  # the new chunks were embedded by the build process, not by this one
    holder.close()


def test_a_failed_build_in_the_child_raises_its_error_here(tmp_path) -> None:
    (tmp_path / "corpus").mkdir()
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "indexes",
                        embedding_model="fake-hash-embedder", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(EmptyCorpusError, match="nothing could be indexed") as caught:
        build_in_child(settings)
    assert any("in the index build process" in note for note in getattr(caught.value, "__notes__", []))
    assert current_generation(settings.index_dir) is None
