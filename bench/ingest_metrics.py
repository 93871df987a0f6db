"""Pure measures of ingest quality: what a page's source says, and how well its chunks keep it.

Every function here works on plain strings and tuples, so it is tested on tiny inputs
(tests/bench/test_ingest_quality.py); bench/ingest_quality.py does the file and process work.

The rules, in short (the README of bench/ and ``python bench/ingest_quality.py --help`` repeat them):

- A chunk **ends mid-sentence** when its last non-space character, after trailing closing quotes,
  brackets and Markdown emphasis, is not one of ``。！？.!?；;:：…``, unless its last line is where
  a structural element of the source ends: a heading, a line of a ``pre`` block, a list item, a table
  cell or row, a definition term, a caption or a DocBook title. A line is compared on its *key*
  (NFKC, Markdown markers and all whitespace removed); it matches an element when it equals the
  element's key or is a suffix of it at least 4 characters long (so a PDF's wrapped last line counts).
- A **heading trail is wrong** when one of its elements, keyed the same way, is not the key of an
  ``h1``-``h6`` of the source page (for PDF and DOCX: of the HTML page they were made from).
- **Dropped text** is measured on tokens (each CJK character is a token, so is each run of letters
  and digits; NFKC and case-folded): source tokens that ``difflib`` cannot align with the tokens of
  the chunks, in order. Chrome (navigation, sidebars, headers, footers, tables of contents, ``¶``
  anchors) is counted apart, so "content dropped" is what a reader of the page would miss.
"""

from __future__ import annotations

import difflib
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SENTENCE_END = frozenset("。！？.!?；;:：…")
CLOSERS = "\"'”’」』）)]】》*`_ \t\r\n"
MIN_SUFFIX = 4
DROPPED_PIECES = 5

_MARKERS = re.compile(r"^(?:\s*(?:#{1,6}|>|[-*+•]|\d{1,3}[.)])\s+)+")
_SPACE = re.compile(r"\s+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_FOOTNOTE_REF = re.compile(r"\s*\[\d{1,3}\]$")
_LIST_OR_ROW = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S|\S\s\|\s\S")
# CJK Radicals Supplement characters have no NFKC mapping, but PDF text layers made with CJK fonts use
# them for ordinary characters (U+2EDA for 页). These are the ones simplified Chinese text meets.
RADICALS = str.maketrans("⻅⻉⻋⻓⻔⻘⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳", "见贝车长门青页风飞食马骨鬼鱼鸟麦黄齐齿龙龟")

# Elements whose text is page chrome rather than content (Sphinx, DocBook, MkDocs and plain HTML5).
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
CHROME_CLASSES = frozenset({
    "navheader", "navfooter", "toc", "footer", "related", "sphinxsidebar", "mobile-nav", "headerlink",
    "breadcrumbs", "toctree-wrapper", "md-header", "md-footer", "md-sidebar", "md-nav", "reportbug",
})
# Elements that may end a chunk without sentence punctuation.
STRUCTURAL_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "dt", "caption",
                             "figcaption", "pre", "title"})
STRUCTURAL_CLASSES = ["title", "rubric", "admonition-title", "caption-text"]


def key(text: str) -> str:
    """Comparison key of a line or element: NFKC, Markdown markers, emphasis and all whitespace removed.

    >>> key("## 2.1. Hello  *World*")
    '2.1.HelloWorld'
    """
    text = normalise(text)
    text = _MARKERS.sub("", text.strip())
    return _SPACE.sub("", text).translate(_KEY_DROP)


_KEY_DROP = str.maketrans("", "", "*`|¶")


def normalise(text: str) -> str:
    """NFKC, plus the CJK radicals that NFKC leaves alone (``RADICALS``).

    >>> normalise("上⼀⻚")
    '上一页'
    """
    return unicodedata.normalize("NFKC", text).translate(RADICALS)


def radical_count(text: str) -> int:
    """Characters that only look like ordinary CJK ones (Kangxi radicals, CJK radicals supplement)."""
    return sum(1 for c in text if "\u2e80" <= c <= "\u2fdf")


