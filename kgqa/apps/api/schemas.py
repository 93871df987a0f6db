"""Request and response models of the HTTP API. Field names are a contract: clients are written against them.

>>> AskRequest(question="什么是 RoPE？").k is None
True
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Blank strings are malformed input (422); over-long ones are "too large" (413), checked in the routes
# against Settings.max_question_chars, so the limit stays configurable.
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
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


class RetrieveResponse(BaseModel):
    results: list[RetrieveResult]


# --- ask ----------------------------------------------------------------------------------------


class Message(Model):
    role: Literal["user", "assistant"]
    content: str


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


# --- OpenAI-compatible chat ---------------------------------------------------------------------


class ChatMessage(BaseModel):
    # extra keys (name, tool_calls...) from chat front ends are accepted and ignored
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = "kgqa"
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_HISTORY + 10)
    stream: bool = False


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int
    message: ChatChoiceMessage
    finish_reason: Literal["stop"]


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
    usage: ChatUsage
    kgqa: AskResponse = Field(description="The structured answer behind the text, with citations.")


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


class DocumentDetail(DocumentSummary):
    text: str


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
    request_id: str | None = None
    suggestions: list[str] | None = None
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
