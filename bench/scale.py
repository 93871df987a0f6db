"""Scale benchmark: ingest, index size, KB load and ask latency at 1x, 10x, 100x (...) the bundled chunk count.

    python bench/scale.py                               # 1x 10x 100x, flat and hnsw, fake embedder
    python bench/scale.py --scale 1 --scale 10 --faiss flat --label before
    python bench/scale.py --compare bench/results/scale-before.json   # after rows next to before rows
    python bench/scale.py --model-sample 64             # the real model's cost per chunk, on 64 chunks

Corpora come from bench/scale_corpus.py (real Chinese text; run bench/corpora/fetch.sh gimp-zh manpages-zh
first). Vectors come from kgqa.testing.FakeEmbedder, so the numbers are kgqa's own cost; the model's cost per
chunk is measured apart (``--model-sample``) and added by hand. Every build and every load runs in a fresh
child process, so its peak RSS is its own. Results go to bench/results/scale-<label>.json and a Markdown table
is printed. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "scale"
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

GRAPH_STAGES = ("extract_document", "_concepts", "_sentence_mentions", "_typed_edges", "_head_edges", "_related",
                "_glossary_edges")
MAX_QUESTIONS = 80


def _timed(table: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, adding the CPU seconds of each call to ``table[name]`` (CPU time: the machine is shared)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            table[name] = table.get(name, 0.0) + time.process_time() - t

    return wrapper


def _settings(corpus: Path, index: Path, faiss: str) -> Any:
    from kgqa.config import Settings

    # "milvus" in the vector-index column: the Milvus backend (milvus-lite in the index folder)
    backend = {"vector_backend": "milvus"} if faiss == "milvus" else {"faiss_index": faiss}
    return Settings(corpus_dir=corpus, index_dir=index, embedding_model="fake-hash-embedder", **backend,
                    _env_file=None)


def child_build(corpus: Path, index: Path, faiss: str) -> dict[str, Any]:
    """Cold build of ``corpus`` into ``index``: total and per-stage seconds, peak RSS, bytes on disk."""
    from kgqa import pipeline
    from kgqa.graph import build as gb
    from kgqa.ingest import corpus as ingest_corpus
    from kgqa.testing import FakeEmbedder

    stages: dict[str, float] = {}
    for name in ("load_corpus", "embed_chunks", "graph_for_corpus", "write_search_indexes"):
        setattr(pipeline, name, _timed(stages, name, getattr(pipeline, name)))
    ingest_corpus.chunk_corpus = _timed(stages, "chunk_corpus", ingest_corpus.chunk_corpus)
    for name in GRAPH_STAGES:
        setattr(gb, name, _timed(stages, "graph." + name, getattr(gb, name)))
    pipeline.ConceptGraph.save = _timed(stages, "graph.save", pipeline.ConceptGraph.save)  # type: ignore[method-assign]
    t, c = time.perf_counter(), time.process_time()
    report = pipeline.build_index(_settings(corpus, index, faiss), embedder=FakeEmbedder(dim=384), force=True)
    total, cpu = time.perf_counter() - t, time.process_time() - c
    folder = Path(report.folder)
    files = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}
    return {"seconds": round(total, 3), "cpu_seconds": round(cpu, 3),
            "stages": {k: round(v, 3) for k, v in sorted(stages.items())},
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "index_bytes": sum(files.values()), "graph_bytes": files.get("graph.json", 0),
            "chunks": report.counts.get("chunks", 0), "concepts": report.counts.get("concepts", 0),
            "edges": report.counts.get("edges", 0)}


def _questions() -> list[str]:
    items = yaml.safe_load((HERE / "devset.yaml").read_text(encoding="utf-8"))["items"]
    items += yaml.safe_load((HERE / "devsets" / "gimp-zh.yaml").read_text(encoding="utf-8"))["items"]
    return [it["question"] for it in items][:MAX_QUESTIONS]


def _rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def child_load(corpus: Path, index: Path, faiss: str) -> dict[str, Any]:
    """Load the knowledge base, then ask each question once (fresh, so no answer cache helps)."""
    from kgqa import pipeline
    from kgqa.graph.query import ConceptGraph
    from kgqa.testing import FakeEmbedder

    graph_load: dict[str, float] = {}
    ConceptGraph.load = classmethod(_timed(graph_load, "graph", ConceptGraph.load.__func__))  # type: ignore
    related: dict[str, float] = {}
    ConceptGraph.related = _timed(related, "related", ConceptGraph.related)  # type: ignore[method-assign]
    t, c = time.perf_counter(), time.process_time()
    kb = pipeline.load(_settings(corpus, index, faiss), embedder=FakeEmbedder(dim=384))
    load_s, load_cpu = time.perf_counter() - t, time.process_time() - c
    rss = _rss_mb()
    questions = _questions()
    for q in ("warm-up: what is attention?", "预热：什么是注意力？"):
        kb.ask(q)
    related.clear()
    times, cpu = [], []
    for q in questions:
        t, c = time.perf_counter(), time.process_time()
        kb.ask(q)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    times.sort()
    cpu.sort()
    return {"load_seconds": round(load_s, 3), "load_cpu_seconds": round(load_cpu, 3),
            "ask_cpu_p50_ms": round(statistics.median(cpu), 1),
            "ask_cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 1),
            "graph_load_seconds": round(graph_load.get("graph", 0.0), 3),
            "rss_mb": rss, "ask_p50_ms": round(statistics.median(times), 1),
            "ask_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "related_ms_per_ask": round(related.get("related", 0.0) * 1000 / len(questions), 2),
            "questions": len(questions)}


def _child(kind: str, corpus: Path, index: Path, faiss: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), f"--child-{kind}", str(corpus), str(index), faiss]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{kind} child failed for {corpus} ({faiss}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(scales: list[int], faiss_kinds: list[str], label: str) -> list[dict[str, Any]]:
    from scale_corpus import load_pool, make_corpus

    pool = load_pool()
    rows = []
    for scale in scales:
        corpus = WORK / f"corpus-{scale}x"
        made = make_corpus(scale, corpus, 600, pool)
        for faiss in faiss_kinds:
            index = WORK / f"index-{scale}x-{faiss}"
            if index.exists():
                shutil.rmtree(index)  # a cold build: no stored per-document contributions to reuse
            build = _child("build", corpus, index, faiss)
            load = _child("load", corpus, index, faiss)
            row = {"label": label, "scale": scale, "faiss": faiss, "corpus_bytes": made["bytes"], **build, **load}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def model_sample(n: int) -> dict[str, Any]:
    """CPU seconds per chunk of the configured real model, embedding what a build embeds for a chunk (the
    passage, the questions it answers, its sentences) through the build's own ``embed_chunks``."""
    import tempfile

    from scale_corpus import make_corpus

    from kgqa.config import Settings
    from kgqa.index.models import load_embedder
    from kgqa.index.store import EmbeddingCache
    from kgqa.index.writer import embed_chunks
    from kgqa.ingest.chunk import chunk_document
    from kgqa.ingest.load import load_corpus

    corpus = WORK / "corpus-model"
    make_corpus(max(1, n // 62 + 1), corpus, 600)
    docs, _ = load_corpus([corpus])
    chunks = [c for d in sorted(docs, key=lambda d: d.doc_id, reverse=True) for c in chunk_document(d, 600).chunks][:n]
    settings = Settings(_env_file=None)
    embedder = load_embedder(settings)
    embedder.embed(["预热"], kind="passage")
    with tempfile.TemporaryDirectory() as tmp:
        cache = EmbeddingCache(Path(tmp) / "embeddings.sqlite")
        t, c = time.perf_counter(), time.process_time()
        vectors = embed_chunks(chunks, embedder, cache, settings.embedding_batch_size, None)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        cache.close()
    return {"model": embedder.model_id, "chunks": len(chunks), "texts_embedded": vectors.embedded,
            "wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "cpu_ms_per_chunk": round(cpu * 1000 / len(chunks), 1),
            "wall_ms_per_chunk": round(wall * 1000 / len(chunks), 1)}


COLUMNS = [("label", "code"), ("scale", "scale"), ("chunks", "chunks"), ("faiss", "faiss"),
           ("cpu_seconds", "ingest CPU s"), ("seconds", "ingest wall s"), ("graph.extract_document", "extract s"),
           ("graph._concepts", "concepts s"), ("graph._sentence_mentions", "linking s"),
           ("graph._related", "related s"),
           ("write_search_indexes", "vector+bm25 s"), ("peak_rss_mb", "ingest RSS MB"), ("index_bytes", "index MB"),
           ("graph_bytes", "graph.json MB"), ("load_cpu_seconds", "load CPU s"), ("graph_load_seconds", "graph load s"),
           ("rss_mb", "KB RSS MB"), ("ask_cpu_p50_ms", "ask p50 CPU ms"), ("ask_cpu_p95_ms", "ask p95 CPU ms"),
           ("related_ms_per_ask", "related ms/ask")]


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(key, row.get("stages", {}).get(key, ""))
    if key.endswith("bytes") and value != "":
        return f"{value / 1e6:.1f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table(rows: list[dict[str, Any]]) -> str:
    rows = sorted(rows, key=lambda r: (r["scale"], r["faiss"], r["label"] != "before", r["label"]))
    lines = ["| " + " | ".join(h for _, h in COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(r, k) for k, _ in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


PROJECTED = [("cpu_seconds", "ingest CPU s"), ("graph_for_corpus", "graph CPU s"), ("peak_rss_mb", "ingest RSS MB"),
             ("index_bytes", "index MB"), ("graph_bytes", "graph.json MB"), ("load_cpu_seconds", "load CPU s"),
             ("rss_mb", "KB RSS MB"), ("ask_cpu_p50_ms", "ask p50 CPU ms"), ("ask_cpu_p95_ms", "ask p95 CPU ms")]


def projection(rows: list[dict[str, Any]], chunks: int, label: str = "after", faiss: str = "flat") -> str:
    """Each measure at ``chunks`` chunks: the smallest scale's value is taken as the fixed cost (imports, word
    lists, model-free start-up) and the part above it is extended from the two largest scales along its own
    power law (log-log slope), so a part growing faster than linearly is projected as such."""
    mine = sorted((r for r in rows if r["label"] == label and r["faiss"] == faiss), key=lambda r: r["chunks"])
    if len(mine) < 3:
        return "(the projection needs three scales)"
    base, a, b = mine[0], mine[-2], mine[-1]
    lines = [f"| measure ({label}, {faiss}) | {base['chunks']} | {a['chunks']} | {b['chunks']} chunks | "
             f"growth exponent above the fixed cost | {chunks:,} chunks |", "| --- | --- | --- | --- | --- | --- |"]
    for key, head in PROJECTED:
        cells = [_cell(r, key) for r in (base, a, b)]
        if "" in cells:
            continue  # a measure a row lacks (an older result file)
        v0, va, vb = (float(c) for c in cells)
        ma, mb = va - v0, vb - v0
        ok = ma > 0 and mb > 0
        slope = math.log(mb / ma) / math.log((b["chunks"] - base["chunks"]) / (a["chunks"] - base["chunks"])) \
            if ok else 1.0
        far = v0 + max(mb, 0.0) * ((chunks - base["chunks"]) / (b["chunks"] - base["chunks"])) ** slope
        lines.append(f"| {head} | {v0:g} | {va:g} | {vb:g} | {slope:.2f} | {far:,.0f} |")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1].startswith("--child-"):
        fn = child_build if sys.argv[1] == "--child-build" else child_load
        print(json.dumps(fn(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, action="append", help="multiple of the bundled chunk count (repeat)")
    ap.add_argument("--faiss", choices=["flat", "hnsw", "milvus"], action="append",
                    help="vector index: FAISS flat or HNSW, or the Milvus backend (repeat)")
    ap.add_argument("--label", default="after", help="row label, e.g. before / after (default: after)")
    ap.add_argument("--compare", type=Path, action="append", default=[], help="earlier results to add as rows")
    ap.add_argument("--model-sample", type=int, default=0, help="only measure the real model on N chunks")
    ap.add_argument("--table-only", action="store_true", help="print the table of --compare files, run nothing")
    ap.add_argument("--project", type=int, default=1_000_000, help="chunks to project to (default 1,000,000)")
    args = ap.parse_args()
    if args.model_sample:
        print(json.dumps(model_sample(args.model_sample)))
        return 0
    rows: list[dict[str, Any]] = []
    if not args.table_only:
        os.environ.setdefault("KGQA_LOG_LEVEL", "WARNING")
        rows = run(args.scale or [1, 10, 100], args.faiss or ["flat", "hnsw"], args.label)
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"scale-{args.label}.json"
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"rows written to {out.relative_to(REPO)}\n")
    for path in args.compare:
        rows += json.loads(path.read_text(encoding="utf-8"))
    print(table(rows))
    print()
    print(projection(rows, args.project, args.label))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
