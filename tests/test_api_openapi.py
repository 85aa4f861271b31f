"""The OpenAPI document against the running app: schemathesis generates requests for every
documented operation and checks status codes, content types and response schemas."""

import os

import httpx
import pytest
from hypothesis import HealthCheck, settings

from paragraf_se.search_api.openapi import OPENAPI
from tests.webdemo import serve_demo

try:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("the OpenAPI check needs schemathesis (pip install schemathesis)",
                allow_module_level=True)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
schema = schemathesis.openapi.from_dict(OPENAPI)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with serve_demo(tmp_path_factory) as url:
        yield url


def test_served_document_is_the_module_document(base_url):
    served = httpx.get(base_url + "/openapi.json").json()
    assert served == OPENAPI
    assert served["openapi"].startswith("3.1")
    documented = set(served["paths"])
    assert {"/api/search", "/api/paragraphs/{id}", "/api/meetings/{org}/{body}/{date}",
            "/api/bodies", "/api/export", "/feed.atom"} <= documented


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case, base_url):
    case.call_and_validate(base_url=base_url, checks=CHECKS)
