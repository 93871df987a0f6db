"""Corpora of N times the bundled chunk count, from real Chinese text, for bench/scale.py.

The bundled notes (corpus/) are 1x. A larger corpus keeps them and adds generated Markdown documents whose
sections are drawn from a pool of real Chinese paragraphs: the notes, the GIMP manual (gimp-zh) and the Chinese
manual pages (manpages-zh), both made by bench/corpora/fetch.sh. Every generated section is a real heading
followed by two to four paragraphs taken from different places, so no two copies are identical (the chunker
indexes identical text once: a corpus of verbatim copies would not grow) and concepts co-occur in new
combinations, as in a larger real corpus. Choices come from a seeded ``random.Random``: the same scale always
gives the same files.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from kgqa.ingest.chunk import chunk_document
from kgqa.ingest.load import load_corpus
from kgqa.types import Document

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUNDLED = REPO / "corpus"
POOL_SOURCES = (BUNDLED, HERE / "data/corpora/gimp-zh/html", HERE / "data/corpora/manpages-zh/md")
SECTIONS_PER_DOC = 12  # a generated document is about the size of one bundled note
MAX_IDLE_DOCS = 50  # generated documents in a row that add no new chunk: the pool is used up
MIN_PARAGRAPH = 30  # characters; shorter lines are navigation, list labels or table cells
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$")


@dataclass(frozen=True)
class Pool:
    headings: tuple[str, ...]
    paragraphs: tuple[str, ...]


def _split(doc: Document) -> tuple[list[str], list[str]]:
    headings, paragraphs = [], []
    for block in re.split(r"\n\s*\n", doc.text):
        block = block.strip()
        m = _HEADING.match(block)
        if m and "\n" not in block:
            headings.append(m.group(1).strip())
        elif len(block) >= MIN_PARAGRAPH and len(_CJK.findall(block)) * 4 >= len(block):
            paragraphs.append(_HEADING.sub("", block).strip())
    return headings, paragraphs


def load_pool(sources: tuple[Path, ...] = POOL_SOURCES) -> Pool:
    """Headings and Chinese paragraphs of every source folder that exists (run fetch.sh for the others)."""
    missing = [str(p) for p in sources if not p.is_dir()]
    if missing:
        raise SystemExit(f"missing source folders {missing}; run bench/corpora/fetch.sh gimp-zh manpages-zh")
    docs, _ = load_corpus(list(sources))
    headings: dict[str, None] = {}
    paragraphs: dict[str, None] = {}
    for d in docs:
        h, p = _split(d)
        headings.update(dict.fromkeys(x for x in h if _CJK.search(x)))
        paragraphs.update(dict.fromkeys(p))
    return Pool(tuple(headings), tuple(paragraphs))


def _document(pool: Pool, rng: random.Random, n: int) -> str:
    lines = [f"# 合集 {n}：{rng.choice(pool.headings)}", ""]
    for _ in range(SECTIONS_PER_DOC):
        lines += [f"## {rng.choice(pool.headings)}", ""]
        for p in rng.sample(pool.paragraphs, rng.randint(2, 4)):
            lines += [p, ""]
    return "\n".join(lines)


def bundled_chunk_count(max_chars: int) -> int:
    docs, _ = load_corpus([BUNDLED])
    return len({c.chunk_id for d in docs for c in chunk_document(d, max_chars).chunks})


def make_corpus(scale: int, out: Path, max_chars: int, pool: Pool | None = None) -> dict[str, int]:
    """Write ``scale`` x the bundled chunk count (distinct chunks) into ``out``; returns what was made."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(BUNDLED, out)
    target = scale * bundled_chunk_count(max_chars)
    seen = {c.chunk_id for d in load_corpus([out])[0] for c in chunk_document(d, max_chars).chunks}
    generated = 0
    if len(seen) < target:
        pool = pool or load_pool()
        rng = random.Random(f"kgqa-scale-{scale}")
        idle = 0
        while len(seen) < target:
            path = out / f"scale-{generated:06d}.md"
            path.write_text(_document(pool, rng, generated), encoding="utf-8")
            doc = load_corpus([path])[0][0]
            before = len(seen)
            seen.update(c.chunk_id for c in chunk_document(doc, max_chars).chunks)
            generated += 1
            idle = idle + 1 if len(seen) == before else 0
            if idle >= MAX_IDLE_DOCS:
                raise SystemExit(f"the paragraph pool ({len(pool.paragraphs)}) gives no new chunks after "
                                 f"{len(seen)}; add source folders to POOL_SOURCES for scale {scale}")
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    return {"scale": scale, "target_chunks": target, "chunks": len(seen), "generated_docs": generated,
            "bytes": size}
