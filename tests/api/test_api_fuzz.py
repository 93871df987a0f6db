"""Requests generated from the served /openapi.json by schemathesis, valid and invalid: never a 500.

One test per operation; the operation list comes from the app's schema (no server needed to collect),
the cases from the live server's /openapi.json. Admin routes change the corpus; their auth and limits
have targeted tests in test_api_admin.py.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import LiveServer
from schemathesis import GenerationMode

from kgqa.apps.api import create_app
from kgqa.config import Settings

pytestmark = pytest.mark.integration

ADMIN = {("POST", "/v1/documents"), ("DELETE", "/v1/documents/{doc_id}")}
OPERATIONS = sorted(
    f"{method.upper()} {path}"
    for path, methods in create_app(Settings(_env_file=None)).openapi()["paths"].items()  # type: ignore[call-arg]
    for method in methods
    if (method.upper(), path) not in ADMIN
)


@pytest.fixture(scope="module")
def served_schema(live: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_server_errors(served_schema: schemathesis.BaseSchema, live: LiveServer, label: str) -> None:
    operation = served_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the served schema"
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases)
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=live.url, timeout=30)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
        )
        if response.status_code >= 400:
            assert response.json()["error"]["message"]

    check()
