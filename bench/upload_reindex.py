"""Re-index cost of an upload: a 2 MB Chinese document of many small sections added to a built index, against
the cold ingest of that document alone.

    python bench/upload_reindex.py                    # base: the bundled notes; upload: 2 MB, a sentence a section
    python bench/upload_reindex.py --base-scale 100   # base: 100x the bundled chunk count (bench/scale_corpus.py)
    python bench/upload_reindex.py --upload-mb 0.1 --paragraphs   # 100 KB, a paragraph a section

The upload goes where ``POST /v1/documents`` puts it (the index's uploads folder) and the index is rebuilt by
``pipeline.build_index``, the path the API's re-index takes; the knowledge base is then loaded as the API does
after a re-index. The cold ingest builds an empty index folder from the upload alone. Both use
kgqa.testing.FakeEmbedder, so the model's cost (the same for both: each new chunk is embedded once) is left out.
Prints per-stage CPU seconds (the machine may be shared) and the ratio re-index / cold (target <= 2).
Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from scale import WORK, _settings, _timed  # noqa: E402
from scale_corpus import BUNDLED, Pool, load_pool, make_corpus  # noqa: E402


def make_upload(pool: Pool, size_bytes: int, path: Path, sentences: bool) -> int:
    """Markdown of short sections until ``size_bytes``: a numbered heading and one paragraph each, or (``sentences``)
    one sentence each, like a list of notes or FAQ items; returns the number of sections."""
    rng = random.Random("kgqa-upload")
    pieces = [x.strip() + "。" for p in pool.paragraphs for x in p.split("。") if len(x.strip()) >= 12] \
        if sentences else list(pool.paragraphs)
    parts = ["# 上传的笔记合集", ""]
    size, n = 0, 0
    while size < size_bytes:
        n += 1
        section = f"## {n}. {rng.choice(pool.headings)}\n\n{rng.choice(pieces)}\n"
        parts.append(section)
        size += len(section.encode("utf-8"))
    path.write_text("\n".join(parts), encoding="utf-8")
    return n


def _instrument() -> dict[str, float]:
    from kgqa import pipeline
    from kgqa.graph import build as gb
    from kgqa.ingest import corpus as ingest_corpus

    stages: dict[str, float] = {}
    for name in ("load_corpus", "embed_chunks", "graph_for_corpus", "write_search_indexes"):
        setattr(pipeline, name, _timed(stages, name, getattr(pipeline, name)))
    ingest_corpus.chunk_corpus = _timed(stages, "chunk_corpus", ingest_corpus.chunk_corpus)
    for name in ("extract_document", "_concepts", "_sentence_mentions", "_related"):
        setattr(gb, name, _timed(stages, "graph." + name, getattr(gb, name)))
    return stages


def _build(settings: Any, stages: dict[str, float]) -> dict[str, Any]:
    from kgqa import pipeline
    from kgqa.testing import FakeEmbedder

    stages.clear()
    t, c = time.perf_counter(), time.process_time()
    report = pipeline.build_index(settings, embedder=FakeEmbedder(dim=384))
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    pipeline.load(settings, embedder=FakeEmbedder(dim=384))
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "load_seconds": round(time.perf_counter() - t, 3), "load_cpu_seconds": round(time.process_time() - c, 3),
            "chunks": report.counts.get("chunks", 0), "stages": {k: round(v, 3) for k, v in sorted(stages.items())}}


def run(base_scale: int, upload_bytes: int, sentences: bool) -> dict[str, Any]:
    stages = _instrument()
    pool = load_pool()
    root = WORK / f"upload-{base_scale}x-{'sentences' if sentences else 'paragraphs'}"
    if root.exists():
        shutil.rmtree(root)
    base = root / "base"
    if base_scale > 1:
        make_corpus(base_scale, base, 600, pool)
    else:
        shutil.copytree(BUNDLED, base)
    upload = root / "upload-src" / "uploaded-notes.md"
    upload.parent.mkdir(parents=True)
    sections = make_upload(pool, upload_bytes, upload, sentences)
    settings = _settings(base, root / "index", "flat")
    base_build = _build(settings, stages)
    (root / "index" / "uploads").mkdir(parents=True, exist_ok=True)
    shutil.copy(upload, root / "index" / "uploads" / upload.name)
    reindex = _build(settings, stages)
    cold = _build(_settings(upload.parent, root / "cold-index", "flat"), stages)
    return {"base_scale": base_scale, "sections_of": "sentences" if sentences else "paragraphs",
            "upload_bytes": upload.stat().st_size, "upload_sections": sections,
            "base_build": base_build, "reindex": reindex, "cold_upload_alone": cold,
            "ratio_reindex_to_cold_cpu": round(reindex["cpu_seconds"] / cold["cpu_seconds"], 2),
            "ratio_with_load_cpu": round((reindex["cpu_seconds"] + reindex["load_cpu_seconds"])
                                         / (cold["cpu_seconds"] + cold["load_cpu_seconds"]), 2),
            "ratio_reindex_to_cold_wall": round(reindex["seconds"] / cold["seconds"], 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-scale", type=int, default=1, help="the base corpus: N x the bundled chunk count")
    ap.add_argument("--upload-mb", type=float, default=2.0, help="size of the uploaded document (MB)")
    ap.add_argument("--paragraphs", action="store_true", help="a paragraph per section (default: one sentence)")
    args = ap.parse_args()
    result = run(args.base_scale, int(args.upload_mb * 1_000_000), not args.paragraphs)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    out = HERE / "results" / f"upload-reindex-{args.base_scale}x-{result['sections_of']}-{args.upload_mb:g}mb.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
