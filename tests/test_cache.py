"""Whole-registry answers are computed once per revision and recomputed after a write."""
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


def test_the_app_rebuilds_the_whole_graph_in_the_background_after_a_write(store_url):
    import time

    from registry import create_app
    from registry.auth import hash_token, new_token
    from registry.store import store_for
    app = create_app({"TESTING": True, "WARM_GRAPH": True, "REGISTRY_STORE": store_url, "SECRET_KEY": "t"})
    store = store_for(app)
    try:
        token = new_token()
        store.add_token("warm-editor", "editor", hash_token(token))
        response = app.test_client().post("/api/v1/nodes", json={"id": "t1", "label": "Topic", "name": "Housing"},
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
        deadline = time.monotonic() + 30
        slot = app.extensions.setdefault("pathways.per_revision", {})
        while "burden_api" not in slot and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.cached_graph() is not None and "t1" in store.cached_graph()
        (revision, _as_of), _body = slot["burden_api"]
        assert revision == store.revision()  # today's burden answer is ready before anyone asks
    finally:
        store.close()
