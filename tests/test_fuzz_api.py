"""Fuzz the API from its own OpenAPI document, in-process: no 5xx, and every answer as the spec says.

schemathesis generates requests for every operation (with an admin token, so the
writes get past the role check into validation and the store). Each answer must not
be a server error and must match the documented status codes, content types,
headers and schemas. The example count is kept small so it runs in well under a minute.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from graph import transfer
from registry import create_app
from registry.auth import hash_token, new_token
from registry.store import store_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department",
     "contact": {"email": "info@ons.gov.uk"}, "verified": "2025-01-01", "tags": ["ONS"]},
    {"id": "census", "label": "Statistic", "name": "Census 2021", "status": "accredited_official"},
    {"id": "renters", "label": "Public", "name": "Renters", "capacity": 8, "seldom_heard": True}],
    "edges": [{"type": "PRODUCES", "from": "ons", "to": "census"}]}
ADMIN_TOKEN = new_token()


def fuzz_app():
    import tempfile
    folder = tempfile.mkdtemp(prefix="pathways-fuzz-")
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{folder}/fuzz.db", "SECRET_KEY": "fuzz",
                      "RATELIMIT_WRITES_PER_MINUTE": 100_000, "RATELIMIT_SIGNIN_PER_MINUTE": 100_000})
    store = store_for(app)
    transfer.import_document(store, transfer.document_from_data(DOC))
    store.add_token("fuzzer", "admin", hash_token(ADMIN_TOKEN))
    return app


APP = fuzz_app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_answers_as_documented(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, checks=CHECKS)


def test_the_fuzzer_reached_the_store():
    """Not a vacuous run: the operations above exist and the spec is the app's own."""
    operations = {(op.method.upper(), op.path) for op in (r.ok() for r in schema.get_all_operations())}
    assert {("GET", "/api/v1/nodes"), ("POST", "/api/v1/nodes"), ("PATCH", "/api/v1/nodes/{node_id}"),
            ("DELETE", "/api/v1/nodes/{node_id}"), ("POST", "/api/v1/edges"), ("POST", "/api/v1/import")} <= operations
