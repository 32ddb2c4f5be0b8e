"""The OpenAPI document, exercised by schemathesis: no server error and no response that
breaks the schema, for every operation and a bounded number of generated requests."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine

from api.app import create_app
from tests.api.conftest import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The schema comes from the routes; the database and the request connection are set per test
# from the ``api`` fixture.
APP = create_app(create_engine("sqlite://"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_openapi_promises(case: Any, api: Api) -> None:
    APP.state.engine = api.client.app.state.engine  # type: ignore[attr-defined]
    APP.dependency_overrides = api.client.app.dependency_overrides  # type: ignore[attr-defined]
    case.call_and_validate(headers={"X-API-Key": api.keys["admin"]}, checks=CHECKS)


def test_create_app_declares_the_error_body() -> None:
    document = create_app(create_engine("sqlite://")).openapi()
    assert "ErrorBody" in document["components"]["schemas"]
    assert document["paths"]["/hospitals"]["get"]["responses"]["401"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
