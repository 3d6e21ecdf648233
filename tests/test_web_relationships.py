"""Editors add and remove a record's relationships from its page (issue 4)."""
from __future__ import annotations


import pytest

from graph import transfer
from graph.stores import Change
from registry.auth import hash_token, new_token, start_session
from registry.web.relationships import find_kind, kinds_for, prop_fields, props_from_form
from tests.web import csrf, sign_in
from tests.provenance import CITED

BOTH_STORES = True  # the pages here run on the embedded store and on Neo4j

XSS = "<img src=x onerror=alert(1)>"
DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department"},
    {"id": "ons-income", "label": "Producer", "name": "ONS household income team", "kind": "team"},
    {"id": "census", "label": "Statistic", "name": "Census 2021"},
    {"id": "renters", "label": "Public", "name": "People renting in Wales"},
    {"id": "shelter", "label": "Intermediary", "name": "Shelter Cymru", "kind": "civil_society"},
    {"id": "shelter-eng", "label": "Intermediary", "name": "Shelter England", "kind": "civil_society"},
    {"id": "xss", "label": "Intermediary", "name": XSS, "kind": "other"}],
    "edges": [{"type": "PRODUCES", "from": "ons", "to": "census"},
              {"type": "REACHES", "from": "shelter", "to": "renters", **CITED, "strength": 0.8, "trust": "high"}]}




@pytest.fixture
def web(app_store, client):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return client


def edges(store, node_id, type_):
    return [(e["from"], e["to"], {k: v for k, v in e.items() if k not in ("type", "from", "to")})
            for e in store.edges_of(node_id, "both", [type_])]


def test_kinds_come_from_the_model_in_both_directions():
    assert [k.key for k in kinds_for("Public")] == ["REACHES-in", "DESCRIBES-in", "INVOLVED-in", "RAISED_BY-in"]
    part_of = [k for k in kinds_for("Producer") if k.type == "PART_OF"]
    assert [(k.direction, k.phrase) for k in part_of] == [("out", "Part of"), ("in", "Teams and parts")]
    assert find_kind("Public", "PRODUCES-out") is None
    member = find_kind("Intermediary", "MEMBER_OF-out")
    assert find_kind("Public", "REACHES-in").other_words == "a trusted intermediary"
    assert member.other_words == "a user group or a trusted intermediary"
    assert member.edge("a", "b", {}) == {"type": "MEMBER_OF", "from": "a", "to": "b"}
    assert find_kind("Intermediary", "MEMBER_OF-in").edge("a", "b", {})["from"] == "b"
    assert [f.key for f in prop_fields("REACHES")] == ["strength", "trust", "role", "source", "verified"]
    assert "medium is assumed" in prop_fields("REACHES")[1].hint
    assert props_from_form("REACHES", {"strength": "0.6", "trust": "", "role": "serves"}) == \
        {"strength": 0.6, "role": "serves"}


def test_signing_in_is_needed_and_viewers_are_refused(web, app_store):
    response = web.get("/records/renters/relationships/new?kind=REACHES-in")
    assert response.status_code == 302
    assert response.headers["Location"] == \
        "/account/sign-in?next=/records/renters/relationships/new%3Fkind%3DREACHES-in"
    assert "Change relationships" not in web.get("/records/renters").get_data(as_text=True)
    assert web.post("/records/renters/relationships/new", data={"kind": "REACHES-in"}).status_code == 400  # CSRF
    sign_in(web, app_store)
    viewer = web.application.test_client()
    value = new_token()
    app_store.add_token("reader", "viewer", hash_token(value))
    with viewer.session_transaction() as s:
        s["token_hash"] = hash_token(value)
        with viewer.application.app_context():
            s["sid"] = start_session(s["token_hash"])
    assert viewer.get("/records/renters/relationships/new").status_code == 403


