"""The records API: list, search, read, create, change, delete; ETags; one error envelope."""
from __future__ import annotations

import doctest

import pytest

from registry.api import docs as api_docs
from registry.api import nodes as api_nodes
from registry.api import schemas
from tests.test_api_auth import DOC, loaded, snapshot, token  # noqa: F401  (fixtures and helpers)

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j


@pytest.mark.parametrize("module", [schemas, api_nodes, api_docs])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_list_filter_and_page(client, loaded):
    everything = client.get("/api/v1/nodes").json
    assert everything["total"] == 3 and [n["label"] for n in everything["items"]] == ["Producer", "Statistic", "Topic"]
    topics = client.get("/api/v1/nodes?label=Topic").json
    assert topics["total"] == 1 and topics["items"][0]["id"] == "housing"
    page = client.get("/api/v1/nodes?limit=1&offset=1").json
    assert [n["id"] for n in page["items"]] == ["census"] and page["total"] == 3
    found = client.get("/api/v1/nodes?q=census").json
    assert [n["id"] for n in found["items"]] == ["census"]
    assert all(n["version"] == 1 for n in everything["items"])


@pytest.mark.parametrize("query,field", [("label=Ministry", "label"), ("limit=0", "limit"), ("offset=-1", "offset"),
                                         ("limit=many", "limit")])
def test_bad_query_is_400_naming_the_parameter(client, loaded, query, field):
    response = client.get("/api/v1/nodes?" + query)
    assert response.status_code == 400
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert field in response.json["errors"]["query"]


def test_get_one_with_etag_and_404_in_the_envelope(client, loaded):
    response = client.get("/api/v1/nodes/ons")
    assert response.json["name"] == "Office for National Statistics" and response.headers["ETag"] == '"1"'
    missing = client.get("/api/v1/nodes/nope")
    assert missing.status_code == 404
    assert missing.json == {"code": 404, "status": "Not Found", "message": "no record with id 'nope'", "errors": {}}


def test_create_then_duplicate_is_409(client, loaded):
    editor = token(loaded, "editor")
    body = {"id": "wales-homes", "label": "Public", "name": "People renting in Wales", "seldom_heard": True,
            "capacity": 8}
    created = client.post("/api/v1/nodes", json=body, headers=editor)
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    assert created.headers["Location"].endswith("/api/v1/nodes/wales-homes")
    assert loaded.get_node("wales-homes") == {**body, "version": 1}
    before = snapshot(loaded)
    again = client.post("/api/v1/nodes", json={**body, "name": "Other"}, headers=editor)
    assert again.status_code == 409 and "already exists" in again.json["message"]
    assert snapshot(loaded) == before


def test_create_reports_every_bad_field_and_unknown_properties(client, loaded):
    editor = token(loaded, "editor")
    before = snapshot(loaded)
    response = client.post("/api/v1/nodes", json={"id": "Bad Id", "label": "Engagement", "name": "Workshop",
                                                  "start": "18/01/2024", "colour": "red"}, headers=editor)
    assert response.status_code == 400
    fields = response.json["errors"]["node 'Bad Id'"]
    assert set(fields) == {"id", "start", "colour", "method"}
    assert fields["method"] == ["is required"] and fields["start"] == ["must be a date as YYYY-MM-DD"]
    assert fields["colour"][0].startswith("unknown property")
    not_json = client.post("/api/v1/nodes", data="{", content_type="application/json", headers=editor)
    assert not_json.status_code == 400 and set(not_json.json) == {"code", "status", "message", "errors"}
    assert snapshot(loaded) == before


