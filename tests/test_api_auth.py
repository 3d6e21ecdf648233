"""Roles and tokens on the API: who may write, and that a refused write changes nothing."""
from __future__ import annotations

import pytest

from graph import transfer
from registry.auth import hash_token, new_token

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department"},
    {"id": "census", "label": "Statistic", "name": "Census 2021", "status": "accredited_official"},
    {"id": "housing", "label": "Topic", "name": "Housing"}],
    "edges": [{"type": "PRODUCES", "from": "ons", "to": "census"}]}


def token(store, role: str, name: str | None = None) -> dict:
    value = new_token()
    store.add_token(name or f"{role}-token", role, hash_token(value))
    return {"Authorization": f"Bearer {value}"}


def snapshot(store) -> tuple:
    """Everything a write could change: records with versions, relationships, the revision and the audit trail."""
    return (sorted(map(repr, store.list_nodes(limit=1000))), list(store.iter_edges()), store.revision(),
            len(store.audit_entries(limit=1000)))


@pytest.fixture
def loaded(app_store):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return app_store


WRITES = [
    ("post", "/api/v1/nodes", {"id": "new-topic", "label": "Topic", "name": "New"}, {}),
    ("patch", "/api/v1/nodes/ons", {"name": "ONS"}, {"If-Match": '"1"'}),
    ("delete", "/api/v1/nodes/housing", None, {"If-Match": '"1"'}),
    ("post", "/api/v1/edges", {"type": "ABOUT", "from": "census", "to": "housing"}, {}),
    ("delete", "/api/v1/edges?type=PRODUCES&from=ons&to=census", None, {}),
    ("post", "/api/v1/import", DOC, {}),
]


@pytest.mark.parametrize("method,url,body,headers", WRITES, ids=[f"{m} {u}" for m, u, _, _ in WRITES])
def test_write_without_token_is_401_and_changes_nothing(client, loaded, method, url, body, headers):
    before = snapshot(loaded)
    response = getattr(client, method)(url, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert set(response.json) == {"code", "status", "message", "errors"} and response.json["code"] == 401
    assert snapshot(loaded) == before


@pytest.mark.parametrize("method,url,body,headers", WRITES, ids=[f"{m} {u}" for m, u, _, _ in WRITES])
def test_write_with_viewer_token_is_403_and_changes_nothing(client, loaded, method, url, body, headers):
    viewer = token(loaded, "viewer")
    before = snapshot(loaded)
    response = getattr(client, method)(url, json=body, headers={**headers, **viewer})
    assert response.status_code == 403
    assert "viewer" in response.json["message"]
    assert snapshot(loaded) == before


def test_editor_cannot_delete_records_or_import_but_admin_can(client, loaded):
    editor, admin = token(loaded, "editor"), token(loaded, "admin")
    before = snapshot(loaded)
    assert client.delete("/api/v1/nodes/housing", headers={**editor, "If-Match": '"1"'}).status_code == 403
    assert client.post("/api/v1/import", json=DOC, headers=editor).status_code == 403
    assert client.get("/api/v1/tokens", headers=editor).status_code == 403
    assert snapshot(loaded) == before
    assert client.delete("/api/v1/nodes/housing", headers={**admin, "If-Match": '"1"'}).status_code == 204
    assert loaded.get_node("housing") is None


def test_unknown_revoked_and_malformed_tokens_are_401(client, loaded):
    editor = token(loaded, "editor", "alice")
    before = snapshot(loaded)
    body = {"id": "t1", "label": "Topic", "name": "T"}
    assert client.post("/api/v1/nodes", json=body, headers={"Authorization": "Bearer pw_nope"}).status_code == 401
    assert client.post("/api/v1/nodes", json=body, headers={"Authorization": "Basic abc"}).status_code == 401
    loaded.revoke_token("alice")
    response = client.post("/api/v1/nodes", json=body, headers=editor)
    assert response.status_code == 401 and "revoked" in response.json["message"]
    assert snapshot(loaded) == before


def test_stale_etag_is_412_and_changes_nothing(client, loaded):
    editor = token(loaded, "editor")
    first = client.get("/api/v1/nodes/ons")
    assert first.headers["ETag"] == '"1"'
    assert client.patch("/api/v1/nodes/ons", json={"name": "ONS"},
                        headers={**editor, "If-Match": first.headers["ETag"]}).status_code == 200
    before = snapshot(loaded)
    stale = client.patch("/api/v1/nodes/ons", json={"name": "Someone else's change"},
                         headers={**editor, "If-Match": first.headers["ETag"]})
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json["message"]
    assert snapshot(loaded) == before
    assert loaded.get_node("ons")["name"] == "ONS"


def test_bad_field_is_400_naming_the_field_and_changes_nothing(client, loaded):
    editor = token(loaded, "editor")
    before = snapshot(loaded)
    response = client.patch("/api/v1/nodes/ons", json={"kind": "ministry"}, headers={**editor, "If-Match": '"1"'})
    assert response.status_code == 400
    assert response.json["errors"] == {"node 'ons'": {"kind": [
        "must be one of: department, devolved_government, agency, public_body, team"]}}
    created = client.post("/api/v1/nodes", json={"id": "p1", "label": "Public", "name": "P", "capacity": -1},
                          headers=editor)
    assert created.status_code == 400 and created.json["errors"] == {"node 'p1'": {"capacity": ["must be at least 0"]}}
    assert snapshot(loaded) == before


def test_writes_are_rate_limited_per_token(tmp_path):
    from registry import create_app
    from registry.store import store_for
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "x",
                      "RATELIMIT_WRITES_PER_MINUTE": 3})
    store = store_for(app)
    editor, other = token(store, "editor", "a"), token(store, "editor", "b")
    client = app.test_client()
    codes = [client.post("/api/v1/nodes", json={"id": f"t{i}", "label": "Topic", "name": f"T{i}"},
                         headers=editor).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    limited = client.post("/api/v1/nodes", json={"id": "t9", "label": "Topic", "name": "T9"}, headers=editor)
    assert limited.json["code"] == 429 and int(limited.headers["Retry-After"]) >= 1
    assert store.get_node("t3") is None and store.get_node("t9") is None
    assert client.post("/api/v1/nodes", json={"id": "t5", "label": "Topic", "name": "T5"},
                       headers=other).status_code == 201


def test_a_bad_rate_limit_storage_is_refused_at_start(tmp_path):
    from registry import create_app
    with pytest.raises(ValueError, match="RATELIMIT_STORAGE_URI 'nowhere://x' cannot be used"):
        create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "x",
                    "RATELIMIT_STORAGE_URI": "nowhere://x"})


