"""Converters on real files: Markdown, HTML from three generators' layouts, DOCX and PPTX written by their
libraries, PDF printed by Chromium. Every block's span must slice the canonical text exactly."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kgqa.ingest.chunk import chunk_document
from kgqa.ingest.load import load_document
from kgqa.ingest.sentences import split_sentences
from kgqa.types import Document

pytestmark = pytest.mark.unit


def kinds(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]


def assert_spans_exact(doc: Document) -> None:
    for b in doc.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)
        assert doc.text[b.start : b.end].strip() == doc.text[b.start : b.end]
    for c in chunk_document(doc).chunks:
        assert doc.text[c.start : c.end] == c.text
        for s in split_sentences(c):
            assert doc.text[s.start : s.end] == s.text


def test_markdown_keeps_the_file_and_reads_code_fences_as_code(tmp_path):
    src = "# Install\n\nRun this:\n\n```\n# apt-get update\n# apt-get install gimp\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    p = tmp_path / "guide.md"
    p.write_text(src, encoding="utf-8")
    doc = load_document(p)
    assert doc.text == src
    assert [k for k, _ in kinds(doc)] == ["heading", "paragraph", "code", "table"]
    assert doc.blocks[3].rows == (("a", "b"), ("1", "2"))
    chunks = chunk_document(doc).chunks
    assert all(c.heading == ("Install",) for c in chunks)
    assert_spans_exact(doc)


def test_markdown_lists_keep_their_depth(tmp_path):
    p = tmp_path / "l.md"
    p.write_text("- one\n  - one.a\n- two\n", encoding="utf-8")
    doc = load_document(p)
    assert [(b.kind, b.depth, doc.text[b.start : b.end].strip()) for b in doc.blocks] == [
        ("list_item", 0, "- one"), ("list_item", 1, "- one.a"), ("list_item", 0, "- two")]


DOCBOOK = """<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>2.3. 透明</title></head>
<body><div class="navheader"><table width="100%"><tr><th colspan="3">2.3. 透明</th></tr>
<tr><td><a href="p.html">上一页</a> </td><th>第 6 章</th><td> <a href="n.html">下一页</a></td></tr></table><hr/></div>
<div class="sect2"><div class="titlepage"><h3 class="title">2.3. 透明的图片</h3></div>
<p>GIF 格式支持<span class="emphasis"><em>二值</em></span>透
明，PNG 格式支持 <code class="literal">alpha</code> 通道。</p>
<div class="note"><table border="0"><tr><td rowspan="2"><img alt="[注意]" src="note.png"/></td><th>注意</th></tr>
<tr><td><p>GIF 很少使用。</p></td></tr></table></div>
<div class="informaltable"><table><tr><th>格式</th><th>透明</th></tr><tr><td>GIF</td><td>二值</td></tr>
<tr><td>PNG</td><td>alpha</td></tr></table></div>
<pre class="screen"># apt-get install gimp
$ gimp --version</pre>
</div><div class="navfooter"><hr/><table><tr><td><a href="p.html">上一页</a></td><td>起始页</td></tr></table></div></body></html>"""

SPHINX = """<!DOCTYPE html><html><head><title>4. Control Flow &#8212; docs</title></head><body>
<div class="related" role="navigation"><ul><li><a href="genindex.html">index</a></li><li>next |</li></ul></div>
<div class="document"><div class="documentwrapper"><div class="body" role="main">
<section id="if"><h1>4.1. if Statements<a class="headerlink" href="#if">¶</a></h1>
<p>Perhaps the most well-known statement type is the <a href="#"><code class="xref"><span class="pre">if</span></code></a>
statement. For example, see Fig. 3 in the notes.</p>
<div class="highlight-python3"><div class="highlight"><pre><span class="gp">&gt;&gt;&gt; </span><span class="n">x</span> = 1
</pre></div></div>
<ul class="simple"><li><p>first item</p></li><li><p>second item</p><ul><li><p>nested</p></li></ul></li></ul>
</section></div></div>
<div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><ul><li>4.1. if Statements</li></ul></div></div>
<div class="footer">&#169; Copyright 2001-2023.</div></body></html>"""

