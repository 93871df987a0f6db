"""Every error leaves the API as JSON ``{"error": {"type", "message", ...}}`` with a 4xx status when the
client can fix it. User input never reaches the catch-all 500 handler; it exists for our own bugs.

On the OpenAI-compatible routes (``/v1/chat/...``, ``/v1/models``) the body is also OpenAI's: it always has
``param`` and ``code`` (null when they do not apply), so the ``openai`` client and chat front ends read it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kgqa.apps.api.middleware import HEADER, BodyTooLarge, current_request_id, is_openai_path
from kgqa.errors import (
    BudgetExceededError,
    ConceptNotFoundError,
    ConfigError,
    CorpusError,
    EmptyDocumentError,
    IndexError_,
    InputError,
    KgqaError,
    ModelError,
    UnreadableFileError,
    UnsupportedFormatError,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP-level error raised by the API layer itself (auth, sizes, conflicts)."""

    def __init__(
        self,
        status: int,
        type: str,
        message: str,
        headers: dict[str, str] | None = None,
        suggestions: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.type, self.message, self.headers = status, type, message, headers
        self.suggestions = suggestions


class OpenAIError(ApiError):
    """An error of the OpenAI-compatible routes, in OpenAI's terms: ``type`` (invalid_request_error...),
    the ``param`` at fault and a ``code`` (model_not_found, unsupported_value...)."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None,
        type: str = "invalid_request_error", headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, type, message, headers)
        self.param, self.code = param, code


def too_large(what: str, size: int, limit: int, unit: str, setting: str) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"{what} is {size} {unit}, over the limit of {limit}; "
        f"make it smaller (the server's limit is set by {setting}).",
    )


# most specific first: the first isinstance match wins
KGQA_STATUS: list[tuple[type[KgqaError], int, str]] = [
    (ConceptNotFoundError, 404, "concept_not_found"),
    (InputError, 422, "invalid_input"),
    (UnsupportedFormatError, 415, "unsupported_format"),
    (UnreadableFileError, 422, "unreadable_file"),
    (EmptyDocumentError, 422, "empty_document"),
    (CorpusError, 409, "corpus_error"),
    (IndexError_, 503, "index_unavailable"),
    (ModelError, 503, "model_unavailable"),
    (ConfigError, 500, "config_error"),
    (BudgetExceededError, 504, "timeout"),
    (KgqaError, 400, "kgqa_error"),
]

UNPARSABLE_BODY = "There was an error parsing the body"
HTTP_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def error_response(
    request: Request,
    status: int,
    type: str,
    message: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    rid = current_request_id(request)
    body: dict[str, Any] = {"type": type, "message": message, "request_id": rid}
    body.update({k: v for k, v in extra.items() if v is not None})
    if is_openai_path(request.url.path):
        body.setdefault("param", None)
        body.setdefault("code", None)
    headers = {**(headers or {}), **({HEADER: rid} if rid else {})}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    details = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]
    summary = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg', '')}" for e in errors[:5])
    return error_response(
        request,
        422,
        "validation_error",
        f"malformed request: {summary}. See /docs for the schema.",
        details=details,
    )


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    if isinstance(exc, OpenAIError):
        return error_response(request, exc.status, exc.type, exc.message, exc.headers, param=exc.param,
                              code=exc.code)
    return error_response(
        request, exc.status, exc.type, exc.message, exc.headers, suggestions=exc.suggestions
    )


async def _body_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return error_response(
        request,
        413,
        "too_large",
        f"{exc}; send a smaller body (the server's limit is KGQA_MAX_UPLOAD_BYTES).",
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.method} {request.url.path}; see /docs for the API."
    if isinstance(exc.__cause__, BodyTooLarge):  # FastAPI wraps errors raised while it reads the body
        return await _body_too_large(request, exc.__cause__)
    if exc.status_code == 400 and message == UNPARSABLE_BODY:  # FastAPI's words for a body that is not JSON
        return error_response(
            request,
            422,
            "validation_error",
            "malformed request: the body could not be parsed; "
            "send UTF-8 JSON with Content-Type: application/json.",
        )
    return error_response(
        request,
        exc.status_code,
        HTTP_TYPES.get(exc.status_code, "http_error"),
        message,
        dict(exc.headers) if exc.headers else None,
    )


async def _kgqa(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KgqaError)
    status, type_ = next((s, t) for cls, s, t in KGQA_STATUS if isinstance(exc, cls))
    suggestions = exc.suggestions if isinstance(exc, ConceptNotFoundError) else None
    if status >= 500:
        log.error("server-side kgqa error: %s", exc)
    return error_response(request, status, type_, str(exc), suggestions=suggestions)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request,
        500,
        "internal_error",
        f"internal error ({type(exc).__name__}); please report it with the request id.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(KgqaError, _kgqa)
    app.add_exception_handler(Exception, _unexpected)
