"""``kgqa ask --url`` and ``kgqa search --url``: the same questions, sent to a running ``kgqa serve`` over HTTP.

Nothing is loaded locally (no index, no model): the server answers, and the CLI prints its JSON the way it
prints a local answer.
"""

from __future__ import annotations

from typing import Any

from kgqa.errors import KgqaError

# a cold server answers its first question in about a second; a long wait is a server that is busy re-indexing
TIMEOUT_SECONDS = 60.0


def post(url: str, path: str, body: dict[str, Any]) -> Any:
    """POST ``body`` as JSON to ``url + path``; the decoded reply, or a KgqaError that says what went wrong."""
    import httpx

    target = url.rstrip("/") + path
    try:
        response = httpx.post(target, json=body, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise KgqaError(f"cannot reach kgqa at {url} ({type(exc).__name__}: {exc}); start it with `kgqa serve`, "
                        "or point --url (KGQA_URL) at a running server.") from exc
    if response.status_code >= 400:
        raise KgqaError(f"{target} answered {response.status_code}: {_message(response)}")
    try:
        return response.json()
    except ValueError as exc:
        raise KgqaError(f"{target} did not answer JSON (is it a kgqa server?): {response.text[:120]!r}") from exc


def _message(response: Any) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200] or response.reason_phrase


def ask(url: str, question: str, history: list[Any] | None, k: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"question": question, "history": history or []}
    if k is not None:
        body["k"] = k
    reply: dict[str, Any] = post(url, "/v1/ask", body)
    return reply


def search(url: str, query: str, k: int) -> list[dict[str, Any]]:
    reply = post(url, "/v1/retrieve", {"query": query, "k": k})
    results: list[dict[str, Any]] = reply["results"]
    return results