def test_tokens_are_created_once_listed_without_secret_and_revoked(client, app_store):
    admin = token(app_store, "admin", "root")
    made = client.post("/api/v1/tokens", json={"name": "service-x", "role": "editor"}, headers=admin)
    assert made.status_code == 201 and made.json["token"].startswith("pw_")
    listed = client.get("/api/v1/tokens", headers=admin).json
    assert {t["name"] for t in listed} == {"root", "service-x"}
    assert all("token" not in t and "hash" not in t for t in listed)
    new = {"Authorization": f"Bearer {made.json['token']}"}
    assert client.post("/api/v1/nodes", json={"id": "x", "label": "Topic", "name": "X"}, headers=new).status_code == 201
    assert client.post("/api/v1/tokens", json={"name": "service-x", "role": "editor"}, headers=admin).status_code == 409
    assert client.delete("/api/v1/tokens/service-x", headers=admin).status_code == 204
    assert client.delete("/api/v1/tokens/service-x", headers=admin).status_code == 409
    assert client.delete("/api/v1/tokens/nobody", headers=admin).status_code == 404
    assert client.post("/api/v1/nodes", json={"id": "y", "label": "Topic", "name": "Y"}, headers=new).status_code == 401


def test_audit_api_records_who_when_and_before_after(client, loaded):
    editor, admin = token(loaded, "editor", "alice"), token(loaded, "admin", "root")
    assert client.patch("/api/v1/nodes/ons", json={"name": "ONS"}, headers={**editor, "If-Match": '"1"'}).status_code == 200
    assert client.get("/api/v1/audit", headers=editor).status_code == 403
    entries = client.get("/api/v1/audit?target=ons", headers=admin).json
    assert entries[0]["actor"] == "token:alice" and entries[0]["at"]
    assert entries[0]["before"]["name"] == "Office for National Statistics"
    assert entries[0]["after"]["name"] == "ONS"
