"""The relationships API: create or update by (type, from, to), delete, and refusals that name the field."""
from __future__ import annotations

from tests.test_api_auth import DOC, loaded, snapshot, token  # noqa: F401  (fixtures and helpers)

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j


def test_create_update_and_delete_an_edge(client, loaded):
    editor = token(loaded, "editor", "alice")
    edge = {"type": "ABOUT", "from": "census", "to": "housing"}
    assert client.post("/api/v1/edges", json=edge, headers=editor).status_code == 201
    assert edge in list(loaded.iter_edges())
    assert client.post("/api/v1/edges", json=edge, headers=editor).status_code == 201  # same triple: no second edge
    assert sum(1 for e in loaded.iter_edges() if e["type"] == "ABOUT") == 1
    gone = client.delete("/api/v1/edges?type=ABOUT&from=census&to=housing", headers=editor)
    assert gone.status_code == 200 and gone.json["edges_deleted"] == 1
    assert edge not in list(loaded.iter_edges())
    assert loaded.audit_entries(target="ABOUT:census->housing")[0]["actor"] == "token:alice"


def test_edge_properties_are_checked_by_the_model(client, loaded):
    editor = token(loaded, "editor")
    loaded_before = snapshot(loaded)
    response = client.post("/api/v1/edges", json={"type": "PRODUCES", "from": "ons", "to": "census",
                                                  "strength": 2}, headers=editor)
    assert response.status_code == 400
    assert response.json["errors"] == {"edge PRODUCES ons -> census": {
        "strength": ["unknown property; allowed here: source, verified"]}}
    wrong_end = client.post("/api/v1/edges", json={"type": "PRODUCES", "from": "ons", "to": "housing"},
                            headers=editor)
    assert wrong_end.status_code == 400
    assert wrong_end.json["errors"]["edge PRODUCES ons -> housing"]["to"] == [
        "a PRODUCES edge must end at a Statistic, not a Topic"]
    missing = client.post("/api/v1/edges", json={"type": "ABOUT", "from": "census", "to": "nowhere"}, headers=editor)
    assert missing.json["errors"]["edge ABOUT census -> nowhere"]["to"] == ["no record with id 'nowhere'"]
    assert snapshot(loaded) == loaded_before


def test_delete_missing_edge_is_404_and_bad_key_400(client, loaded):
    editor = token(loaded, "editor")
    before = snapshot(loaded)
    assert client.delete("/api/v1/edges?type=ABOUT&from=census&to=housing", headers=editor).status_code == 404
    bad = client.delete("/api/v1/edges?type=LIKES&from=census&to=housing", headers=editor)
    assert bad.status_code == 400 and "type" in bad.json["errors"]["query"]
    assert snapshot(loaded) == before
