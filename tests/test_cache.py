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
    # a change no need is next to keeps the joined-up list; renaming a need's owner does not
    app_store.apply(Change(put_nodes=[{"id": "renters", "label": "Public", "name": "Renters"}]))
    assert [n["id"] for n in client.get("/api/v1/needs").get_json()["needs"]] == ["n2", "n3", "n1"]
    assert len(calls) == 2
    app_store.apply(Change(put_nodes=[{"id": "ons", "label": "Producer", "name": "Office for National Statistics"}]))
    owners = {o["name"] for n in client.get("/api/v1/needs").get_json()["needs"] for o in n["owners"]}
    assert len(calls) == 3 and owners == {"Office for National Statistics"}


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


def test_a_producers_you_said_we_did_is_read_once_per_revision_and_follows_writes(app, app_store, client, monkeypatch):
    """Each producer's page filters the registry's one "you said, we did" list of the revision."""
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    app_store.apply(Change(put_nodes=[{"id": "dwp", "label": "Producer", "name": "DWP"},
                                      {"id": "e1", "label": "Engagement", "name": "Carers' jury",
                                       "method": "citizens_jury", "start": "2026-10-01", "status": "held",
                                       "you_said": "Publish local carers' figures"}]))
    from graph import feedback
    calls = []
    real = feedback.feedback_item
    monkeypatch.setattr(feedback, "feedback_item", lambda *a, **k: calls.append(1) or real(*a, **k))
    ons, dwp = client.get("/records/ons").get_data(as_text=True), client.get("/records/dwp").get_data(as_text=True)
    assert "Publish local carers" in ons and "Publish local carers" not in dwp and len(calls) == 1
    app_store.apply(Change(put_nodes=[{"id": "e2", "label": "Engagement", "name": "DWP panel", "method": "panel_meeting",
                                       "start": "2026-10-02", "status": "held", "we_did": "Added a carers table"}],
                           put_edges=[{"type": "RAN", "from": "dwp", "to": "e2"},
                                      {"type": "INVOLVED", "from": "e2", "to": "carers"}]))
    assert "Added a carers table" in client.get("/records/dwp").get_data(as_text=True)
    assert "Added a carers table" not in client.get("/records/ons").get_data(as_text=True) and len(calls) == 3


def test_the_records_word_search_is_answered_from_the_read_model_and_follows_writes(app, app_store, client):
    """``/api/v1/nodes?q=`` lists what the store's own word search lists, before and after writes."""
    transfer.import_document(app_store, transfer.document_from_data(DOC))

    def listed(q, **args):
        found = client.get("/api/v1/nodes", query_string={"q": q, **args}).get_json()
        return [n["id"] for n in found["items"]], found["total"]

    assert listed("carer") == (["e1", "carers"], 2)
    assert listed("carer", label="Public") == (["carers"], 1) and listed("carer", limit=1, offset=1) == (["carers"], 2)
    app_store.apply(Change(put_nodes=[{"id": "young", "label": "Public", "name": "Young carers", "tags": ["Jury"]}],
                           delete_nodes=["e1"]))
    assert listed("CARER") == (["young", "carers"], 2) and listed("jury") == (["young"], 1)
    for q in ("carer", "jury", "young car", "s"):
        assert sorted(listed(q)[0]) == sorted(n["id"] for n in app_store.search_text(q)), q
    assert client.get("/api/v1/nodes/young").get_json()["version"] == 1


BOX = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "ONS"},
    {"id": "s", "label": "Statistic", "name": "Carers' allowance"}, {"id": "t", "label": "Statistic", "name": "Care hours"},
    {"id": "carers", "label": "Public", "name": "Unpaid carers"}, {"id": "other", "label": "Public", "name": "Tenants"},
    {"id": "i", "label": "Intermediary", "name": "Carers Trust"}],
    "edges": [{"type": "PRODUCES", "from": "ons", "to": "s"}, {"type": "PRODUCES", "from": "ons", "to": "t"},
              {"type": "DESCRIBES", "from": "s", "to": "carers"}, {"type": "DESCRIBES", "from": "t", "to": "carers"},
              {"type": "REACHES", "from": "i", "to": "carers", "source": "https://example.org/carers", "verified": "2026-01-05"}]}


