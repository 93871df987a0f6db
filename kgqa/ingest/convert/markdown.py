"""Markdown -> blocks over the file's own text (markdown-it-py, CommonMark plus tables).

The canonical text is the file itself, byte for byte, so offsets point into what the user wrote;
the parser only says where each heading, paragraph, list item, table, code block and quote lies.
A ``# prompt`` line inside a fenced block is code, never a heading.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kgqa.ingest.convert.model import Converted
from kgqa.types import Block


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    starts.append(len(text))
    return starts


def _span(starts: list[int], text: str, lines: list[int]) -> tuple[int, int]:
    first, last = lines[0], min(lines[1], len(starts) - 1)
    start, end = starts[min(first, len(starts) - 1)], starts[last]
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return start, end


def _table_rows(tokens: list[Token], i: int) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    row: list[str] = []
    while i < len(tokens) and tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "tr_open":
            row = []
        elif t.type == "inline":
            row.append(t.content.strip())
        elif t.type == "tr_close":
            rows.append(tuple(row))
        i += 1
    return tuple(rows)


# an inline code span: a run of backticks, the code, the same run again (CommonMark 6.1, without its rarer cases)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)([^`\n]+?)(?<!`)\1(?!`)")


def _marked(text: str, block: Block) -> Block:
    """The block with its inline code spans as ``code`` marks, each the code inside the backticks.

    >>> _marked("Run `pip` now", Block("paragraph", 0, 13)).marks
    ((5, 8, 'code'),)
    """
    if block.kind in ("code", "table"):
        return block
    marks = []
    for m in _CODE_SPAN.finditer(text, block.start, block.end):
        a, b = m.span(2)
        while a < b and text[a] == " ":
            a += 1
        while b > a and text[b - 1] == " ":
            b -= 1
        if a < b:
            marks.append((a, b, "code"))
    return replace(block, marks=tuple(marks)) if marks else block


def blocks_of(text: str) -> tuple[Block, ...]:
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    starts = _line_starts(text)
    blocks: list[Block] = []
    depth = -1  # list nesting
    in_item = 0
    quote = 0
    for i, t in enumerate(tokens):
        if t.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif t.type == "list_item_open":
            in_item += 1
            if t.map:
                # the item's first line holds its marker: the item block starts there
                s, e = _span(starts, text, t.map)
                blocks.append(Block("list_item", s, e, depth=max(depth, 0)))
        elif t.type == "list_item_close":
            in_item -= 1
        elif t.type == "blockquote_open":
            quote += 1
        elif t.type == "blockquote_close":
            quote -= 1
        elif t.map is None:
            continue
        elif t.type == "heading_open":
            s, e = _span(starts, text, t.map)
            blocks.append(Block("heading", s, e, level=int(t.tag[1])))
        elif t.type == "paragraph_open" and not in_item:
            s, e = _span(starts, text, t.map)
            blocks.append(Block("quote" if quote else "paragraph", s, e))
        elif t.type in ("fence", "code_block"):
            s, e = _span(starts, text, t.map)
            if not in_item:
                blocks.append(Block("code", s, e))
        elif t.type == "table_open":
            s, e = _span(starts, text, t.map)
            blocks.append(Block("table", s, e, rows=_table_rows(tokens, i)))
    return tuple(_marked(text, b) for b in _nest_items(text, blocks))


def _nest_items(text: str, blocks: list[Block]) -> tuple[Block, ...]:
    """A list item's map covers its nested items too: cut it where the next block starts."""
    out: list[Block] = []
    for i, b in enumerate(blocks):
        if b.kind == "list_item" and i + 1 < len(blocks) and blocks[i + 1].start < b.end:
            end = blocks[i + 1].start
            while end > b.start and text[end - 1].isspace():
                end -= 1
            b = replace(b, end=max(end, b.start + 1))
        out.append(b)
    return tuple(out)


def convert_markdown(text: str) -> Converted:
    blocks = blocks_of(text)
    return Converted(text, blocks, "", "md")
