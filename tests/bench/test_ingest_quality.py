"""The ingest-quality measures (bench/ingest_metrics.py) on tiny pages, and the loader adapter of the script."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_loader import load_bench

pytestmark = pytest.mark.unit





m = load_bench("ingest_metrics")
iq = load_bench("ingest_quality")

PAGE_HTML = """<html><head><title>Guide — Docs</title><style>p {}</style></head><body>
<div class="navheader"><table><tr><td>上一页</td><td>下一页</td></tr></table></div>
<h1>1. Layers<a class="headerlink" href="#l">¶</a></h1>
<p>A <code>layer</code> is a sheet. It can be <b>moved</b>.</p>
<ul><li>first item without a stop</li><li>second</li></ul>
<pre>$ gimp --version
# apt-get update</pre>
<table><tr><th>Key</th><td>Ctrl+L</td></tr></table>
<script>var x = 1;</script>
<nav>Home | Next</nav>
</body></html>"""


@pytest.fixture(scope="module")
def page():
    return m.parse_html(PAGE_HTML)


def test_parse_html_keeps_inline_text_and_marks_chrome(page):
    assert "var x" not in page.text and "p {}" not in page.text  # scripts and styles are not visible text
    assert "layer" in page.text and "Guide" not in page.text  # <title> is outside <body>
    chrome = [page.text[s:e] for s, e in page.chrome]
    assert any("上一页" in c for c in chrome) and any("Home" in c for c in chrome) and "¶" in chrome
    assert not any("sheet" in c for c in chrome)


def test_headings_are_h1_to_h6_without_the_permalink_sign(page):
    assert page.headings == frozenset({m.key("1. Layers")})


def test_key_ignores_markdown_markers_whitespace_and_look_alike_radicals():
    assert m.key("## 2.1.  Layers ¶") == m.key("2.1. Layers") == "2.1.Layers"
    assert m.key("1. Layers") == m.key("Layers")  # a one-level number reads as a list marker, on both sides
    assert m.key("- **an** item") == "anitem"
    assert m.key("上⼀⻚") == m.key("上一页")  # Kangxi U+2F00 and radical-supplement U+2EDA from a PDF font
    assert m.key("a | b") == "ab"


@pytest.mark.parametrize(
    ("text", "mid"),
    [
        ("It can be moved.", False),
        ("他说：“好。”", False),  # closing quote after the stop
        ("namespace! [1]", False),  # a footnote reference after the stop
        ("(see below)", True),
        ("Lists are:", False),  # a lead-in ends a sentence too
        ("A layer is a", True),
        ("text\n# A heading line", False),
        ("text\n- first item without a stop", False),  # a whole list item of the source
        ("text\n- first item without", True),  # cut inside it
        ("text\n$ gimp --version", False),  # a line of a pre block
        ("text\nKey | Ctrl+L", False),  # a table row
        ("text\n上⼀⻚ | 下⼀⻚", False),  # a row of the navigation table, as a PDF spells it
        ("   \n", False),
    ],
)
def test_ends_mid_sentence(page, text, mid):
    assert m.ends_mid_sentence(text, page) is mid


def test_plain_pages_accept_canonical_list_items_and_rows_but_not_cut_prose():
    plain = m.parse_plain("一段话\n- 列表项没有句号\n")
    assert m.ends_mid_sentence("前文\n- 列表项没有句号", plain) is False
    assert m.ends_mid_sentence("前文\na | b", plain) is False
    assert m.ends_mid_sentence("这句话没有说", plain) is True


def test_wrong_trail_names_only_the_elements_that_are_not_headings(page):
    assert m.wrong_trail(("1. Layers¶",), page.headings) == ()
    assert m.wrong_trail(("# 1. Layers", "# apt-get update"), page.headings) == ("# apt-get update",)
    assert m.wrong_trail(("Guide — Docs",), page.headings) == ("Guide — Docs",)  # <title> is not a heading
    assert m.wrong_trail(("anything",), None) == ()  # plain text names no headings


def test_covered_text_merges_overlapping_spans_once():
    assert m.covered_text("abcdefgh", [(4, 6), (0, 2), (1, 3)]) == "abc\nef"
    assert m.covered_text("abc", []) == ""


def test_tokens_split_cjk_per_character_and_latin_per_word():
    assert [t for t, _, _ in m.tokens("GIMP开发者 v2.10")] == ["gimp", "开", "发", "者", "v2", "10"]


def test_align_counts_content_and_chrome_apart_and_names_the_longest_loss():
    source = m.SourcePage("Home Next\nkeep this sentence and drop these five words here", chrome=((0, 9),))
    a = m.align(source, "keep this sentence and here")
    assert (a.total, a.kept, a.content_total, a.content_kept) == (11, 5, 9, 5)
    assert a.missing[0] == (4, "drop these five words", False)
    assert a.chrome_kept_share == 0.0
    assert a.content_dropped_share == pytest.approx(4 / 9)
    assert m.align(m.SourcePage(""), "x").dropped_share is None


def test_align_sees_through_pdf_look_alike_characters():
    a = m.align(m.SourcePage("上一页 文本"), "上⼀⻚ ⽂本")
    assert a.kept == a.total == 5


def test_median_length():
    assert m.median_length([1, 3, 10]) == 3.0
    assert m.median_length([]) is None


def test_source_of_a_pdf_is_its_html_page(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "pdf").mkdir()
    (tmp_path / "html" / "a.html").write_text("<body><h2>Title</h2><p>Text.</p></body>", encoding="utf-8")
    page = iq.source_page(tmp_path / "pdf" / "a.pdf")
    assert page is not None and page.headings == frozenset({"Title"})
    assert iq.source_page(tmp_path / "pdf" / "missing.pdf") is None


def test_load_one_reports_unsupported_files_instead_of_raising(tmp_path):
    bad = tmp_path / "slides.xyz"
    bad.write_bytes(b"\x00\x01")
    assert iq.load_one(bad, tmp_path).startswith("unsupported")
    good = tmp_path / "note.md"
    good.write_text("# Note\n\nSome text.\n", encoding="utf-8")
    doc = iq.load_one(good, tmp_path)
    assert doc.text.strip() and Path(doc.path).name == "note.md"
