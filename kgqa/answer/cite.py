"""Picked sentences -> answer text with [n] markers and the citations they point to.

>>> from kgqa.ingest.sentences import Sentence
>>> from kgqa.types import Chunk, Hit
>>> s = Sentence("c1", "d", 5, 9, "它是X。", 1)
>>> hit = Hit(Chunk("c1", "d", 0, 9, "标题\\n它是X。", heading=("标题",)), 0.5)
>>> from kgqa.answer.compose import Picked
>>> text, cites = render([Picked(0, s, 0.9, 0, hit)], ["q"], {"d": "Doc"}, "zh")
>>> text, cites[0].quote, cites[0].start
('它是X。[1]', '它是X。', 5)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgqa.answer.compose import Picked
from kgqa.text import is_latin_text
from kgqa.types import Citation

EN_LEAD = "From the knowledge base (quoted in the original Chinese):"


def _joined(pieces: Sequence[str]) -> str:
    """Chinese sentences run on; a Latin-script sentence is set off by a space."""
    out = ""
    for piece in pieces:
        if out and (is_latin_text(piece) or is_latin_text(out[-40:])):
            out += " "
        out += piece
    return out


def render(
    picked: Sequence[Picked], parts: Sequence[str], titles: Mapping[str, str], language: str
) -> tuple[str, list[Citation]]:
    """Number citations in order of first use; one paragraph per question part."""
    citations: list[Citation] = []
    number: dict[tuple[str, int], int] = {}
    paragraphs: list[str] = []
    for part_index, part in enumerate(parts):
        pieces = []
        for p in (x for x in picked if x.part == part_index):
            key = (p.sentence.doc_id, p.sentence.start)
            if key not in number:
                number[key] = len(citations) + 1
                c = p.hit.chunk
                citations.append(
                    Citation(
                        n=number[key],
                        chunk_id=c.chunk_id,
                        doc_id=p.sentence.doc_id,
                        title=titles.get(p.sentence.doc_id, p.sentence.doc_id),
                        section=c.section,
                        quote=p.sentence.text,
                        start=p.sentence.start,
                        end=p.sentence.end,
                        score=round(p.score, 4),
                        page=c.page_at(p.sentence.start),
                    )
                )
            pieces.append(f"{p.sentence.plain}[{number[key]}]")
        if not pieces:
            continue
        body = _joined(pieces)
        paragraphs.append(f"{part_index + 1}. {part.strip()} {body}" if len(parts) > 1 else body)
    text = "\n".join(paragraphs)
    # an English question answered from Chinese text says so; English sources need no such note
    if language == "en" and text and any(not is_latin_text(c.quote) for c in citations):
        text = f"{EN_LEAD}\n{text}"
    return text, citations


def abstention_text(language: str, topic: str, nearest: Sequence[str]) -> str:
    if language == "zh":
        near = f"知识库涵盖的相近主题有：{'、'.join(nearest)}。" if nearest else ""
        return f"知识库中没有找到关于“{topic}”的内容。{near}"
    near = f" Nearby topics it does cover: {', '.join(nearest)}." if nearest else ""
    return f"The knowledge base has no passage about “{topic}”.{near}"


def caveat_text(language: str, missing: Sequence[str]) -> str:
    """The line above an answer that could not cover every term of the question."""
    if language == "zh":
        return f"知识库中没有提到“{'”、“'.join(missing)}”；以下是与问题其余部分相关的内容："
    return f"The knowledge base does not mention {', '.join(repr(m) for m in missing)}; here is what it says " \
           "about the rest of the question:"
