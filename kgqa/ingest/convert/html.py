"""HTML -> canonical text and blocks (BeautifulSoup over lxml).

Inline elements (``code``, ``a``, ``span``, ``em``) stay inside their sentence; ``pre`` becomes a
code block; tables keep their rows; list items keep their depth. Page chrome is removed before
anything is read: navigation, headers and footers, sidebars, tables of contents and the
previous/next bars of DocBook, Sphinx and MkDocs output, and Sphinx's ``¶`` permalinks. When the
page marks its main content (``<main>``, ``role="main"``, Sphinx's ``div.body``, MkDocs'
``md-content``), only that is read.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import Comment, Doctype, ProcessingInstruction

from kgqa.ingest.convert.builder import TextBuilder, inline
from kgqa.ingest.convert.model import Converted

CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
               "iframe", "svg", "head")
# class or id tokens of navigation and tables of contents in common generators:
# DocBook (navheader, navfooter, toc, breadcrumbs), Sphinx (related, sphinxsidebar, headerlink,
# toctree-wrapper, footer), MkDocs (md-header, md-sidebar, md-footer, md-nav, md-source)
CHROME_TOKENS = {
    "navheader", "navfooter", "toc", "breadcrumb", "breadcrumbs", "related", "sphinxsidebar",
    "sphinxsidebarwrapper", "headerlink", "toctree-wrapper", "footer", "header", "md-header", "md-sidebar",
    "md-footer", "md-nav", "md-source", "md-search", "md-top", "skip-link", "skiplink", "navbar", "nav",
    "sidebar", "menu", "mobile-nav", "edit-this-page", "prev-next", "pagination", "copyright", "lot",
}
CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
MAIN_SELECTORS = ("main", "[role=main]", "div.body", "div.md-content", "article", "div.document", "#content")
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "body", "li", "ul", "ol", "dl", "dt", "dd", "table", "pre",
    "blockquote", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "details",
    "summary", "fieldset", "caption",
}
_HEADING = re.compile(r"^h([1-6])$")
# inline elements that mark their text, by tag and by class token (DocBook and Sphinx name them by class):
# code, file and command names; the labels of menus, buttons and dialogs; defined terms; strong and emphasis
MARK_TAGS = {"code": "code", "tt": "code", "kbd": "code", "samp": "code", "dfn": "term", "dt": "term",
             "strong": "strong", "b": "strong", "em": "emphasis", "i": "emphasis"}
MARK_CLASSES = {
    "pre": "code", "literal": "code", "filename": "code", "command": "code", "varname": "code",
    "function": "code", "option": "code", "classname": "code", "methodname": "code", "envar": "code",
    "guilabel": "gui", "guimenu": "gui", "guisubmenu": "gui", "guimenuitem": "gui", "guibutton": "gui",
    "guiicon": "gui", "term": "term", "glossterm": "term", "firstterm": "term", "application": "term",
    "productname": "term", "emphasis": "emphasis",
}


def mark_kind(tag: Tag) -> str:
    """The mark an inline element puts on its text ('' for none); a class outranks the tag (DocBook's
    ``<span class="guimenu"><strong>`` is a menu label)."""
    for c in tag.get("class") or ():
        kind = MARK_CLASSES.get(str(c).lower())
        if kind:
            return kind
    return MARK_TAGS.get(tag.name or "", "")


def marks_in(node: Tag) -> list[tuple[str, str]]:
    """The outermost marked elements inside ``node``, in reading order, as (kind, text)."""
    out: list[tuple[str, str]] = []
    for child in node.children:
        if isinstance(child, Tag):
            kind = mark_kind(child)
            if kind:
                out.append((kind, child.get_text()))
            else:
                out += marks_in(child)
    return out


def _is_chrome(tag: Tag) -> bool:
    if tag.name in CHROME_TAGS:
        return True
    attrs = tag.attrs or {}
    tokens = {str(c).lower() for c in attrs.get("class") or ()}
    ident = str(attrs.get("id") or "").lower()
    if ident:
        tokens.add(ident)
    return bool(tokens & CHROME_TOKENS) or str(attrs.get("role") or "").lower() in CHROME_ROLES


def _strip_chrome(root: Tag) -> None:
    for tag in list(root.find_all(True)):
        if not tag.decomposed and _is_chrome(tag):
            tag.decompose()
    for node in root.find_all(string=lambda s: isinstance(s, Comment | Doctype | ProcessingInstruction)):
        node.extract()


def _main(soup: BeautifulSoup) -> Tag:
    for sel in MAIN_SELECTORS:
        found = soup.select_one(sel)
        if found is not None and found.get_text(strip=True):
            return found
    return soup.body or soup


def _is_layout(table: Tag) -> bool:
    """A table used for layout, not data: one column, or cells holding paragraphs, lists or code."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    widths = {len(tr.find_all(("td", "th"), recursive=False)) for tr in rows}
    if widths <= {0, 1}:
        return True
    if any(c is not None and c.find(("p", "ul", "ol", "pre", "div", "table")) is not None
           for tr in rows for c in tr.find_all(("td", "th"), recursive=False)):
        return True
    # DocBook admonitions (note, tip, warning, ...) are tables of an icon and a title over the text
    parent = table.find_parent("div")
    classes = {str(c) for c in (parent.get("class") or ())} if parent is not None else set()
    return bool(classes & {"note", "tip", "warning", "caution", "important"})


