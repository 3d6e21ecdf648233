"""The burden API, CLI, dashboard, check form, record-page section and the engagement editor."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from graph.stores import Change
from registry.auth import hash_token, start_session
from tests.provenance import CITED

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

XSS = "<script>alert(1)</script>"
NODES = [
    {"id": "carers", "label": "Public", "name": "Young carers " + XSS, "capacity": 5, "rest_until": "2099-01-01"},
    {"id": "renters", "label": "Public", "name": "Private renters"},
    {"id": "trust", "label": "Intermediary", "name": "Carers Trust", "volunteer_led": True},
    {"id": "calm", "label": "Intermediary", "name": "Quiet charity"},
    {"id": "ons", "label": "Producer", "name": "ONS"},
    {"id": "dwp", "label": "Producer", "name": "DWP"},
    {"id": "caring", "label": "Topic", "name": "Caring"},
    {"id": "jury", "label": "Engagement", "name": "Carers jury", "method": "citizens_jury", "start": "2024-01-01",
     "status": "reported", "feedback_published": "2024-02-01", "feedback_url": "https://example.org/findings"},
    {"id": "quiet", "label": "Engagement", "name": "Silent survey", "method": "survey", "start": "2024-01-10",
     "status": "held"},
    {"id": "dwp-plan", "label": "Engagement", "name": "DWP carers panel", "method": "panel_meeting",
     "start": "2024-03-10", "status": "planned"},
]
EDGES = [
    {"type": "INVOLVED", "from": "jury", "to": "carers"}, {"type": "INVOLVED", "from": "quiet", "to": "carers"},
    {"type": "INVOLVED", "from": "dwp-plan", "to": "carers"}, {"type": "VIA", "from": "jury", "to": "trust"},
    {"type": "RAN", "from": "ons", "to": "jury"}, {"type": "RAN", "from": "dwp", "to": "quiet"},
    {"type": "RAN", "from": "dwp", "to": "dwp-plan"}, {"type": "ON", "from": "jury", "to": "caring"},
    {"type": "REACHES", "from": "trust", "to": "carers", **CITED}, {"type": "REACHES", "from": "calm", "to": "carers", **CITED},
]
DRAFT = {"method": "workshop", "start": "2024-03-01", "publics": ["carers"], "intermediaries": ["trust"],
         "on": ["caring"], "producer": "ons"}


@pytest.fixture
def loaded(app_store):
    app_store.apply(Change(put_nodes=[dict(n) for n in NODES], put_edges=[dict(e) for e in EDGES]))
    return app_store


def csrf(client) -> str:
    with client.session_transaction() as session:
        session["csrf_token"] = "t0ken"
    return "t0ken"


def sign_in(client, store, role="editor"):
    store.add_token(f"{role}-1", role, hash_token(f"secret-{role}"))
    with client.session_transaction() as session:
        session["token_hash"] = hash_token(f"secret-{role}")
        with client.application.app_context():
            session["sid"] = start_session(session["token_hash"])
        session["csrf_token"] = "t0ken"


# -- API ----------------------------------------------------------------------------

def test_api_index_explains_each_number(client, loaded):
    body = client.get("/api/v1/burden?as_of=2024-03-01").get_json()
    assert body["as_of"] == "2024-03-01" and body["window_days"] == 365
    top = body["publics"][0]
    assert top["id"] == "carers" and top["status"] == "over" and top["engagements"] == 2 and top["producers"] == 2
    assert round(sum(c["units"] for c in top["contributions"]), 3) == top["units"]
    assert top["ratio"] == round(top["units"] / 5, 3)
    trust = next(i for i in body["intermediaries"] if i["id"] == "trust")
    assert trust["capacity"] == 6 and [c["engagement"] for c in trust["contributions"]] == ["jury"]


def test_api_index_body_is_the_schemas_json_of_the_whole_index(app, client, loaded):
    """Written score by score into bytes, the answer is still exactly the one-shot dump of the index."""
    from registry.api.burden import BurdenIndexSchema, score_json
    from registry.cache import burden_index
    from registry.coverage import coverage_for
    day = dt.date(2024, 3, 1)
    body = client.get("/api/v1/burden?as_of=2024-03-01").get_data()
    with app.test_request_context():
        index = burden_index(day)
        plain = json.dumps(BurdenIndexSchema().dump({
            "as_of": index.as_of.isoformat(), "window_days": index.window_days,
            "coverage": coverage_for(day).as_dict(), "publics": [score_json(s) for s in index.publics],
            "intermediaries": [score_json(s) for s in index.intermediaries]}), ensure_ascii=False)
    assert len(index.publics) == 2 and index.publics[0].engagements  # something to write out
    assert body == plain.encode("utf-8")
    assert client.get("/burden?as_of=2024-03-01&format=json").get_data() == body


def test_api_replays_and_refuses_a_bad_date(client, loaded):
    before = client.get("/api/v1/burden?as_of=2023-12-31").get_json()
    assert all(p["units"] == 0 for p in before["publics"])
    bad = client.get("/api/v1/burden?as_of=2024-02-30")
    assert bad.status_code == 400 and "as_of" in json.dumps(bad.get_json()["errors"])


def test_api_public_burden_with_history(client, loaded):
    body = client.get("/api/v1/publics/carers/burden?as_of=2024-03-01").get_json()
    assert body["rest_until"] == "2099-01-01" and len(body["history"]) == 24
    assert body["history"][-1]["units"] == body["units"]
    assert client.get("/api/v1/publics/ons/burden").status_code == 404
    assert client.get("/api/v1/publics/nobody/burden").status_code == 404


def test_api_check_saves_nothing(client, loaded, app_store):
    revision = app_store.revision()
    body = client.post("/api/v1/burden/check", json=DRAFT).get_json()
    assert body["saved"] is False and app_store.revision() == revision
    kinds = {w["kind"] for w in body["warnings"]}
    assert {"over", "rest_until", "join_up"} <= kinds
    assert {s["kind"] for s in body["suggestions"]} == {"use_existing_evidence", "less_loaded_intermediary",
                                                        "remunerate"}
    change = body["publics"][0]
    assert change["after"]["units"] > change["before"]["units"]
    assert "draft" in [c["engagement"] for c in change["after"]["contributions"]]


def test_api_check_names_the_wrong_fields(client, loaded):
    response = client.post("/api/v1/burden/check", json={**DRAFT, "end": "2024-01-01", "publics": ["ons"]})
    assert response.status_code == 400
    errors = response.get_json()["errors"]["draft engagement"]
    assert set(errors) == {"end", "publics"}


# -- CLI ----------------------------------------------------------------------------

def test_cli_burden_as_of_and_check(cli, tmp_path):
    doc = tmp_path / "r.json"
    doc.write_text(json.dumps({"format": "pathways-graph", "version": 1, "nodes": NODES, "edges": EDGES}))
    assert cli("import", doc)[0] == 0
    code, out, _ = cli("burden", "--as-of", "2024-03-01", "--json")
    assert code == 0 and json.loads(out)["publics"][0]["status"] == "over"
    code, out, _ = cli("burden", "--as-of", "2024-03-01")
    assert code == 0 and "over" in out and "(carers)" in out
    code, _, err = cli("burden", "--as-of", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(DRAFT))
    code, out, _ = cli("burden", "check", draft)
    assert code == 0 and "warning (join_up)" in out and "suggestion (use_existing_evidence)" in out
    draft.write_text(json.dumps({**DRAFT, "method": "chat"}))
    code, _, err = cli("burden", "check", draft)
    assert code == 1 and "method" in err


# -- pages --------------------------------------------------------------------------

def test_dashboard_lists_status_as_text_chart_and_feedback_debt(client, loaded):
    page = client.get("/burden?as_of=2024-06-01").get_data(as_text=True)
    assert "Over capacity" in page or "High" in page
    assert XSS not in page and "&lt;script&gt;" in page
    assert "<caption" in page and 'scope="col"' in page
    assert re.search(r"<svg[^>]+role=\"img\"", page) and "<title id=\"chart-1-title\">" in page
    debt = page[page.index('id="feedback-debt"'):]
    assert "Silent survey" in debt and "Carers jury" not in debt
    assert client.get("/burden?as_of=soon").status_code == 400
    boxes = client.get("/burden?as_of-day=1&as_of-month=6&as_of-year=2024")
    assert boxes.status_code == 200 and "1 June 2024" in boxes.get_data(as_text=True)
    bad_boxes = client.get("/burden?as_of-day=31&as_of-month=2&as_of-year=2024").get_data(as_text=True)
    assert 'href="#as_of-day">The date must be a real date' in bad_boxes and 'value="31"' in bad_boxes


def test_record_page_traces_the_number(client, loaded, app_store):
    page = client.get("/records/renters").get_data(as_text=True)
    assert 'id="burden-gauge"' in page and "No held or reported engagement involved this public" in page
    recent = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    app_store.apply(Change(put_nodes=[{"id": "recent", "label": "Engagement", "name": "Renters co-design",
                                       "method": "co_design", "start": recent, "status": "held"}],
                           put_edges=[{"type": "INVOLVED", "from": "recent", "to": "renters"}]))
    page = client.get("/records/renters").get_data(as_text=True)
    table = page[page.index('id="burden-contributions"'):]
    expected = round(4 * 0.5 ** (10 / 180), 3)
    assert "Renters co-design" in table and f"{expected:.3f}" in table and "How the" in page
    assert 'id="record-burden-chart"' in page and "/burden/check?public=renters" in page


def test_check_form_shows_warnings_and_suggestions_and_saves_nothing(client, loaded, app_store):
    token = csrf(client)
    revision = app_store.revision()
    form = {"csrf_token": token, "method": "workshop", "start-day": "1", "start-month": "3", "start-year": "2024",
            "publics": ["carers"], "on": "caring", "producer": "ons", "remunerated": "no"}
    page = client.post("/burden/check", data=form).get_data(as_text=True)
    assert "What your engagement would add" in page and 'data-kind="over"' in page
    assert 'data-kind="join_up"' in page and "DWP carers panel" in page
    assert 'data-kind="use_existing_evidence"' in page and "https://example.org/findings" in page
    assert 'data-kind="less_loaded_intermediary"' in page and app_store.revision() == revision


def test_check_form_errors_link_to_fields(client, loaded):
    token = csrf(client)
    response = client.post("/burden/check", data={"csrf_token": token, "start-day": "31", "start-month": "2",
                                                   "start-year": "2024"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert 'href="#method"' in page and 'href="#start-day"' in page and 'href="#publics"' in page
    assert client.post("/burden/check", data={"method": "survey"}).status_code == 400  # no CSRF token


def test_about_documents_the_model(client):
    page = client.get("/about").get_data(as_text=True)
    assert 'id="burden"' in page and "PATHWAYS_SETTINGS" in page and "half_life_days" in page


# -- the engagement editor -------------------------------------------------------------

def engagement_form(token, **over):
    form = {"csrf_token": token, "version": "0", "id": "eng.new", "name": "Renters workshop", "method": "workshop",
            "status": "held", "start-day": "1", "start-month": "2", "start-year": "2024", "publics": ["renters"],
            "producer": "ons", "via": ["calm"], "on": ["caring"], "remunerated": "yes"}
    form.update(over)
    return form


def test_editor_needs_a_role(client, loaded, app_store):
    signed_out = client.get("/engagements/new")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/account/sign-in?next=")
    sign_in(client, app_store, "viewer")
    assert client.get("/engagements/new").status_code == 403


def test_editor_creates_an_engagement_with_its_links(client, loaded, app_store):
    sign_in(client, app_store)
    assert client.get("/engagements/new").status_code == 200
    response = client.post("/engagements/new", data=engagement_form("t0ken"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/records/eng.new")
    node = app_store.get_node("eng.new")
    assert node["start"] == "2024-02-01" and node["remunerated"] is True
    edges = {(e["type"], e["from"], e["to"]) for e in app_store.edges_of("eng.new")}
    assert edges == {("INVOLVED", "eng.new", "renters"), ("RAN", "ons", "eng.new"), ("VIA", "eng.new", "calm"),
                     ("ON", "eng.new", "caring")}


def test_editor_validation(client, loaded, app_store):
    sign_in(client, app_store)
    revision = app_store.revision()
    bad = client.post("/engagements/new", data=engagement_form("t0ken", publics=[], **{
        "end-day": "1", "end-month": "1", "end-year": "2024", "start-month": "13"}))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in page
    assert "must involve at least one public" in page and "must be a date as YYYY-MM-DD" in page
    swapped = client.post("/engagements/new", data=engagement_form("t0ken", **{
        "end-day": "1", "end-month": "1", "end-year": "2024"}))
    assert swapped.status_code == 400 and "must not be before start" in swapped.get_data(as_text=True)
    taken = client.post("/engagements/new", data=engagement_form("t0ken", id="jury"))
    assert taken.status_code == 400 and "already used" in taken.get_data(as_text=True)
    assert app_store.revision() == revision


def test_editor_edits_links_and_refuses_a_stale_version(client, loaded, app_store):
    sign_in(client, app_store)
    page = client.get("/engagements/jury/edit").get_data(as_text=True)
    assert 'value="Carers jury"' in page and 'name="start-year" type="text" inputmode="numeric" value="2024"' in page
    version = app_store.get_node("jury")["version"]
    form = engagement_form("t0ken", version=str(version), name="Carers jury", method="citizens_jury",
                           status="reported", publics=["carers", "renters"], via=[], on=["caring"])
    form.pop("id")
    assert client.post("/engagements/jury/edit", data=form).status_code == 303
    edges = {(e["type"], e["to"]) for e in app_store.edges_of("jury", "out")}
    assert edges == {("INVOLVED", "carers"), ("INVOLVED", "renters"), ("ON", "caring")}
    stale = client.post("/engagements/jury/edit", data=form)
    assert stale.status_code == 409 and "changed since you read it" in stale.get_data(as_text=True)


def test_engagement_page_links_to_its_editor_and_dashboard_to_a_new_one(client, loaded):
    assert "/engagements/jury/edit" in client.get("/records/jury").get_data(as_text=True)
    assert 'href="/engagements/new"' in client.get("/burden").get_data(as_text=True)
