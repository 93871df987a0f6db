"""Request and response models of the HTTP API. Field names are a contract: clients are written against them.

>>> AskRequest(question="什么是 RoPE？").k is None
True
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

_UNUSABLE = re.compile("[\x00\ud800-\udfff]")


def checked_text(value: str) -> str:
    """The one check of every free-text field: no NUL character and no lone surrogate (half of a UTF-16
    pair, which JSON's ``\\ud83d`` escape can smuggle in and no encoder, tokenizer or store accepts).

    >>> checked_text("RoPE 是什么？😀")
    'RoPE 是什么？😀'
    >>> checked_text("a\\x00b")
    Traceback (most recent call last):
    ...
    ValueError: contains a NUL character at index 1; remove it
    """
    bad = _UNUSABLE.search(value)
    if bad is None:
        return value
    what = "a NUL character" if bad.group() == "\x00" else f"a lone surrogate U+{ord(bad.group()):04X}"
    fix = "remove it" if bad.group() == "\x00" else "send valid Unicode text (a whole emoji, not half)"
    raise ValueError(f"contains {what} at index {bad.start()}; {fix}")


# Blank strings are malformed input (422); over-long ones are "too large" (413), checked in the routes
# against Settings.max_question_chars, so the limit stays configurable.
def _checked_if_text(value: Any) -> Any:
    # runs before pydantic's own str handling, which refuses a surrogate without saying what it found
    return checked_text(value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_checked_if_text)]
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), BeforeValidator(_checked_if_text)]
MAX_K = 50
MAX_HISTORY = 50


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- health -------------------------------------------------------------------------------------


class IndexInfo(BaseModel):
    model: str
    dim: int
    built_at: str
    build_seconds: float
    generation: str
    counts: dict[str, int]


class ReindexStatus(BaseModel):
    running: bool
    pending: bool
    completed: int = Field(description="Re-indexes finished since the server started.")
    last_error: str | None


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    concepts: int
    index: IndexInfo
    reindex: ReindexStatus
    slack: str = Field(description='"on", or "off: ..." saying what to set.')


# --- retrieve -----------------------------------------------------------------------------------


class RetrieveRequest(Model):
    query: NonBlank
    k: int = Field(5, ge=1, le=MAX_K)


class RetrieveResult(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    start: int
    end: int
    score: float
    scores: dict[str, float] = Field(default_factory=dict, description="Per-channel scores (dense, bm25, question, "
                                     "graph) and the fused one, as `kgqa search --explain` shows them.")


class RetrieveResponse(BaseModel):
    results: list[RetrieveResult]


# --- ask ----------------------------------------------------------------------------------------


class Message(Model):
    role: Literal["user", "assistant"]
    content: Text


class AskRequest(Model):
    question: NonBlank
    history: list[Message] = Field(default_factory=list, max_length=MAX_HISTORY)
    k: int | None = Field(None, ge=1, le=MAX_K)


class CitationOut(BaseModel):
    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    score: float
    page: int = Field(0, description="PDF page or PPTX slide of the quote; 0 for formats without pages.")


class RelatedConceptOut(BaseModel):
    id: str
    label: str
    label_zh: str
    relation: str
    question: str


class AskResponse(BaseModel):
    answer: str
    citations: list[CitationOut]
    related_concepts: list[RelatedConceptOut]
    concepts: list[str]
    abstained: bool
    outcome: Literal["answer", "caveat", "refused", "chitchat"] = Field(
        "answer", description="answer; caveat: answered, but the question names what the knowledge base lacks "
        "(see missing); refused: no answer in the knowledge base; chitchat: a reply to a greeting or thanks.")
    missing: list[str] = Field(default_factory=list, description="Terms of the question the knowledge base lacks.")


# --- OpenAI-compatible chat ---------------------------------------------------------------------


class ChatMessage(BaseModel):
    # extra keys (name, tool_calls...) from chat front ends are accepted and ignored
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: Text | list[dict[str, Any]] | None = None

    @field_validator("content")
    @classmethod
    def _checked_parts(cls, content: str | list[dict[str, Any]] | None) -> str | list[dict[str, Any]] | None:
        for part in content if isinstance(content, list) else ():
            if isinstance(part.get("text"), str):
                checked_text(part["text"])
        return content


class ResponseFormat(BaseModel):
    type: Literal["text", "json_object", "json_schema"]


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatRequest(BaseModel):
    """OpenAI's chat request. Parameters kgqa cannot honour (``n`` > 1, a ``json_schema`` response format) are
    refused with a 400 naming them; sampling parameters (temperature, top_p...) are accepted and have no
    effect: the answer is deterministic."""

    model: Text = "kgqa"
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_HISTORY + 10)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, description="Cut the reply after the last whole sentence "
                                   "within this many tokens (finish_reason 'length').")
    max_completion_tokens: int | None = Field(None, ge=1, description="The newer name of max_tokens.")
    n: int | None = Field(None, ge=1, description="Only 1: the answer is deterministic.")
    stop: Text | list[Text] | None = Field(None, description="Up to 4 sequences; the reply ends before the first.")
    response_format: ResponseFormat | None = Field(
        None, description="text, or json_object: the content is the structured answer as JSON.")
    logprobs: bool | None = Field(None, description="Not available: kgqa's answer has no token probabilities.")
    tools: list[dict[str, Any]] | None = Field(None, description="Accepted; kgqa never calls a tool.")
    tool_choice: str | dict[str, Any] | None = Field(
        None, description="none or auto; a required or named tool is refused, as kgqa never calls one.")


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int
    message: ChatChoiceMessage
    finish_reason: Literal["stop", "length"]


class ChatUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage = Field(description="Tokens of the default embedding model's tokenizer (multilingual-e5-small).")
    kgqa: AskResponse | None = Field(
        None, description="The structured answer behind the text, with citations (absent for a front end's "
        "title, tags, follow-ups or search-query request).")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"]
    data: list[ModelCard]


# --- concepts and graph -------------------------------------------------------------------------


class ConceptSummary(BaseModel):
    id: str
    label: str
    label_zh: str
    aliases: list[str]
    degree: int


class EvidenceOut(BaseModel):
    quote: str
    doc_id: str
    chunk_id: str
    start: int
    end: int


class Neighbour(BaseModel):
    id: str
    label: str
    label_zh: str
    type: str = Field(
        description="Relation type, read from the concept to the neighbour when direction='out'."
    )
    direction: Literal["out", "in"]
    weight: float
    evidence: list[EvidenceOut]


class ConceptChunk(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    start: int
    end: int


class ConceptDetail(ConceptSummary):
    neighbours: list[Neighbour]
    chunks: list[ConceptChunk]


class GraphNode(BaseModel):
    id: str
    label: str
    label_zh: str
    degree: int


class GraphEdge(BaseModel):
    source: str
    target: str
    type: str
    weight: float
    evidence: list[EvidenceOut]


class Graph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class PathNode(BaseModel):
    id: str
    label: str
    label_zh: str


class PathEvidence(BaseModel):
    quote: str
    doc_id: str
    start: int
    end: int


class PathEdge(BaseModel):
    source: str
    target: str
    type: str
    evidence: PathEvidence | None


class Path(BaseModel):
    path: list[PathNode]
    edges: list[PathEdge]


# --- documents ----------------------------------------------------------------------------------


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    language: str
    source: str
    sha256: str
    chunks: int


class BlockOut(BaseModel):
    kind: Literal["heading", "paragraph", "list_item", "table", "code", "quote"]
    start: int
    end: int
    level: int = 0
    depth: int = 0
    page: int = 0
    rows: list[list[str]] = Field(default_factory=list)


class DocumentDetail(DocumentSummary):
    text: str
    format: str = Field("", description="The converter that made the text: md, txt, html, pdf, docx or pptx.")
    blocks: list[BlockOut] = Field(
        default_factory=list, description="The document's structure over ``text``: ``text[start:end]`` per block."
    )


class Overview(BaseModel):
    """What the knowledge base covers, for a page's title and example questions."""

    title: str
    topics: list[str]
    questions: dict[str, list[str]] = Field(description="Example questions it can answer, per language (zh, en).")


class DocumentChange(BaseModel):
    doc_id: str
    status: Literal["indexing"] = Field(
        description="The change is live once a re-index finishes; poll /healthz."
    )
    replaced: bool = False


# --- errors -------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    type: str
    message: str
    param: str | None = Field(None, description="The request field at fault (OpenAI-compatible routes).")
    code: str | None = Field(None, description="OpenAI's error code, e.g. model_not_found (OpenAI-compatible routes).")
    request_id: str | None = None
    suggestions: list[str] | None = None
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