def test_a_publics_ranking_is_shared_by_box_1_and_gaps_and_kept_through_writes_it_did_not_read(
        app, app_store, client, monkeypatch):
    """Two statistics' Box 1, the producer's gaps and the public's page rank a public once; a write
    elsewhere in the registry keeps the ranking; a write to what it read (a new route to the public,
    an engagement through its intermediary) ranks it again, and the pages show the change."""
    transfer.import_document(app_store, transfer.document_from_data(BOX))
    from graph import discovery
    calls = []
    real = discovery.discover
    monkeypatch.setattr(discovery, "discover", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    for path in ("/records/s", "/records/t", "/records/ons", "/publics/carers", "/api/v1/statistics/s/publics"):
        assert client.get(path).status_code == 200, path
    assert calls.count("carers") == 1
    app_store.apply(Change(put_nodes=[{"id": "j", "label": "Intermediary", "name": "Tenants Voice"}],
                           put_edges=[{"type": "REACHES", "from": "j", "to": "other",
                                       "source": "https://example.org/tenants", "verified": "2026-01-05"}]))
    assert "Carers Trust" in client.get("/records/s").get_data(as_text=True) and calls.count("carers") == 1
    app_store.apply(Change(put_edges=[{"type": "REACHES", "from": "j", "to": "carers",
                                       "source": "https://example.org/tenants", "verified": "2026-01-05"}]))
    assert "Tenants Voice" in client.get("/records/s").get_data(as_text=True) and calls.count("carers") == 2
    app_store.apply(Change(put_nodes=[{"id": "e9", "label": "Engagement", "name": "Carers' panel", "method": "panel_meeting",
                                       "start": "2026-01-10", "status": "held"}],
                           put_edges=[{"type": "VIA", "from": "e9", "to": "i"}, {"type": "INVOLVED", "from": "e9", "to": "other"}]))
    client.get("/records/t")
    assert calls.count("carers") == 3  # its load of engagement may have moved


def test_todays_burden_coverage_is_kept_through_changes_to_other_records(app, app_store, client, monkeypatch):
    """What the burden figures rest on reads only engagements and who RAN them: a new public keeps
    it, a new engagement or a deleted record recomputes it."""
    import datetime as _dt
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    from graph import burden
    calls = []
    real = burden.coverage
    monkeypatch.setattr(burden, "coverage", lambda *a, **k: calls.append(1) or real(*a, **k))
    with app.test_request_context():
        from registry.coverage import coverage_for
        first = coverage_for()
        app_store.apply(Change(put_nodes=[{"id": "renters", "label": "Public", "name": "Renters"},
                                          {"id": "owners", "label": "Public", "name": "Owners"}]))
        from flask import g
        g.pop("pathways_caught_up", None)
        assert coverage_for() is first and len(calls) == 1
        today = _dt.date.today().isoformat()
        app_store.apply(Change(put_nodes=[{"id": "e9", "label": "Engagement", "name": "Renters' survey",
                                           "method": "survey", "start": today, "status": "held"}],
                               put_edges=[{"type": "RAN", "from": "ons", "to": "e9"},
                                          {"type": "INVOLVED", "from": "e9", "to": "renters"}]))
        g.pop("pathways_caught_up", None)
        assert coverage_for().engagements == first.engagements + 1 and len(calls) == 2
        app_store.apply(Change(delete_nodes=["owners"]))
        g.pop("pathways_caught_up", None)
        coverage_for()
        assert len(calls) == 3


def test_todays_feedback_debt_is_kept_through_changes_no_engagement_is_next_to(app, app_store, client, monkeypatch):
    """Each producer's page filters the registry's feedback debt of today: a new public alone keeps
    it; a change to a producer that RAN an engagement recomputes it."""
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    from graph import burden
    calls = []
    real = burden.feedback_debt
    monkeypatch.setattr(burden, "feedback_debt", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert client.get("/records/ons").status_code == 200 and len(calls) == 1
    app_store.apply(Change(put_nodes=[{"id": "renters", "label": "Public", "name": "Renters"}]))
    assert client.get("/records/ons").status_code == 200 and len(calls) == 1
    app_store.apply(Change(put_nodes=[{"id": "ons", "label": "Producer", "name": "Office for National Statistics"}]))
    assert client.get("/records/ons").status_code == 200 and len(calls) == 2


def test_a_publics_intermediaries_are_ranked_once_per_revision_and_reports(app, app_store, client, monkeypatch):
    """Its page, its record page and the API share one ranking until a write to what it read or a new route report."""
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    from graph import discovery
    calls = []
    real = discovery.discover
    monkeypatch.setattr(discovery, "discover", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    first = client.get("/api/v1/publics/carers/intermediaries")
    assert first.status_code == 200 and client.get("/publics/carers").status_code == 200
    assert client.get("/api/v1/publics/carers/intermediaries").get_json() == first.get_json()
    assert calls.count("carers") == 1
    app_store.add_report({"contact": "ons", "outcome": "wrong_details"})
    client.get("/api/v1/publics/carers/intermediaries")
    assert calls.count("carers") == 2
    app_store.apply(Change(put_nodes=[{"id": "t9", "label": "Topic", "name": "Another topic"}]))
    client.get("/api/v1/publics/carers/intermediaries")
    assert calls.count("carers") == 2  # a record it did not read
    app_store.apply(Change(put_nodes=[{"id": "carers", "label": "Public", "name": "Carers who are not paid"}]))
    assert client.get("/api/v1/publics/carers/intermediaries").get_json()["public"]["name"] == "Carers who are not paid"
    assert calls.count("carers") == 3