MKDOCS = """<!doctype html><html><head><title>Setup - Site</title></head><body>
<header class="md-header"><nav>Site  Search</nav></header>
<div class="md-container"><main class="md-main"><div class="md-sidebar md-sidebar--primary"><nav class="md-nav">Home Setup</nav></div>
<div class="md-content"><article class="md-content__inner"><h1 id="setup">Setup</h1><p>Install the package with pip. Then run it.</p>
<nav class="md-footer__inner">Previous Home Next API</nav></article></div></main>
<footer class="md-footer">Made with MkDocs</footer></div></body></html>"""


def test_docbook_page_without_chrome(tmp_path):
    p = tmp_path / "transparency.html"
    p.write_text(DOCBOOK, encoding="utf-8")
    doc = load_document(p)
    got = kinds(doc)
    assert got[0] == ("heading", "2.3. 透明的图片")
    # inline markup stays inside the sentence; the source's line break between CJK characters is not a space
    assert ("paragraph", "GIF 格式支持二值透明，PNG 格式支持 alpha 通道。") in got
    assert ("paragraph", "GIF 很少使用。") in got  # an admonition is text, not a table
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == (("格式", "透明"), ("GIF", "二值"), ("PNG", "alpha"))
    assert ("code", "# apt-get install gimp\n$ gimp --version") in got
    assert "上一页" not in doc.text and "起始页" not in doc.text
    # a shell prompt in code is never a heading
    assert all(c.heading == ("2.3. 透明的图片",) for c in chunk_document(doc).chunks)
    assert_spans_exact(doc)


def test_sphinx_page_without_chrome(tmp_path):
    p = tmp_path / "controlflow.html"
    p.write_text(SPHINX, encoding="utf-8")
    doc = load_document(p)
    got = kinds(doc)
    assert got[0] == ("heading", "4.1. if Statements")
    assert ("paragraph", "Perhaps the most well-known statement type is the if statement. "
            "For example, see Fig. 3 in the notes.") in got
    assert ("code", ">>> x = 1") in got
    assert [(b.depth, doc.text[b.start : b.end].strip()) for b in doc.blocks if b.kind == "list_item"] == [
        (0, "- first item"), (0, "- second item"), (1, "- nested")]
    assert "\n  - nested" in doc.text
    assert "index" not in doc.text and "Table of Contents" not in doc.text and "Copyright" not in doc.text
    assert "¶" not in doc.text
    assert_spans_exact(doc)


def test_mkdocs_page_without_chrome(tmp_path):
    p = tmp_path / "setup.html"
    p.write_text(MKDOCS, encoding="utf-8")
    doc = load_document(p)
    assert doc.text == "Setup\n\nInstall the package with pip. Then run it.\n"
    assert doc.title == "Setup - Site"


def test_english_paragraphs_split_into_sentences_but_not_at_abbreviations(tmp_path):
    p = tmp_path / "controlflow.html"
    p.write_text(SPHINX, encoding="utf-8")
    doc = load_document(p)
    texts = [s.text for c in chunk_document(doc).chunks for s in split_sentences(c)]
    assert "Perhaps the most well-known statement type is the if statement." in texts
    assert "For example, see Fig. 3 in the notes." in texts


