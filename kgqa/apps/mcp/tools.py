"""The MCP tools: the HTTP API's resources as typed tools, over the knowledge base the app already holds.

Each tool takes typed arguments and returns the same response model as its HTTP route (structured output, with
the model's JSON schema as the tool's output schema). An error the HTTP API would answer with
``{"error": {"type", "message"}}`` comes back as a tool error (``isError``) carrying that same body, as
structured content and as its JSON text:

>>> error_body(ConceptNotFoundError("zebra"))["type"]
'concept_not_found'
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from kgqa.apps.api import graph_json
from kgqa.apps.api.deps import check_ask, check_retrieve
from kgqa.apps.api.errors import KGQA_STATUS, ApiError
from kgqa.apps.api.routers import documents as documents_route
from kgqa.apps.api.schemas import (
    MAX_HISTORY,
    MAX_K,
    AskRequest,
    AskResponse,
    ConceptDetail,
    DocumentDetail,
    DocumentSummary,
    Message,
    NonBlank,
    Path,
    RetrieveRequest,
    RetrieveResponse,
    RetrieveResult,
)
from kgqa.config import Settings
from kgqa.errors import ConceptNotFoundError, KgqaError
from kgqa.pipeline import KnowledgeBase

T = TypeVar("T")
KBSource = Callable[[], KnowledgeBase]

INSTRUCTIONS = """Questions answered from an indexed knowledge base (Chinese and English), with sentence-level
citations. `ask` gives a cited answer; `search` ranked passages; `concept` and `path` read the concept graph;
`documents` lists the documents and `document` reads one. Every citation's quote is the document's text at
[start:end]. Errors carry {"error": {"type", "message"}}, as the HTTP API's do."""

# every tool only reads: clients may call them without asking the user first
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

ConceptName = Annotated[
    str, Field(min_length=1, max_length=200, description="Concept id or name, English or Chinese.")
]


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


def error_body(exc: Exception) -> dict[str, Any]:
    """The HTTP API's error object for ``exc`` (without the request id, which HTTP alone has)."""
    if isinstance(exc, ApiError):
        body: dict[str, Any] = {"type": exc.type, "message": exc.message, "suggestions": exc.suggestions}
    elif isinstance(exc, KgqaError):
        type_ = next(t for cls, _, t in KGQA_STATUS if isinstance(exc, cls))
        suggestions = exc.suggestions if isinstance(exc, ConceptNotFoundError) else None
        body = {"type": type_, "message": str(exc), "suggestions": suggestions}
    elif isinstance(exc, ValidationError):
        summary = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        body = {"type": "validation_error", "message": f"malformed arguments: {summary}."}
    else:
        raise TypeError(f"no API error for {type(exc).__name__}") from exc
    return {k: v for k, v in body.items() if v is not None}


def error_result(exc: Exception) -> CallToolResult:
    payload = {"error": error_body(exc)}
    text = json.dumps(payload, ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=payload, is_error=True)


def answering(fn: Callable[..., T]) -> Callable[..., T | CallToolResult]:
    """``fn`` with the API's errors turned into tool errors; its signature and docstring stay the tool's schema."""

    @functools.wraps(fn)
    def tool(*args: Any, **kwargs: Any) -> T | CallToolResult:
        try:
            return fn(*args, **kwargs)
        except (KgqaError, ApiError, ValidationError) as exc:
            return error_result(exc)

    return tool


class Tools:
    """The tools over ``kb()``: each call reads the knowledge base once, so a re-index never changes it mid-call."""

    def __init__(self, kb: KBSource, settings: Settings) -> None:
        self._kb = kb
        self._settings = settings

    def search(
        self,
        query: Annotated[NonBlank, Field(description="What to look for, in Chinese or English.")],
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many passages.")] = 5,
    ) -> RetrieveResponse:
        """Ranked passages for a query, best first, without composing an answer: each with its document
        (doc_id, title), section, text and its character span [start:end] in the document's text."""
        body = check_retrieve(RetrieveRequest(query=query, k=k), self._settings)
        kb = self._kb()
        hits = kb.retrieve(body.query, body.k)
        return RetrieveResponse(results=[RetrieveResult.model_validate(kb.hit_json(h)) for h in hits])

    def ask(
        self,
        question: Annotated[NonBlank, Field(description="The question, in Chinese or English.")],
        history: Annotated[
            list[Message], Field(max_length=MAX_HISTORY, description="Earlier turns, oldest first.")
        ] = [],  # noqa: B006 - the SDK reads the default into the schema; the list is never mutated
        k: Annotated[int | None, Field(ge=1, le=MAX_K, description="Passages per question part.")] = None,
    ) -> AskResponse:
        """A cited answer from the knowledge base. Each citation has the quote, its document (doc_id, title,
        section, page) and span [start:end] in the document's text; outcome is answer, caveat (answered, but
        `missing` names terms the knowledge base lacks), refused (no answer in it) or chitchat."""
        body = check_ask(AskRequest(question=question, history=history, k=k), self._settings)
        turns = [m.model_dump() for m in body.history]
        answer = self._kb().ask(body.question, turns or None, body.k)
        return AskResponse.model_validate(answer.to_dict())

    def concept(self, name: ConceptName) -> ConceptDetail:
        """One concept of the graph: its labels, aliases, neighbours (relation type, direction, weight and the
        sentences that state the relation) and the passages that mention it. An unknown name is a
        concept_not_found error with suggestions."""
        kb = self._kb()
        return graph_json.detail(kb, kb.graph.concept(name))

    def path(self, source: ConceptName, target: ConceptName) -> Path:
        """The shortest chain of relations from one concept to another, each hop with the sentence that
        states it (quote, doc_id, [start:end]). Unconnected concepts are a no_path error."""
        return graph_json.path(self._kb().graph, source, target)

    def documents(self) -> DocumentList:
        """The indexed documents: doc_id, title, language, source file, sha256 and chunk count."""
        return DocumentList(documents=documents_route.list_documents(self._kb()))

    def document(
        self, doc_id: Annotated[str, Field(min_length=1, max_length=300, description="From `documents`.")]
    ) -> DocumentDetail:
        """One document's full text (what citation spans index into) and its structure: blocks (heading,
        paragraph, list_item, table, code, quote) as [start:end] spans of the text, with PDF page or slide."""
        return documents_route.get_document(doc_id, self._kb())


def build_server(kb: KBSource, settings: Settings) -> MCPServer:
    """An MCP server whose tools answer from ``kb()`` (the app's :class:`KBHolder`.get: no second copy)."""
    # the SDK configures logging at WARNING only when the process has not configured it yet
    server: MCPServer = MCPServer("kgqa", version="0.1.0", instructions=INSTRUCTIONS, log_level="WARNING")
    tools = Tools(kb, settings)
    for fn in (tools.search, tools.ask, tools.concept, tools.path, tools.documents, tools.document):
        server.add_tool(answering(fn), annotations=READ_ONLY, structured_output=True)
    return server
