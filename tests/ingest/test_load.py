"""Loading files: formats, manifest metadata and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa.errors import CorpusError, EmptyCorpusError, UnreadableFileError, UnsupportedFormatError
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


def test_html_is_reduced_to_text_with_headings(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<html><body><h2>位置编码</h2><p>RoPE 是旋转位置编码。</p><script>x()</script></body></html>")
    d = load_document(p)
    assert "## 位置编码" in d.text and "RoPE 是旋转位置编码。" in d.text and "x()" not in d.text


def test_binary_file_is_refused_with_a_fix(tmp_path):
    p = tmp_path / "blob.txt"
    p.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(UnreadableFileError, match="binary"):
        load_document(p)


def test_non_utf8_file_says_how_to_convert(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("注意力机制".encode("gbk"))
    with pytest.raises(UnreadableFileError, match="UTF-8"):
        load_document(p)


def test_unsupported_format_lists_the_supported_ones(tmp_path):
    p = tmp_path / "slides.pptx"
    p.write_bytes(b"PK")
    with pytest.raises(UnsupportedFormatError, match=r"\.md"):
        load_document(p)


def test_empty_corpus(tmp_path):
    with pytest.raises(EmptyCorpusError, match="no documents"):
        load_corpus([tmp_path], tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        discover([tmp_path / "nope"])


def test_manifest_and_glossary_are_not_documents(corpus_copy):
    names = {p.name for p in discover([corpus_copy])}
    assert "manifest.yaml" not in names and "glossary.yaml" not in names
