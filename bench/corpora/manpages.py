"""Debian's manpages-zh (roff) -> Markdown, one file per page: real Chinese prose for the scale benchmark.

    python bench/corpora/manpages.py SRC_MAN_DIR OUT_DIR

Keeps section headings (``.SH``/``.SS`` -> ``##``/``###``) and running text; drops comments, requests and
font escapes. Not a roff renderer: tables and macros beyond the man package's common ones lose their layout,
which a benchmark of text volume does not need. Pages whose text is mostly not Chinese are skipped.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

_ESCAPES = re.compile(r"\\f[BIRP1-4]|\\f\(..|\\f\[[^]]*\]|\\s[+-]?\d|\\[&|^%]|\\\*\(..|\\\*.")
_NAMED = {r"\-": "-", r"\(em": "—", r"\(en": "–", r"\(bu": "•", r"\e": "\\", r"\ ": " ", r"\(lq": "“",
          r"\(rq": "”", r"\(aq": "'", r"\(dq": '"'}
_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_CJK_SHARE = 0.3  # manpages-zh still ships pages that are mostly English; they would dilute the corpus


def _clean(text: str) -> str:
    for k, v in _NAMED.items():
        text = text.replace(k, v)
    text = _ESCAPES.sub("", text)
    return text.replace('"', "").strip() if text.startswith(" ") else text.strip()


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if out and not (_CJK.match(line[:1]) and _CJK.match(out[-1:])):
            out += " "
        out += line
    return out


def roff_to_markdown(roff: str) -> str:
    """
    >>> roff_to_markdown('.TH ls 1\\n.SH 名称\\nls \\\\- 列目录\\n.PP\\n列出\\n.B 文件\\n内容。')
    '# ls\\n\\n## 名称\\n\\nls - 列目录\\n\\n列出文件内容。\\n'
    """
    blocks: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(_join(para))
            para.clear()

    for raw in roff.splitlines():
        if raw.startswith(('.\\"', '\\"', "'\\\"")):
            continue
        if raw.startswith((".", "'")):
            name, _, rest = raw[1:].partition(" ")
            if name == "TH":
                blocks.append("# " + _clean(rest).split()[0] if rest.split() else "# page")
            elif name in ("SH", "SS"):
                flush()
                blocks.append(("## " if name == "SH" else "### ") + _clean(rest.replace('"', "")))
            elif name in ("PP", "LP", "P", "TP", "IP", "sp", "br"):
                flush()
            elif name in ("B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM") and rest.strip():
                para.append(_clean(rest.replace('"', "")))
            continue
        text = _clean(raw)
        if text:
            para.append(text)
    flush()
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def convert_tree(src: Path, out: Path) -> tuple[int, int]:
    """Every ``*.gz`` page under ``src`` into ``out``/<section>-<page>.md; returns (written, skipped)."""
    out.mkdir(parents=True, exist_ok=True)
    written = skipped = 0
    for page in sorted(src.rglob("*.gz")):
        try:
            roff = gzip.decompress(page.read_bytes()).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            skipped += 1
            continue
        md = roff_to_markdown(roff)
        letters = [c for c in md if c.isalpha()]
        if not letters or len(_CJK.findall(md)) / len(letters) < MIN_CJK_SHARE or len(md) < 400:
            skipped += 1
            continue
        name = f"{page.parent.name}-{page.name.removesuffix('.gz').replace('.', '-')}.md"
        (out / name).write_text(md, encoding="utf-8")
        written += 1
    return written, skipped


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/corpora/manpages.py SRC_MAN_DIR OUT_DIR")
    n, skipped = convert_tree(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"markdown: {sys.argv[2]}: {n} pages written, {skipped} skipped (not Chinese, short or undecodable)")
