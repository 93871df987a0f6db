"""The plain dense baseline as an HTTP service: what one would deploy instead of kgqa, for comparing the two.

The corpus is loaded as kgqa loads it (``load_corpus``: the same documents and text), split by langchain's
``RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)``, embedded with kgqa's own embedder loader
(``load_query_embedder``: the same model, prompts and query encoder as ``kgqa serve``) and searched exactly
(FAISS flat inner product); this is ``baselines.DenseBaseline``, as ``bench/eval.py`` measures it.
``POST /v1/ask`` with ``{"question": ...}`` answers with the top passages, nothing composed::

    python bench/baseline_server.py --port 8001
    python bench/baseline_server.py --fake              # hash embedder (kgqa.testing.FakeEmbedder): seconds
    curl -s localhost:8001/v1/ask -H 'content-type: application/json' -d '{"question": "什么是注意力机制？"}'

``GET /healthz`` says what is served. The model comes from ``KGQA_EMBEDDING_MODEL`` (default: kgqa's default).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from baselines import DenseBaseline  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from kgqa.config import Settings  # noqa: E402
from kgqa.index.embed import Embedder  # noqa: E402
from kgqa.types import Document  # noqa: E402

TOP_K = 5
log = logging.getLogger("baseline_server")


class Question(BaseModel):
    question: str = Field(min_length=1)


def create_app(docs: Sequence[Document], embedder: Embedder, k: int = TOP_K) -> FastAPI:
    """The app over a dense index of ``docs``, built here (every passage embedded once)."""
    started = time.perf_counter()
    dense = DenseBaseline(docs, embedder)
    build_seconds = round(time.perf_counter() - started, 2)
    texts = {doc.doc_id: doc.text for doc in docs}
    model = str(getattr(embedder, "model_id", type(embedder).__name__))
    app = FastAPI(title="dense-500 baseline")

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "documents": len(docs), "chunks": dense.size,
                "index": {"model": model, "dim": embedder.dim, "build_seconds": build_seconds}}

    # a plain function: FastAPI runs it in its thread pool, as kgqa runs its answers
    @app.post("/v1/ask")
    def ask(body: Question) -> dict[str, Any]:
        passages = []
        for rank, (i, score) in enumerate(dense.ranked(body.question, k), start=1):
            doc_id, start, end = dense.spans(i)[0]
            passages.append({"rank": rank, "score": round(score, 6), "doc_id": doc_id, "start": start,
                             "end": end, "text": texts[doc_id][start:end]})
        return {"question": body.question, "passages": passages}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "corpus", help="default: the bundled corpus/")
    parser.add_argument("--fake", action="store_true", help="kgqa.testing.FakeEmbedder instead of the model")
    args = parser.parse_args()

    import uvicorn

    from kgqa.index.models import FAKE_MODEL, load_query_embedder
    from kgqa.ingest.load import load_corpus

    settings = Settings(embedding_model=FAKE_MODEL) if args.fake else Settings()
    print(f"loading embedding model {settings.embedding_model} ...", file=sys.stderr, flush=True)
    embedder = load_query_embedder(settings, quiet_threads=False)  # one thread per question, as kgqa serve
    corpus = args.corpus.resolve()
    docs = load_corpus([corpus], corpus).documents
    app = create_app(docs, embedder)
    print(f"serving {len(docs)} documents on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