def test_record_page_lists_relationships_with_remove_and_add(web, app_store):
    sign_in(web, app_store)
    page = web.get("/records/renters").get_data(as_text=True)
    assert "Change relationships" in page and "<caption" in page
    assert 'href="/records/renters/relationships/remove?type=REACHES&amp;other=shelter&amp;direction=in"' in page
    assert "Strength: 0.8; Trust: high" in page
    assert 'href="/records/renters/relationships/new"' in page
    choose = web.get("/records/renters/relationships/new").get_data(as_text=True)
    assert "Reached by" in choose and "The other record is a trusted intermediary" in choose
    assert "Produces" not in choose  # a public cannot produce anything
    bad = web.get("/records/renters/relationships/new?kind=PRODUCES-out")
    assert bad.status_code == 400 and 'href="#kind">Select the kind of relationship' in bad.get_data(as_text=True)


def test_add_by_id_with_properties_writes_one_audited_edge(web, app_store):
    sign_in(web, app_store)
    form = web.get("/records/renters/relationships/new?kind=REACHES-in").get_data(as_text=True)
    assert 'id="strength"' in form and 'id="trust"' in form and '<option value="high">high</option>' in form
    token = csrf(web, "/records/renters/relationships/new?kind=REACHES-in")
    response = web.post("/records/renters/relationships/new", data={
        "csrf_token": token, "kind": "REACHES-in", "other": "shelter-eng", "strength": "0.4", "trust": "low",
        "role": "informs", **CITED})
    assert response.status_code == 302 and response.headers["Location"] == "/records/renters"
    assert ("shelter-eng", "renters", {"strength": 0.4, "trust": "low", "role": "informs", **CITED}) in \
        edges(app_store, "renters", "REACHES")
    entry = app_store.audit_entries(target="REACHES:shelter-eng->renters")[0]
    assert entry["actor"] == "token:alice" and entry["action"] == "web: link"
    assert "Relationship added" in web.get("/records/renters").get_data(as_text=True)


def test_add_by_name_outward_and_update_an_existing_one(web, app_store):
    sign_in(web, app_store)
    token = csrf(web, "/records/ons-income/relationships/new?kind=PART_OF-out")
    done = web.post("/records/ons-income/relationships/new", data={
        "csrf_token": token, "kind": "PART_OF-out", "other": "office for national statistics"})
    assert done.status_code == 302
    assert edges(app_store, "ons-income", "PART_OF") == [("ons-income", "ons", {})]
    again = web.post("/records/renters/relationships/new", data={
        "csrf_token": token, "kind": "REACHES-in", "other": "shelter", "strength": "0.9", **CITED})
    assert again.status_code == 302
    assert edges(app_store, "renters", "REACHES") == [("shelter", "renters", {"strength": 0.9, **CITED})]
    assert "Relationship updated" in web.get("/records/renters").get_data(as_text=True)


def test_several_matches_are_offered_as_a_choice(web, app_store):
    sign_in(web, app_store)
    token = csrf(web, "/records/renters/relationships/new?kind=REACHES-in")
    response = web.post("/records/renters/relationships/new", data={
        "csrf_token": token, "kind": "REACHES-in", "other": "shelter", **CITED})
    assert response.status_code == 302  # "shelter" is an id: no guessing needed
    app_store.apply(Change(delete_edges=[("REACHES", "shelter", "renters")], actor="test"))
    choice = web.post("/records/renters/relationships/new", data={
        "csrf_token": token, "kind": "REACHES-in", "other": "Shelter C"})
    page = choice.get_data(as_text=True)
    assert choice.status_code == 400 and "Which record do you mean?" in page
    assert 'value="shelter"' in page and 'value="shelter-eng"' in page
    assert "Office for National Statistics" not in page.split("Which record")[1]  # only intermediaries offered
    assert edges(app_store, "renters", "REACHES") == []
    picked = web.post("/records/renters/relationships/new", data={
        "csrf_token": token, "kind": "REACHES-in", "other": "Shelter C", "other_id": "shelter-eng", **CITED})
    assert picked.status_code == 302
    assert edges(app_store, "renters", "REACHES") == [("shelter-eng", "renters", CITED)]


