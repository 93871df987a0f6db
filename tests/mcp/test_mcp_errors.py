"""Every error the HTTP API answers for kgqa's own errors has the same type and message as a tool error."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from kgqa.apps.api.errors import KGQA_STATUS, ApiError
from kgqa.apps.api.schemas import RetrieveRequest
from kgqa.apps.mcp.tools import error_result
from kgqa.errors import ConceptNotFoundError, KgqaError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("cls,type_", [(cls, t) for cls, _, t in KGQA_STATUS], ids=lambda v: str(v))
def test_each_kgqa_error_keeps_the_apis_type_and_message(cls: type[KgqaError], type_: str) -> None:
    exc = cls("rope", ["rotary"]) if cls is ConceptNotFoundError else cls("the index is gone; run `kgqa ingest`")
    result = error_result(exc)
    assert result.is_error
    assert result.structured_content["error"]["type"] == type_
    assert result.structured_content["error"]["message"] == str(exc)
    assert json.loads(result.content[0].text) == result.structured_content


def test_suggestions_and_api_errors_come_along() -> None:
    unknown = error_result(ConceptNotFoundError("ropee", ["rope"])).structured_content["error"]
    assert unknown["suggestions"] == ["rope"]
    api = error_result(ApiError(404, "no_path", "not connected", suggestions=["softmax"])).structured_content
    assert api == {"error": {"type": "no_path", "message": "not connected", "suggestions": ["softmax"]}}


def test_a_rejected_request_model_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        RetrieveRequest(query="a\x00b")
    error = error_result(caught.value).structured_content["error"]
    assert error["type"] == "validation_error" and "query" in error["message"] and "NUL" in error["message"]
