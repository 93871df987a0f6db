"""Loading files: formats, manifest metadata and clear errors for bad input."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kgqa.errors import (
    ConversionTimeoutError,
    CorpusError,
    EmptyCorpusError,
    EmptyDocumentError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from kgqa.ingest.convert import CONVERTERS
from kgqa.ingest.load import discover, load_corpus, load_document

pytestmark = pytest.mark.unit


def test_corpus_manifest_gives_titles_and_language(corpus_docs):
    assert len(corpus_docs) == 4
    d = corpus_docs["transformer-interview-questions"]
    assert d.title.startswith("算法工程师常见面试问题总结")
    assert d.language == "zh" and d.source == "002_dee9c0819f076e91.txt"


def test_text_is_kept_verbatim(corpus_docs):
    raw = (Path(__file__).resolve().parents[2] / "corpus" / "llm-architecture-design.txt").read_text("utf-8")
    assert corpus_docs["llm-architecture-design"].text == raw


def test_html_is_reduced_to_text_with_heading_blocks(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<html><body><h2>位置编码</h2><p>RoPE 是旋转位置编码。</p><script>x()</script></body></html>")
    d = load_document(p)
    assert d.text == "位置编码\n\nRoPE 是旋转位置编码。\n" and d.format == "html"
    assert [(b.kind, b.level, d.text[b.start : b.end]) for b in d.blocks] == [
        ("heading", 2, "位置编码"), ("paragraph", 0, "RoPE 是旋转位置编码。")]


def test_binary_file_is_refused_with_a_fix(tmp_path):
    p = tmp_path / "blob.txt"
    p.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(UnreadableFileError, match="binary"):
        load_document(p)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "big5"])
def test_legacy_encodings_are_detected(tmp_path, encoding):
    text = "注意力机制" if encoding == "big5" else "注意力机制让每个位置都能看到序列中的其他位置。"
    p = tmp_path / "legacy.txt"
    p.write_bytes(text.encode(encoding))
    assert load_document(p).text == text


def test_unsupported_format_lists_the_supported_ones(tmp_path):
    p = tmp_path / "sheet.xlsx"
    p.write_bytes(b"PK")
    with pytest.raises(UnsupportedFormatError, match=r"sheet\.xlsx.*\.docx.*\.md.*\.pdf"):
        load_document(p)


def test_a_broken_office_file_is_unreadable_and_named(tmp_path):
    p = tmp_path / "slides.pptx"
    p.write_bytes(b"PK not really a zip")
    with pytest.raises(UnreadableFileError, match=r"slides\.pptx"):
        load_document(p)


def test_messages_name_the_users_file_not_the_copy(tmp_path):
    p = tmp_path / ".upload-1234.txt"
    p.write_bytes(b"")
    with pytest.raises(EmptyDocumentError, match=r"^notes\.txt is empty"):
        load_document(p, name="notes.txt")


def test_empty_corpus(tmp_path):
    with pytest.raises(EmptyCorpusError, match="nothing could be indexed"):
        load_corpus([tmp_path], tmp_path)


def test_bad_files_are_skipped_and_every_one_is_listed(tmp_path):
    (tmp_path / "good.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "broken.docx").write_bytes(b"PK")
    docs, skipped = load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["good"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "image.png", "broken.docx"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "unsupported format" in reasons["image.png"] and "broken.docx" in reasons["broken.docx"]


def test_nothing_indexable_lists_every_reason(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.xyz").write_bytes(b"x")
    with pytest.raises(EmptyCorpusError, match=r"(?s)a\.txt is empty.*b\.xyz: unsupported"):
        load_corpus([tmp_path])


def test_missing_path(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        discover([tmp_path / "nope"])


def test_manifest_and_glossary_are_not_documents(corpus_copy):
    names = {p.name for p in discover([corpus_copy])}
    assert "manifest.yaml" not in names and "glossary.yaml" not in names


class SlowConverter:
    """Converts ``.txt`` files as usual, except one named ``slow``: that conversion blocks until released (a
    converter stuck on a pathological file)."""

    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        self.real, self.release, self.started = real, threading.Event(), threading.Event()

    def __call__(self, raw: bytes, name: str):  # type: ignore[no-untyped-def]
        if Path(name).stem == "slow":
            self.started.set()
            self.release.wait(60)
        return self.real(raw, name)


@pytest.fixture
def slow_txt(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    slow = SlowConverter(CONVERTERS[".txt"])
    monkeypatch.setitem(CONVERTERS, ".txt", slow)
    yield slow
    slow.release.set()  # the abandoned conversion finishes; its result is dropped


def test_a_document_over_its_conversion_budget_is_skipped_and_reported(tmp_path, slow_txt):
    (tmp_path / "slow.txt").write_text("一个卡住的文档。", encoding="utf-8")
    (tmp_path / "fine.txt").write_text("位置编码给每个位置一个向量。", encoding="utf-8")
    docs, skipped = load_corpus([tmp_path], budget_s=0.2)
    assert [d.doc_id for d in docs] == ["fine"] and slow_txt.started.is_set()
    (item,) = skipped
    assert item.path == str(tmp_path / "slow.txt")
    assert "took longer than 0.2 s (KGQA_INGEST_DOCUMENT_TIMEOUT_S)" in item.reason and "slow.txt" in item.reason
    with pytest.raises(ConversionTimeoutError, match="raise KGQA_INGEST_DOCUMENT_TIMEOUT_S"):
        load_document(tmp_path / "slow.txt", budget_s=0.2)
    slow_txt.release.set()
    # with the budget off, the same converter is waited for: nothing is skipped
    assert load_corpus([tmp_path], budget_s=0).skipped == []


def test_a_build_skips_the_slow_document_and_indexes_the_rest(fake_settings, fake_embedder, slow_txt):
    from kgqa.pipeline import build_index

    (fake_settings.corpus_dir / "slow.txt").write_text("一个卡住的文档。", encoding="utf-8")
    settings = fake_settings.model_copy(update={"ingest_document_timeout_s": 0.2})
    report = build_index(settings, embedder=fake_embedder)
    assert [s.path for s in report.skipped] == [str(fake_settings.corpus_dir / "slow.txt")]
    assert "KGQA_INGEST_DOCUMENT_TIMEOUT_S" in report.skipped[0].reason
    assert report.counts["documents"] == 4 and report.counts["skipped_files"] == 1


def test_a_converter_error_inside_the_budget_is_reported_as_before(tmp_path):
    p = tmp_path / "broken.docx"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFileError) as inside:
        load_document(p, budget_s=30)
    with pytest.raises(UnreadableFileError) as without:
        load_document(p)
    assert str(inside.value) == str(without.value) and "broken.docx" in str(inside.value)
    assert not isinstance(inside.value, ConversionTimeoutError)
