"""The user's own folder: what `kgqa ingest PATHS` indexed is what a later build (and `kgqa serve`) keeps,
the bundled glossary stays with the bundled notes, and a folder's own glossary is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.config import Settings
from kgqa.pipeline import build_index, load
from kgqa.testing import FakeEmbedder

pytestmark = pytest.mark.unit


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(index_dir=tmp_path / "indexes", model_dir=tmp_path / "models",
                    embedding_model="fake-hash-embedder", _env_file=None, **extra)  # type: ignore[call-arg]


def _mydocs(tmp_path: Path) -> Path:
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "gimp.md").write_text(
        "# Layers\n\nA layer is a transparent sheet of an image. Layers are stacked in the Layers dialog.\n\n"
        "# Selections\n\nA selection limits where a tool works. The Free Select tool draws one by hand.\n",
        encoding="utf-8")
    (docs / "notes.txt").write_bytes("图层蒙版控制图层的透明度。白色显示，黑色隐藏。".encode("gbk"))
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return docs


def test_a_folder_ingested_is_the_folder_served(tmp_path):
    docs = _mydocs(tmp_path)
    embedder = FakeEmbedder(dim=32)
    first = build_index(_settings(tmp_path), [docs], embedder=embedder)
    assert first.sources == [str(docs)] and first.counts["documents"] == 2
    assert [Path(s.path).name for s in first.skipped] == ["scan.pdf"]
    # a later build without paths (what `kgqa serve` runs) keeps the user's folder
    again = build_index(_settings(tmp_path), embedder=embedder)
    assert again.up_to_date and again.sources == [str(docs)]
    kb = load(_settings(tmp_path), embedder=embedder)
    assert sorted(kb.index.documents) == ["gimp", "notes"]
    # the bundled glossary (beam search, label smoothing, ...) is not applied to the user's documents
    labels = {c.label.lower() for c in kb.graph.concepts.values()}
    assert "beam search" not in labels and "label smoothing" not in labels


def test_an_explicit_corpus_folder_is_a_choice_that_rebuilds(tmp_path):
    docs = _mydocs(tmp_path)
    embedder = FakeEmbedder(dim=32)
    build_index(_settings(tmp_path), [docs], embedder=embedder)
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("# A\n\nSome text about attention.\n", encoding="utf-8")
    report = build_index(_settings(tmp_path, corpus_dir=other), embedder=embedder)
    assert not report.up_to_date and report.sources == [str(other)]
    assert any("sources changed" in r for r in report.reasons)


def test_the_folders_own_glossary_is_used(tmp_path):
    docs = _mydocs(tmp_path)
    embedder = FakeEmbedder(dim=32)
    build_index(_settings(tmp_path), [docs], embedder=embedder)
    assert "layer-mask" not in load(_settings(tmp_path), embedder=embedder).graph.concepts
    (docs / "glossary.yaml").write_text(
        "concepts:\n  - {id: layer-mask, en: layer mask, zh: 图层蒙版}\n", encoding="utf-8")
    report = build_index(_settings(tmp_path), embedder=embedder)
    assert any("glossary" in r for r in report.reasons)
    concept = load(_settings(tmp_path), embedder=embedder).graph.concepts["layer-mask"]
    assert concept.label_zh == "图层蒙版"


def test_uploads_live_in_their_own_folder_and_are_indexed_with_the_corpus(tmp_path):
    from kgqa.apps.api import corpus_files
    from kgqa.apps.api.errors import ApiError
    from kgqa.pipeline import corpus_sources, upload_folder

    docs = _mydocs(tmp_path)
    settings = _settings(tmp_path)
    embedder = FakeEmbedder(dim=32)
    build_index(settings, [docs], embedder=embedder)
    change = corpus_files.add_document(upload_folder(settings), "extra.md", b"# Paths\n\nA path is a vector outline.\n",
                                       corpus_sources(settings))
    assert change.doc_id == "extra" and (upload_folder(settings) / "extra.md").exists()
    assert not (docs / "extra.md").exists()  # the user's folder is never written to
    assert corpus_sources(settings) == [docs, upload_folder(settings)]
    report = build_index(settings, embedder=embedder)
    assert report.counts["documents"] == 3
    with pytest.raises(ApiError) as taken:  # an upload cannot shadow a document of the user's folder
        corpus_files.add_document(upload_folder(settings), "gimp.md", b"# x\n\ny\n", corpus_sources(settings))
    assert taken.value.status == 409
    with pytest.raises(ApiError) as own:  # nor can the user's own files be deleted over HTTP
        corpus_files.remove_document(upload_folder(settings), "gimp", corpus_sources(settings))
    assert own.value.status == 409 and "not an upload" in str(own.value.message)
    corpus_files.remove_document(upload_folder(settings), "extra", corpus_sources(settings))
    assert build_index(settings, embedder=embedder).counts["documents"] == 2


def test_an_unusable_index_folder_is_one_error_line(tmp_path):
    from typer.testing import CliRunner

    from kgqa.apps.cli import app

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    docs = _mydocs(tmp_path)
    env = {"KGQA_INDEX_DIR": str(blocker / "indexes"), "KGQA_EMBEDDING_MODEL": "fake-hash-embedder"}
    from kgqa.config import get_settings

    get_settings.cache_clear()  # the settings are read from this environment, not an earlier one
    try:
        result = CliRunner().invoke(app, ["ingest", str(docs)], env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "error: cannot use" in result.output and "Traceback" not in result.output
