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
VIEWER_TOKEN = new_token()


def fuzz_app():
    import tempfile
    folder = tempfile.mkdtemp(prefix="pathways-fuzz-")
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{folder}/fuzz.db", "SECRET_KEY": "fuzz",
                      "RATELIMIT_WRITES_PER_MINUTE": 100_000, "RATELIMIT_SIGNIN_PER_MINUTE": 100_000})
    store = store_for(app)
    transfer.import_document(store, transfer.document_from_data(DOC))
    store.add_token("fuzzer", "admin", hash_token(ADMIN_TOKEN))
    store.add_token("reader", "viewer", hash_token(VIEWER_TOKEN))
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


def secured_operations():
    spec = APP.test_client().get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method, op in ops.items()
            if isinstance(op, dict) and op.get("security")]


@pytest.mark.parametrize("method, path", secured_operations())
def test_who_you_are_is_checked_before_what_you_sent(method, path):
    """Authentication before validation: nonsense from no one is a 401, from a viewer a 403 — never a 400
    that tells an anonymous caller how to shape a write."""
    url = path.replace("{node_id}", "census").replace("{need_id}", "nope").replace("{name}", "x") + "?as_of=bad&limit=-1"
    client = APP.test_client()
    for headers, status in (({}, 401), ({"Authorization": f"Bearer {VIEWER_TOKEN}"}, 403)):
        response = client.open(url, method=method, data="{not json", content_type="application/json", headers=headers)
        assert response.status_code == status, (method, path, response.get_json())
        assert response.get_json()["code"] == status
    assert len(secured_operations()) >= 12