def test_bad_input_is_named_in_the_error_summary_and_nothing_is_written(web, app_store):
    sign_in(web, app_store)
    token = csrf(web, "/records/renters/relationships/new?kind=REACHES-in")
    before = app_store.revision()

    def post(**data):
        response = web.post("/records/renters/relationships/new",
                            data={"csrf_token": token, "kind": "REACHES-in", **data})
        assert response.status_code == 400  # every form shown again with its errors answers 400
        return response.get_data(as_text=True)
    page = post(other="shelter-eng", strength="1.5", trust="total")
    assert "There is a problem" in page
    assert '<a href="#strength">Strength must be at most 1</a>' in page
    assert '<a href="#trust">Trust must be one of: low, medium, high</a>' in page
    assert 'value="shelter-eng"' in page  # what was typed stays
    assert '<a href="#other">Enter the registry id or name of a trusted intermediary</a>' in post(other="  ")
    assert "Office for National Statistics is a producer record; this relationship needs a trusted " \
           "intermediary" in post(other="ons")
    assert "No trusted intermediary matches ‘zzqx’" in post(other="zzqx")
    assert "There is no longer a record with id gone" in post(other="x", other_id="gone")
    itself = web.post("/records/ons/relationships/new", data={"csrf_token": token, "kind": "PART_OF-out",
                                                              "other": "ons"}).get_data(as_text=True)
    assert "a record cannot have a relationship with itself" in itself
    assert app_store.revision() == before


def test_remove_asks_then_removes(web, app_store):
    sign_in(web, app_store)
    url = "/records/renters/relationships/remove?type=REACHES&other=shelter&direction=in"
    confirm = web.get(url).get_data(as_text=True)
    assert "Are you sure you want to remove this relationship?" in confirm
    assert "Reached by" in confirm and "Shelter Cymru" in confirm and "Yes, remove it" in confirm
    assert edges(app_store, "renters", "REACHES")  # asking removes nothing
    assert web.post("/records/renters/relationships/remove",
                    data={"type": "REACHES", "other": "shelter", "direction": "in"}).status_code == 400  # CSRF
    token = csrf(web, url)
    done = web.post("/records/renters/relationships/remove", data={
        "csrf_token": token, "type": "REACHES", "other": "shelter", "direction": "in"})
    assert done.status_code == 302 and edges(app_store, "renters", "REACHES") == []
    assert app_store.audit_entries(target="REACHES:shelter->renters")[0]["action"] == "web: unlink"
    assert "Relationship removed" in web.get("/records/renters").get_data(as_text=True)
    gone = web.post("/records/renters/relationships/remove", data={
        "csrf_token": token, "type": "REACHES", "other": "shelter", "direction": "in"})
    assert gone.status_code == 302 and "not in the registry" in web.get("/records/renters").get_data(as_text=True)
    assert web.get("/records/renters/relationships/remove?type=NOPE&other=x&direction=in").status_code == 404
    assert web.get("/records/nobody/relationships/remove?type=REACHES&other=x&direction=in").status_code == 404


def test_names_with_markup_stay_text(web, app_store):
    app_store.apply(Change(put_edges=[{"type": "REACHES", "from": "xss", "to": "renters", **CITED}], actor="test"))
    sign_in(web, app_store)
    for path in ("/records/renters", "/records/renters/relationships/remove?type=REACHES&other=xss&direction=in"):
        page = web.get(path).get_data(as_text=True)
        assert "&lt;img src=x onerror=alert(1)&gt;" in page and XSS not in page, path
    token = csrf(web, "/records/renters/relationships/new?kind=REACHES-in")
    page = web.post("/records/renters/relationships/new", data={
        "csrf_token": token, "kind": "REACHES-in", "other": "onerror alert"}).get_data(as_text=True)
    assert XSS not in page
