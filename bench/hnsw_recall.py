"""HNSW recall@10 against exact search, on real embeddings (multilingual-e5-small).

    python bench/hnsw_recall.py              # 30,000 passages, default sizes and efSearch
    python bench/hnsw_recall.py --passages 100000 --sizes 10000 30000 100000   # kgqa's 100k-chunk target
    python bench/hnsw_recall.py --passages 50000 --sizes 10000 50000 --ef 32 64 128
    python bench/hnsw_recall.py --embed-only             # only fill the embedding cache (resumable)

The scale benchmark (``bench/scale.py``) builds 100k chunks with the hash embedder, whose vectors are uniform
noise: HNSW recall on them says nothing about real text. This script embeds real passages with the real model
instead: the sentences (at least 20 characters) of every chunk kgqa makes of the Chinese man pages
(``bench/data/corpora/manpages-zh``), the GIMP manual, the Python tutorial and the bundled notes, in that
order of preference, then the rest of those two manuals' packages (the whole GIMP help tree and the Python
3.11 documentation), each distinct sentence once. Vectors go to ``bench/.work/hnsw/embeddings.sqlite`` (kgqa's
embedding cache) batch by batch, so an interrupted run resumes where it stopped.

Queries are real questions, embedded as queries: every question of the four dev sets (``bench/devset.yaml`` and
``bench/devsets/*.yaml``). For each size N (the first N passages) and each efSearch, it builds
``faiss.IndexHNSWFlat`` with kgqa's own parameters (``tuning.VECTORS``) and reports recall@10: the share of the
exact top 10 (``IndexFlatIP``) that HNSW returns, averaged over the questions, with its worst question and the
search time per query. Results go to ``bench/results/hnsw_recall.json``. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "hnsw"
CORPORA = [HERE / "data/corpora/manpages-zh/md", HERE / "data/corpora/gimp-zh/html",
           HERE / "data/corpora/pytutorial-en/html", REPO / "corpus"]
# Beyond 30,000 sentences: the rest of the two manuals whose packages bench/corpora/fetch.sh unpacks (the whole
# GIMP help tree, mostly English with Chinese navigation, and the Python 3.11 documentation), searched in full.
MORE = [HERE / "data/debs/gimp-help-zh-cn/usr/share/gimp/2.0/help/zh_CN",
        HERE / "data/debs/python3.11-doc/usr/share/doc/python3.11/html"]
MIN_CHARS = 20  # shorter sentences are mostly headings and list stubs, which a chunk index never holds alone


def passages(limit: int) -> Iterator[str]:
    """Distinct sentences of at least MIN_CHARS characters, corpus by corpus, at most ``limit``."""
    from kgqa.errors import EmptyDocumentError
    from kgqa.ingest.chunk import chunk_document
    from kgqa.ingest.load import load_document
    from kgqa.ingest.sentences import split_sentences

    seen: set[str] = set()
    files = [p for folder in CORPORA for p in sorted(folder.glob("*"))]
    files += [p for folder in MORE for p in sorted(folder.rglob("*"))]
    for path in (p for p in files if p.suffix in {".md", ".html"}):
        try:
            document = load_document(path)
        except EmptyDocumentError:  # an index page or a redirect: nothing to embed
            continue
        for chunk in chunk_document(document).chunks:
            for s in split_sentences(chunk):
                text = s.text.strip()
                if len(text) >= MIN_CHARS and text not in seen:
                    seen.add(text)
                    yield text
                    if len(seen) >= limit:
                        return


def questions() -> list[str]:
    files = [HERE / "devset.yaml", *sorted((HERE / "devsets").glob("*.yaml"))]
    out: list[str] = []
    for f in files:
        out += [str(item["question"]) for item in yaml.safe_load(f.read_text(encoding="utf-8"))["items"]]
    return out


def embed_all(texts: list[str]) -> np.ndarray:
    from kgqa.config import Settings
    from kgqa.index.models import load_embedder
    from kgqa.index.store import EmbeddingCache
    from kgqa.index.writer import embed_texts

    embedder = load_embedder(Settings())
    cache = EmbeddingCache(WORK / "embeddings.sqlite")
    try:
        return np.asarray(embed_texts(texts, embedder, cache, 64, _progress).vectors, dtype=np.float32)
    finally:
        cache.close()


def _progress(total: int) -> Any:
    from tqdm import tqdm

    bar = tqdm(total=total, desc="embedding passages", unit="text")
    return bar.update


def embed_questions(texts: list[str]) -> np.ndarray:
    from kgqa.config import Settings
    from kgqa.index.models import load_query_embedder

    return np.asarray(load_query_embedder(Settings()).embed(texts, kind="query"), dtype=np.float32)


def recall_rows(base: np.ndarray, queries: np.ndarray, sizes: list[int], efs: list[int], k: int = 10,
                ef_construction: int | None = None) -> list[dict[str, Any]]:
    import faiss

    from kgqa.tuning import VECTORS

    rows = []
    for n in sizes:
        data = np.ascontiguousarray(base[:n])
        exact = faiss.IndexFlatIP(data.shape[1])
        exact.add(data)
        _, truth = exact.search(queries, k)
        started = time.process_time()
        hnsw = faiss.IndexHNSWFlat(data.shape[1], VECTORS.hnsw_neighbours, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = ef_construction or VECTORS.hnsw_ef_construction
        hnsw.add(data)
        build_s = time.process_time() - started
        for ef in efs:
            hnsw.hnsw.efSearch = ef
            started = time.perf_counter()
            _, got = hnsw.search(queries, k)
            per_query_ms = (time.perf_counter() - started) * 1000 / len(queries)
            per = [len(set(t) & set(g)) / k for t, g in zip(truth.tolist(), got.tolist(), strict=True)]
            build_ef = hnsw.hnsw.efConstruction
            rows.append({"passages": n, "ef_construction": build_ef, "ef_search": ef,
                         "recall_at_10": round(float(np.mean(per)), 4), "worst_question": round(min(per), 2),
                         "below_0.9": sum(p < 0.9 for p in per),
                         "questions": len(per), "search_ms_per_query": round(per_query_ms, 3),
                         "build_cpu_s": round(build_s, 1)})
            print(f"{n:>7} passages  efConstruction {build_ef:>4}  efSearch {ef:>4}  "
                  f"recall@10 {rows[-1]['recall_at_10']:.4f}  "
                  f"worst {rows[-1]['worst_question']:.2f}  <0.9: {rows[-1]['below_0.9']:>3}/{len(per)}  "
                  f"{per_query_ms:.3f} ms/query  (build {build_s:.1f} CPU s)", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--passages", type=int, default=30000, help="how many distinct sentences to embed (default 30000)")
    ap.add_argument("--sizes", type=int, nargs="+", help="index sizes (default: 5k, 10k, ... up to --passages)")
    ap.add_argument("--ef", type=int, nargs="+", help="efSearch values (default: 32, kgqa's own, 128)")
    ap.add_argument("--ef-construction", type=int, nargs="+", help="build beams (default: kgqa's own)")
    ap.add_argument("--embed-only", action="store_true", help="fill the embedding cache and stop")
    args = ap.parse_args(argv)
    from kgqa.tuning import VECTORS

    texts = list(passages(args.passages))
    print(f"{len(texts)} distinct passages", flush=True)
    base = embed_all(texts)
    if args.embed_only:
        return 0
    sizes = args.sizes or sorted({*range(5000, len(texts) + 1, 5000), len(texts)})
    efs = args.ef or sorted({32, VECTORS.hnsw_ef_search, 128})
    queries = embed_questions(questions())
    rows = [row for ef_c in args.ef_construction or [VECTORS.hnsw_ef_construction]
            for row in recall_rows(base, queries, [n for n in sizes if n <= len(texts)], efs, ef_construction=ef_c)]
    out = HERE / "results" / "hnsw_recall.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "neighbours": VECTORS.hnsw_neighbours,
                               "ef_construction": VECTORS.hnsw_ef_construction}, indent=2), encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
