"""Plain text: decoding with encoding detection, and blocks from the Chinese heading and Q&A patterns.

Text files carry no markup, so their structure comes from the line patterns of ``ingest.structure``
(numbered headings ``一、`` / ``1.1``, ``问题1：``, a short title line over a long paragraph), list
markers, and flattened code lines.
"""

from __future__ import annotations

from charset_normalizer import from_bytes

from kgqa.errors import UnreadableFileError
from kgqa.ingest.convert.model import Converted
from kgqa.ingest.structure import LIST_ITEM, SEPARATOR, is_code_line, iter_headings, split_lines
from kgqa.types import Block


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then the encoding charset-normalizer detects (GBK, Big5, ...)."""
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFileError(f"{name} looks binary (it contains NUL bytes); give a text document.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        candidates = [str(m) for m in from_bytes(raw)]
        if not candidates:
            raise UnreadableFileError(
                f"{name}: cannot tell its text encoding (not UTF-8 at byte {exc.start}); "
                "re-save it as UTF-8, e.g. `iconv -f GBK -t UTF-8`."
            ) from exc
        # on short text the detector's first guess can be a wrong CJK code page (Hangul or rare
        # ideographs out of GBK bytes): among its candidates take the most plausible reading
        return max(candidates, key=_plausible)


def _plausible(text: str) -> float:
    """Share of characters that ordinary Chinese or English text is made of."""
    ok = sum(1 for c in text if c.isascii() or "\u4e00" <= c <= "\u9fa5" or c in "，。、；：？！“”‘’（）《》【】…—")
    return ok / max(1, len(text))


def blocks_of(text: str) -> tuple[Block, ...]:
    lines = split_lines(text)
    heads = {i: lvl for i, lvl, _ in iter_headings(lines, plain_text=True)}
    blocks: list[Block] = []
    for i, ln in enumerate(lines):
        if not ln.stripped or SEPARATOR.match(ln.text):
            continue
        lead = len(ln.text) - len(ln.text.lstrip())
        start, end = ln.start + lead, ln.start + len(ln.text.rstrip())
        if i in heads:
            blocks.append(Block("heading", start, end, level=heads[i]))  # 0: the document title
        elif LIST_ITEM.match(ln.text):
            blocks.append(Block("list_item", start, end, depth=lead // 2))
        elif is_code_line(ln.text):
            blocks.append(Block("code", start, end))
        else:
            blocks.append(Block("paragraph", start, end))
    return tuple(blocks)


def convert_plain(text: str) -> Converted:
    return Converted(text, blocks_of(text), "", "txt")