@dataclass(frozen=True)
class SourcePage:
    """What a source page holds, independent of how kgqa converts it.

    ``text`` is its visible text (NFKC), ``chrome`` the spans of ``text`` inside page chrome,
    ``headings`` the keys of its h1-h6 (None when the format has no markup, as for .txt),
    ``ends`` the keys of elements a chunk may end on, ``code_lines`` the keys of ``pre`` lines.
    """

    text: str
    chrome: tuple[tuple[int, int], ...] = ()
    headings: frozenset[str] | None = None
    ends: frozenset[str] = frozenset()
    code_lines: frozenset[str] = frozenset()


def _is_chrome(tag: object) -> bool:
    name = getattr(tag, "name", None)
    attrs = getattr(tag, "attrs", None) or {}
    classes = attrs.get("class") or ()
    if any(c.startswith("footnote") for c in classes):  # Sphinx puts footnotes in <aside>
        return False
    if name in CHROME_TAGS or attrs.get("role") == "navigation":
        return True
    return bool(CHROME_CLASSES.intersection(classes))


def parse_html(html: str) -> SourcePage:
    """The visible text of ``<body>`` (scripts and styles out), with its chrome, headings and ends.

    >>> p = parse_html("<body><nav>Home</nav><h1>Title</h1><p>Text.</p><ul><li>an item</li></ul></body>")
    >>> p.text, p.chrome, sorted(p.headings)
    ('Home\\nTitle\\nText.\\nan item', ((0, 4),), ['Title'])
    """
    from bs4 import BeautifulSoup, Comment, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    root = soup.body or soup
    for tag in root(["script", "style", "template", "noscript"]):
        tag.decompose()
    pieces: list[str] = []
    chrome: list[tuple[int, int]] = []
    at = 0
    for node in root.descendants:
        if not isinstance(node, NavigableString) or isinstance(node, Comment):
            continue
        piece = _SPACE.sub(" ", normalise(str(node))).strip()
        if not piece:
            continue
        if any(_is_chrome(parent) for parent in node.parents):
            chrome.append((at, at + len(piece)))
        pieces.append(piece)
        at += len(piece) + 1
    for anchor in root.find_all(class_="headerlink"):  # the "¶" after a Sphinx heading
        anchor.decompose()
    headings = frozenset(key(h.get_text(" ")) for h in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]))
    ends = {key(t.get_text(" ")) for t in root.find_all(STRUCTURAL_TAGS)}
    ends |= {key(t.get_text(" ")) for t in root.find_all(class_=STRUCTURAL_CLASSES)}
    code = {key(line) for pre in root.find_all("pre") for line in pre.get_text().splitlines()}
    return SourcePage("\n".join(pieces), _merge(chrome), headings - {""}, frozenset(ends - {""}),
                      frozenset(code - {""}))


def parse_markdown(markdown: str) -> SourcePage:
    """A Markdown source, rendered by markdown-it-py (CommonMark and tables) and read as HTML."""
    from markdown_it import MarkdownIt

    return parse_html(MarkdownIt("commonmark").enable("table").render(markdown))


def parse_plain(text: str) -> SourcePage:
    """A plain-text source: all of it is content, and it has no markup to name its headings."""
    return SourcePage(_SPACE.sub(" ", normalise(text)).strip())


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return tuple(out)


# ---------------------------------------------------------------- per chunk


def is_structural_end(line: str, page: SourcePage) -> bool:
    """Whether ``line`` is where a heading, code line, list item, table cell or title of ``page`` ends."""
    if line.lstrip().startswith("#"):
        return True
    if page.headings is None and _LIST_OR_ROW.search(line):  # no markup: the canonical "- item", "a | b"
        return True
    k = key(line)
    if not k or k in page.ends or k in page.code_lines:
        return True
    return len(k) >= MIN_SUFFIX and any(e.endswith(k) for e in page.ends)