def test_patch_merges_removes_with_null_and_moves_the_etag(client, loaded):
    editor = token(loaded, "editor", "alice")
    response = client.patch("/api/v1/nodes/ons", json={"contact": {"email": "info@ons.gov.uk"}, "kind": None},
                            headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    assert loaded.get_node("ons") == {"id": "ons", "label": "Producer", "name": "Office for National Statistics",
                                      "contact": {"email": "info@ons.gov.uk"}, "version": 2}


def test_patch_cannot_change_id_or_label(client, loaded):
    editor = token(loaded, "editor")
    before = snapshot(loaded)
    response = client.patch("/api/v1/nodes/ons", json={"label": "Topic"}, headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 400 and "label" in response.json["errors"]["node 'ons'"]
    assert snapshot(loaded) == before


def test_patch_and_delete_need_if_match(client, loaded):
    editor, admin = token(loaded, "editor"), token(loaded, "admin")
    before = snapshot(loaded)
    assert client.patch("/api/v1/nodes/ons", json={"name": "X"}, headers=editor).status_code == 428
    assert client.delete("/api/v1/nodes/housing", headers=admin).status_code == 428
    assert client.patch("/api/v1/nodes/ons", json={"name": "X"},
                        headers={**editor, "If-Match": "yesterday"}).status_code == 412
    assert client.delete("/api/v1/nodes/housing", headers={**admin, "If-Match": '"7"'}).status_code == 412
    assert client.patch("/api/v1/nodes/nope", json={"name": "X"},
                        headers={**editor, "If-Match": '"1"'}).status_code == 404
    assert snapshot(loaded) == before


def test_delete_with_relationships_needs_confirmation_and_lists_them(client, loaded):
    admin = token(loaded, "admin")
    before = snapshot(loaded)
    refused = client.delete("/api/v1/nodes/census", headers={**admin, "If-Match": '"1"'})
    assert refused.status_code == 409
    assert refused.json["errors"] == {"relationships": [{"type": "PRODUCES", "from": "ons", "to": "census"}]}
    assert snapshot(loaded) == before
    done = client.delete("/api/v1/nodes/census?confirm=true", headers={**admin, "If-Match": '"1"'})
    assert done.status_code == 204
    assert loaded.get_node("census") is None and list(loaded.iter_edges()) == []
    entry = loaded.audit_entries(target="census")[0]
    assert entry["action"] == "api: delete" and entry["before"]["name"] == "Census 2021" and entry["after"] is None


def test_openapi_describes_the_model(client):
    spec = client.get("/api/v1/openapi.json").json
    node = spec["components"]["schemas"]["Node"]
    assert node["required"] == ["id", "label", "name"]
    assert node["properties"]["priority"] == {"type": "integer", "minimum": 1, "maximum": 5,
                                              "description": node["properties"]["priority"]["description"]}
    assert "Engagement" in node["properties"]["method"]["description"]
    assert {"/api/v1/nodes", "/api/v1/nodes/{node_id}", "/api/v1/edges", "/api/v1/import", "/api/v1/tokens",
            "/api/v1/audit"} <= set(spec["paths"])


def test_unexpected_errors_are_500_in_the_envelope_without_a_trace(client, loaded, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(type(loaded), "list_nodes", broken)
    response = client.get("/api/v1/nodes")
    assert response.status_code == 500 and response.json["code"] == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_store_unavailable_is_503(client, loaded, monkeypatch):
    from graph.errors import StoreUnavailable

    def down(*args, **kwargs):
        raise StoreUnavailable("the registry database could not be read: disk I/O error")
    # a record is read from the read model once it has asked the store for its revision: the store is down for all
    for name in ("get_nodes", "revision", "stamps"):
        monkeypatch.setattr(type(loaded), name, down)
    response = client.get("/api/v1/nodes/ons")
    assert response.status_code == 503 and response.json["status"] == "Service Unavailable"


def test_docs_page_works_offline_and_shows_records_as_text(client, loaded):
    editor = token(loaded, "editor")
    xss = "<img src=x onerror=alert(1)>"
    assert client.post("/api/v1/nodes", json={"id": "xss", "label": "Topic", "name": xss},
                       headers=editor).status_code == 201
    page = client.get("/api/v1/docs?q=onerror").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and xss not in page
    assert "https://" not in "".join(l for l in page.splitlines() if "src=" in l or "<link" in l)
    for label in ("Producer", "Engagement", "Need"):
        assert f'id="label-{label}"' in page