class _Walker:
    def __init__(self) -> None:
        self.out = TextBuilder()
        self.buffer: list[str] = []
        self.marks: list[tuple[str, str]] = []

    def flush(self, kind: str = "paragraph") -> None:
        text, marks = "".join(self.buffer), self.marks
        self.buffer, self.marks = [], []
        if inline(text):
            self.out.paragraph(text, kind, marks)

    def walk(self, node: Tag, quote: bool = False) -> None:
        kind = "quote" if quote else "paragraph"
        for child in node.children:
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name or ""
            if name == "br":
                self.buffer.append("\n")
            elif name not in BLOCK_TAGS:
                self.mark(child)
                self.walk_inline(child)
            else:
                self.flush(kind)
                self.block(child, quote)
        self.flush(kind)

    def walk_inline(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    self.buffer.append("\n")
                else:
                    self.mark(child)
                    self.walk_inline(child)

    def mark(self, tag: Tag) -> None:
        """Note an inline element's mark; one inside a marked element adds nothing."""
        kind = mark_kind(tag)
        if kind and not any(mark_kind(p) for p in tag.parents if isinstance(p, Tag) and p.name not in BLOCK_TAGS):
            self.marks.append((kind, tag.get_text()))

    def block(self, tag: Tag, quote: bool) -> None:
        name = tag.name or ""
        m = _HEADING.match(name)
        if m:
            self.out.heading(tag.get_text(" "), int(m.group(1)), marks_in(tag))
        elif name == "dt":
            self.marks.append(("term", tag.get_text()))  # a definition list's term is the term it defines
            self.walk(tag, quote)
        elif name == "pre":
            self.out.code(tag.get_text())
        elif name in ("ul", "ol"):
            self.list(tag, 0)
        elif name == "table":
            self.table(tag)
        elif name == "blockquote":
            self.walk(tag, quote=True)
        elif name == "hr":
            return
        else:
            self.walk(tag, quote)

    def list(self, tag: Tag, depth: int) -> None:
        for li in tag.find_all("li", recursive=False):
            parts: list[str] = []
            marks: list[tuple[str, str]] = []
            nested: list[Tag] = []
            for child in li.children:
                if isinstance(child, Tag) and child.name == "p" and not nested:
                    parts.append(child.get_text() + " ")  # an item's paragraphs are its text
                    marks += marks_in(child)
                elif isinstance(child, Tag) and child.name in BLOCK_TAGS:
                    nested.append(child)  # figures, code, tables and sub-lists follow the item
                elif isinstance(child, Tag):
                    parts.append(child.get_text())
                    marks += [(k, child.get_text())] if (k := mark_kind(child)) else marks_in(child)
                elif isinstance(child, NavigableString):
                    parts.append(str(child))
            self.out.item("".join(parts), depth, marks)
            for sub in nested:
                if sub.name in ("ul", "ol"):
                    self.list(sub, depth + 1)
                else:
                    self.block(sub, False)

    def table(self, tag: Tag) -> None:
        if _is_layout(tag):
            # admonitions and page layout set in tables: their cells are ordinary text
            for cell in tag.find_all(("td", "th")):
                if cell.find_parent("table") is tag:
                    self.walk(cell)
            return
        rows: list[list[str]] = []
        for tr in tag.find_all("tr"):
            if tr.find_parent("table") is not tag:
                continue
            rows.append([cell.get_text(" ") for cell in tr.find_all(("td", "th"), recursive=False)])
        caption = tag.find("caption")
        if caption is not None:
            self.out.paragraph(caption.get_text(" "))
        self.out.table(rows)


def convert_html(data: bytes) -> Converted:
    with warnings.catch_warnings():
        # XHTML (DocBook output) is read as HTML on purpose: the same walker serves both
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(data, "lxml")
    title_tag = soup.find("title")
    title = inline(title_tag.get_text(" ")) if title_tag else ""
    _strip_chrome(soup)
    walker = _Walker()
    walker.walk(_main(soup))
    return Converted(walker.out.text, tuple(walker.out.blocks), title, "html")
