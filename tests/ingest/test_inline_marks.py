"""Inline marks (Block.marks): what the HTML and Markdown converters keep of inline code, menu labels, defined
terms, strong and emphasised text, without changing the canonical text."""

from __future__ import annotations

import pytest

from kgqa.ingest.convert.builder import place_marks
from kgqa.ingest.convert.html import convert_html
from kgqa.ingest.convert.markdown import convert_markdown
from kgqa.types import Block

pytestmark = pytest.mark.unit

PAGE = """<html><body><div class="body">
<h2>The <code>range()</code> Function</h2>
<p>Use <code class="docutils literal notranslate"><span class="pre">pip</span>
<span class="pre">freeze</span></code> and <strong>venv</strong>. Open
<span class="guimenu"><strong>Image</strong></span> then <em>Mode</em>.</p>
<dl><dt><span class="term">路径工具</span></dt><dd><p>新一代的路径工具。</p></dd></dl>
<ul><li><p>A <code>deque</code> item</p></li><li>Plain <tt>json</tt> text</li></ul>
</div></body></html>"""


def marked(text: str, blocks: tuple[Block, ...]) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for blk in blocks for a, b, kind in blk.marks]


def test_html_marks_code_menus_terms_and_emphasis():
    c = convert_html(PAGE.encode())
    assert marked(c.text, c.blocks) == [
        ("range()", "code"),
        ("pip freeze", "code"),  # the words of one code element, joined as the text writes them
        ("venv", "strong"),
        ("Image", "gui"),  # a class outranks the tag inside it
        ("Mode", "emphasis"),
        ("路径工具", "term"),
        ("deque", "code"),
        ("json", "code"),
    ]


def test_marks_leave_the_text_as_it_was():
    plain = PAGE
    for tag in ("code", "strong", "em", "tt"):
        plain = plain.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    bare = convert_html(plain.encode())
    c = convert_html(PAGE.encode())
    assert c.text == bare.text
    assert [(b.kind, b.start, b.end) for b in c.blocks] == [(b.kind, b.start, b.end) for b in bare.blocks]


def test_a_text_marked_twice_is_found_twice_and_a_lost_mark_is_dropped():
    assert place_marks("pip and pip", [("code", "pip"), ("code", "pip"), ("code", "conda")]) == [
        (0, 3, "code"),
        (8, 11, "code"),
    ]


def test_markdown_marks_inline_code_but_not_fenced_code():
    text = "Run `pip freeze` and `` venv ``.\n\n```\n`not` a mark\n```\n"
    c = convert_markdown(text)
    assert marked(c.text, c.blocks) == [("pip freeze", "code"), ("venv", "code")]
    assert c.text == text


def test_block_marks_survive_a_round_trip():
    b = Block("paragraph", 0, 10, marks=((2, 5, "code"),))
    assert Block.from_dict(b.to_dict()) == b
    assert "marks" not in Block("paragraph", 0, 10).to_dict()
