"""The API authorises by Bearer token only: a signed-in browser's cookie never writes through it."""
from __future__ import annotations

from tests.web import sign_in


def test_a_signed_in_session_cannot_write_through_the_api(client, app_store):
    sign_in(client, app_store, role="admin")
    assert client.get("/account").status_code == 200, "the session works for pages"
    made = client.post("/api/v1/nodes", json={"id": "t1", "label": "Topic", "name": "T"})
    assert made.status_code == 401 and app_store.get_node("t1") is None
    token = client.post("/api/v1/tokens", json={"name": "stolen", "role": "admin"})
    assert token.status_code == 401
    assert [t["name"] for t in app_store.list_tokens()] == ["alice"]
    imported = client.post("/api/v1/import", json={"format": "pathways-graph", "version": 1,
                                                   "nodes": [{"id": "t2", "label": "Topic", "name": "T"}],
                                                   "edges": []})
    assert imported.status_code == 401 and app_store.get_node("t2") is None
