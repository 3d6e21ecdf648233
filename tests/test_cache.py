"""Whole-registry answers are computed once per revision and recomputed after a write; a write
through one app server is seen by another at its next request."""
from __future__ import annotations

from graph import transfer
from graph.stores import Change

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "ONS"},
    {"id": "carers", "label": "Public", "name": "Unpaid carers"},
    {"id": "e1", "label": "Engagement", "name": "Carers' jury", "method": "citizens_jury", "start": "2026-10-01",
     "status": "held"}],
    "edges": [{"type": "RAN", "from": "ons", "to": "e1"}, {"type": "INVOLVED", "from": "e1", "to": "carers"}]}


def test_burden_api_is_computed_once_per_revision(app, app_store, client, monkeypatch):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    from graph import burden
    calls = []
    real = burden.burden_index
    monkeypatch.setattr(burden, "burden_index", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = client.get("/api/v1/burden?as_of=2026-11-01")
    again = client.get("/api/v1/burden?as_of=2026-11-01")
    assert first.status_code == 200 and first.get_json() == again.get_json() and len(calls) == 1
    assert client.get("/burden?as_of=2026-11-01").status_code == 200 and len(calls) == 1  # the dashboard shares it
    carers = next(p for p in first.get_json()["publics"] if p["id"] == "carers")
    assert carers["engagements"] == 1
    app_store.apply(Change(put_nodes=[{"id": "e2", "label": "Engagement", "name": "Carers' survey", "method": "survey",
                                       "start": "2026-10-15", "status": "held"}],
                           put_edges=[{"type": "INVOLVED", "from": "e2", "to": "carers"}]))
    after = client.get("/api/v1/burden?as_of=2026-11-01").get_json()
    assert len(calls) == 2
    assert next(p for p in after["publics"] if p["id"] == "carers")["engagements"] == 2
    other_day = client.get("/api/v1/burden?as_of=2026-11-02")
    assert other_day.status_code == 200 and len(calls) == 3


NEED = {"label": "Need", "status": "captured", "statement": "As a carer, I need local figures, so that I can plan"}


def test_needs_are_joined_up_once_per_revision_and_ranks_do_not_leak(app, app_store, client, monkeypatch):
    """The waiting list, each need's page and the API share one joined-up list per revision."""
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    app_store.apply(Change(put_nodes=[dict(NEED, id="n1", name="Local figures", priority=2),
                                      dict(NEED, id="n2", name="Monthly figures", priority=1)],
                           put_edges=[{"type": "OWNED_BY", "from": "n1", "to": "ons"},
                                      {"type": "OWNED_BY", "from": "n2", "to": "ons"}]))
    from graph import needs
    calls = []
    real = needs.joined_items
    monkeypatch.setattr(needs, "joined_items", lambda *a, **k: calls.append(1) or real(*a, **k))
    listed = client.get("/api/v1/needs").get_json()["needs"]
    assert [(n["id"], n["rank"]) for n in listed] == [("n2", 1), ("n1", 2)]
    assert client.get("/records/n1").status_code == 200 and client.get("/needs").status_code == 200
    only = client.get("/api/v1/needs?status=captured&producer=ons").get_json()["needs"]
    assert [(n["id"], n["rank"]) for n in only] == [("n2", 1), ("n1", 2)] and len(calls) == 1
    app_store.apply(Change(put_nodes=[dict(NEED, id="n3", name="Weekly figures", priority=1)],
                           put_edges=[{"type": "OWNED_BY", "from": "n3", "to": "ons"}]))
    after = client.get("/api/v1/needs").get_json()["needs"]
    assert len(calls) == 2 and [n["id"] for n in after] == ["n2", "n3", "n1"]


def test_a_write_through_one_app_server_is_seen_by_another_at_its_next_request(store_url):
    """Two app servers on one store (each its own store connection and read model): the one that
    writes takes its change at once; the other catches up from the change log at its next request."""
    from registry import create_app
    from registry.auth import hash_token, new_token
    from registry.store import store_for
    first, second = (create_app({"TESTING": True, "REGISTRY_STORE": store_url, "SECRET_KEY": "t"}) for _ in "12")
    try:
        token = new_token()
        store_for(first).add_token("admin", "admin", hash_token(token))
        auth = {"Authorization": f"Bearer {token}"}
        reader = second.test_client()
        assert reader.get("/api/v1/search?q=housing").get_json()["results"] == []
        model = store_for(second).read_model()
        before = model.latest()
        assert first.test_client().post("/api/v1/nodes", json={"id": "t1", "label": "Topic", "name": "Housing"},
                                        headers=auth).status_code == 201
        assert [h["id"] for h in reader.get("/api/v1/search?q=housing").get_json()["results"]] == ["t1"]
        assert reader.get("/records/t1").status_code == 200
        assert model.latest() is not before and model.latest().revision == store_for(second).revision()
        renamed = first.test_client().patch("/api/v1/nodes/t1", json={"name": "Homes"},
                                            headers={**auth, "If-Match": '"1"'})
        assert renamed.status_code == 200, renamed.get_json()
        assert [h["id"] for h in reader.get("/api/v1/search?q=homes").get_json()["results"]] == ["t1"]
        assert reader.get("/api/v1/search?q=housing").get_json()["results"] == []
        assert first.test_client().delete("/api/v1/nodes/t1", headers={**auth, "If-Match": '"2"'}).status_code == 204
        assert reader.get("/records/t1").status_code == 404
    finally:
        store_for(first).close()
        store_for(second).close()