def ends_mid_sentence(text: str, page: SourcePage) -> bool:
    """A chunk ends mid-sentence: no sentence-final punctuation and no structural end (module docstring).

    >>> page = SourcePage("", ends=frozenset({"anitem"}))
    >>> ends_mid_sentence("Done.)", page), ends_mid_sentence("- an item", page), ends_mid_sentence("and so", page)
    (False, False, True)
    """
    body = text.rstrip()
    if not body:
        return False
    stripped = _FOOTNOTE_REF.sub("", body).rstrip(CLOSERS)
    if stripped and stripped[-1] in SENTENCE_END:
        return False
    return not is_structural_end(body.rsplit("\n", 1)[-1], page)


def wrong_trail(trail: Sequence[str], headings: frozenset[str] | None) -> tuple[str, ...]:
    """The trail elements that are not headings of the source (none when the source names no headings).

    >>> wrong_trail(("# Intro", "$ ls -l"), frozenset({"Intro"}))
    ('$ ls -l',)
    """
    if headings is None:
        return ()
    return tuple(t for t in trail if key(t) and key(t) not in headings)


def covered_text(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The parts of ``text`` inside any of ``spans``, in order, each once, joined by newlines.

    >>> covered_text("abcdefgh", [(4, 6), (0, 2), (1, 3)])
    'abc\\nef'
    """
    merged: list[list[int]] = []
    for s, e in sorted(span for span in spans if span[1] > span[0]):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return "\n".join(text[s:e] for s, e in merged)


def median_length(lengths: Iterable[int]) -> float | None:
    values = list(lengths)
    return float(statistics.median(values)) if values else None


# ---------------------------------------------------------------- text alignment


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) over ``text``: one per CJK character, one per run of letters and digits.

    >>> [t for t, _, _ in tokens("GIMP 是图像 editor_2")]
    ['gimp', '是', '图', '像', 'editor', '2']
    """
    return [(m.group(0).casefold(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class Alignment:
    """How much of a source survives in a target: token counts, total and content-only, and what was lost."""

    total: int
    kept: int
    content_total: int
    content_kept: int
    missing: tuple[tuple[int, str, bool], ...]  # (tokens, text, is_chrome): the longest content and chrome runs

    @property
    def dropped_share(self) -> float | None:
        return 1 - self.kept / self.total if self.total else None

    @property
    def content_dropped_share(self) -> float | None:
        return 1 - self.content_kept / self.content_total if self.content_total else None

    @property
    def chrome_kept_share(self) -> float | None:
        chrome = self.total - self.content_total
        return (self.kept - self.content_kept) / chrome if chrome else None

    @property
    def content_present_share(self) -> float | None:
        return self.content_kept / self.content_total if self.content_total else None


def _in_spans(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    import bisect

    i = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]


def align(page: SourcePage, target: str, pieces: int = DROPPED_PIECES) -> Alignment:
    """Align the page's tokens with ``target``'s, in order; unaligned runs are the dropped pieces.

    >>> a = align(SourcePage("Home\\nKeep this text please", chrome=((0, 4),)), "keep text please")
    >>> a.total, a.kept, a.content_total, a.content_kept, [(n, t) for n, t, _ in a.missing]
    (5, 3, 4, 3, [(1, 'this'), (1, 'Home')])
    """
    src = tokens(page.text)
    words = [t for t, _, _ in src]
    kept = [False] * len(src)
    matcher = difflib.SequenceMatcher(None, words, [t for t, _, _ in tokens(normalise(target))], autojunk=False)
    for block in matcher.get_matching_blocks():
        for i in range(block.a, block.a + block.size):
            kept[i] = True
    is_chrome = [_in_spans(s, page.chrome) for _, s, _ in src]
    runs: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(src):
        if kept[i]:
            i += 1
            continue
        j = i
        while j < len(src) and not kept[j]:
            j += 1
        chrome_share = sum(is_chrome[i:j]) / (j - i)
        runs.append((j - i, page.text[src[i][1]:src[j - 1][2]], chrome_share > 0.5))
        i = j
    runs.sort(key=lambda r: (-r[0], r[1]))
    longest = [r for r in runs if not r[2]][:pieces] + [r for r in runs if r[2]][:pieces]
    content = [k for k, c in zip(kept, is_chrome, strict=True) if not c]
    return Alignment(len(src), sum(kept), len(content), sum(content), tuple(sorted(longest, key=lambda r: -r[0])))