def test_docx_headings_lists_tables_in_body_order(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("用户手册", style="Title")
    d.add_heading("安装", level=1)
    d.add_paragraph("先下载安装包。然后运行它。")
    d.add_paragraph("第一步", style="List Bullet")
    d.add_paragraph("第二步", style="List Bullet 2")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text, t.cell(1, 0).text, t.cell(1, 1).text = "键", "作用", "F1", "帮助"
    d.add_heading("使用", level=2)
    d.add_paragraph("引用一句话。", style="Quote")
    p = tmp_path / "manual.docx"
    d.save(p)
    doc = load_document(p)
    assert doc.title == "用户手册" and doc.format == "docx"
    assert [(b.kind, b.level, b.depth) for b in doc.blocks] == [
        ("heading", 0, 0), ("heading", 1, 0), ("paragraph", 0, 0), ("list_item", 0, 0), ("list_item", 0, 0), ("table", 0, 0),
        ("heading", 2, 0), ("quote", 0, 0)]
    assert doc.blocks[5].rows == (("键", "作用"), ("F1", "帮助"))
    assert [c.heading for c in chunk_document(doc).chunks] == [("安装",), ("安装", "使用")]
    assert_spans_exact(doc)


def test_pptx_one_section_per_slide(tmp_path):
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    for title, bullets in (("注意力", ["缩放点积", "多头"]), ("位置编码", ["RoPE 旋转位置编码。"])):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        frame = slide.placeholders[1].text_frame
        frame.text = bullets[0]
        for b in bullets[1:]:
            par = frame.add_paragraph()
            par.text, par.level = b, 1
    table_slide = deck.slides.add_slide(deck.slide_layouts[5])
    table_slide.shapes.title.text = "对比"
    shape = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1))
    for (r, c), v in {(0, 0): "模型", (0, 1): "参数", (1, 0): "BERT", (1, 1): "110M"}.items():
        shape.table.cell(r, c).text = v
    table_slide.notes_slide.notes_text_frame.text = "讲者备注。"
    p = tmp_path / "slides.pptx"
    deck.save(p)
    doc = load_document(p)
    heads = [(doc.text[b.start : b.end], b.page) for b in doc.blocks if b.kind == "heading"]
    assert heads == [("注意力", 1), ("位置编码", 2), ("对比", 3)]
    assert next(b for b in doc.blocks if b.kind == "table").rows == (("模型", "参数"), ("BERT", "110M"))
    assert "讲者备注。" in doc.text
    assert doc.page_at(doc.text.index("RoPE")) == 2
    chunks = chunk_document(doc).chunks
    assert [c.heading for c in chunks] == [("注意力",), ("位置编码",), ("对比",)]
    assert [c.page_at(c.start) for c in chunks] == [1, 2, 3]


def test_technical_text_is_not_dropped_as_an_advert(tmp_path):
    p = tmp_path / "passwd.md"
    p.write_text("# 密码\n\n/etc/shadow 中的一行：\n\n```\nuser:$1$vXGZLVbS$ElyErNf/agUDBm1e:14378\n```\n",
                 encoding="utf-8")
    result = chunk_document(load_document(p))
    assert result.boilerplate_sections == 0 and "$1$vXGZLVbS$" in result.chunks[0].text


def test_long_paragraphs_are_cut_at_sentence_ends(tmp_path):
    sentence = "The interpreter reads a line, evaluates it and prints the result. "
    p = tmp_path / "long.md"
    p.write_text("# Loop\n\n" + sentence * 30 + "\n", encoding="utf-8")
    chunks = chunk_document(load_document(p), max_chars=300).chunks
    assert len(chunks) > 3 and all(c.text.rstrip().endswith(".") for c in chunks)


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium to print a PDF")
def test_pdf_printed_by_chromium_keeps_headings_and_text(tmp_path):
    html = tmp_path / "page.html"
    body = "".join(f"<h2>第 {i} 节 标题</h2><p>{'自注意力机制让每个位置都能看到其他位置。' * 6}</p>"
                   f"<p>Hyphenated English text about attention mechanisms in transformers. " * 3 + "</p>"
                   for i in range(1, 9))
    html.write_text(f"<html><head><meta charset='utf-8'></head><body><h1>手册</h1>{body}</body></html>",
                    encoding="utf-8")
    pdf = tmp_path / "page.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    doc = load_document(pdf)
    heads = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "heading"]
    assert heads[0] == "手册" and "第 8 节 标题" in heads
    assert max(b.page for b in doc.blocks) >= 2
    source = load_document(html)
    kept = set(source.text.split()) & set(doc.text.split())
    assert len(kept) / len(set(source.text.split())) > 0.9
    assert_spans_exact(doc)
