"""Every supported format -> one document model: a canonical text and the blocks over it.

>>> sorted(SUPPORTED)[:4]
['.docx', '.htm', '.html', '.markdown']
"""

from __future__ import annotations

from collections.abc import Callable

from kgqa.ingest.convert.html import convert_html
from kgqa.ingest.convert.markdown import convert_markdown
from kgqa.ingest.convert.model import Converted
from kgqa.ingest.convert.office import convert_docx, convert_pptx
from kgqa.ingest.convert.pdf import convert_pdf
from kgqa.ingest.convert.plain import convert_plain, decode

# bump when any converter's output changes: documents are converted again
CONVERTER_VERSION = "2"  # 2: a DOCX Title is the document title, not a section


def _md(raw: bytes, name: str) -> Converted:
    return convert_markdown(decode(raw, name))


def _txt(raw: bytes, name: str) -> Converted:
    return convert_plain(decode(raw, name))


def _html(raw: bytes, name: str) -> Converted:
    return convert_html(raw)


CONVERTERS: dict[str, Callable[[bytes, str], Converted]] = {
    ".md": _md,
    ".markdown": _md,
    ".txt": _txt,
    ".html": _html,
    ".htm": _html,
    ".xhtml": _html,
    ".pdf": lambda raw, name: convert_pdf(raw),
    ".docx": lambda raw, name: convert_docx(raw),
    ".pptx": lambda raw, name: convert_pptx(raw),
}
SUPPORTED = frozenset(CONVERTERS)


def convert(raw: bytes, suffix: str, name: str) -> Converted:
    """Convert the bytes of one file; ``name`` is the user's file name, used in every error message."""
    return CONVERTERS[suffix.lower()](raw, name)


__all__ = ["CONVERTER_VERSION", "CONVERTERS", "SUPPORTED", "Converted", "convert"]
