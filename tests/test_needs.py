"""User needs: the lifecycle (reason required, history kept), the waiting list's order, and the API."""
from __future__ import annotations

import datetime as dt

import pytest

from graph import needs
from graph.errors import InvalidRecord
from graph.stores import Change
from graph.stores.base import graph_from_records
from registry.auth import hash_token, start_session

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

S = "As a {who}, I need {what}, so that I can plan."


def need(nid, status="captured", priority=None, raised="2026-01-01", what="local figures", who="carer"):
    rec = {"id": nid, "label": "Need", "name": nid.upper(), "statement": S.format(who=who, what=what),
           "status": status, "raised": raised}
    if priority is not None:
        rec["priority"] = priority
    return rec


def base_nodes():
    return [
        {"id": "ons", "label": "Producer", "name": "ONS", "kind": "department"},
        {"id": "ons-team", "label": "Producer", "name": "ONS team", "kind": "team"},
        {"id": "dwp", "label": "Producer", "name": "DWP", "kind": "department"},
        {"id": "t.society", "label": "Topic", "name": "Society"},
        {"id": "t.housing", "label": "Topic", "name": "Housing"},
        {"id": "t.health", "label": "Topic", "name": "Health"},
        {"id": "s.ehs", "label": "Statistic", "name": "English Housing Survey"},
        {"id": "p.renters", "label": "Public", "name": "Renters", "seldom_heard": True},
        {"id": "p.owners", "label": "Public", "name": "Owners"},
        {"id": "i.shelter", "label": "Intermediary", "name": "Shelter"},
    ]


BASE_EDGES = [
    {"type": "PART_OF", "from": "ons-team", "to": "ons"},
    {"type": "BROADER", "from": "t.housing", "to": "t.society"},
    {"type": "ABOUT", "from": "s.ehs", "to": "t.housing"},
]


# -- statements ----------------------------------------------------------------

def test_statement_from_three_fields_and_shape_checked():
    assert needs.statement_from({"as_a": "adviser", "i_need": "a contact", "so_that": "I am not passed around"}) \
        == "As an adviser, I need a contact, so that I am not passed around."
    with pytest.raises(InvalidRecord) as err:
        needs.statement_from({"statement": "Publish more data please"}, "need.x")
    assert err.value.problems[0].record == "need 'need.x'" and err.value.problems[0].field == "statement"
    with pytest.raises(InvalidRecord) as err:
        needs.statement_from({"as_a": "adviser", "so_that": "x"})
    assert [p.field for p in err.value.problems] == ["i_need"]


# -- the lifecycle ---------------------------------------------------------------

def test_not_taken_forward_requires_a_reason_and_keeps_it():
    n = need("need.a")
    with pytest.raises(InvalidRecord) as err:
        needs.change_status(n, "not_taken_forward", reason="   ")
    assert err.value.problems[0].field == "decision_reason"
    done = needs.change_status(n, "not_taken_forward", reason="The survey cannot carry the question")
    assert done["status"] == "not_taken_forward" and done["decision_reason"] == "The survey cannot carry the question"


def test_only_allowed_moves():
    with pytest.raises(InvalidRecord, match="cannot move to delivered"):
        needs.change_status(need("need.a"), "delivered")
    with pytest.raises(InvalidRecord, match="record a new need"):
        needs.change_status(need("need.a", status="delivered"), "in_progress")
    step = need("need.a")
    for status in ("under_review", "planned", "in_progress", "delivered"):
        step = needs.change_status(step, status)
    assert step["status"] == "delivered"
    assert needs.change_status(need("need.a", "not_taken_forward"), "under_review")["status"] == "under_review"


def test_history_is_kept_in_the_store_audit_with_dates(store):
    store.apply(Change(put_nodes=base_nodes(), put_edges=BASE_EDGES, audit="summary"))
    rec, edges = needs.build_need({"as_a": "renter", "i_need": "local rent figures", "so_that": "I can compare",
                                   "owned_by": ["ons"], "raised_by": ["p.renters"]}, dt.date(2026, 5, 1))
    store.apply(Change(put_nodes=[rec], put_edges=edges, actor="token:ed"))
    for status, reason in (("under_review", None), ("not_taken_forward", "No sample in small areas")):
        current = store.get_node(rec["id"])
        store.apply(Change(put_nodes=[needs.change_status(current, status, reason)],
                           expect={rec["id"]: current["version"]}, actor="token:ed"))
    trail = needs.history(store.get_node(rec["id"]), store.audit_entries(target=rec["id"]))
    assert [(h.event, h.status) for h in trail] == [
        ("recorded", "captured"), ("status", "under_review"), ("status", "not_taken_forward")]
    assert trail[0].date == "2026-05-01"
    assert trail[2].previous == "under_review" and trail[2].reason == "No sample in small areas"
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert trail[1].date == today and trail[2].date == today


def test_history_of_an_imported_need_starts_when_raised():
    trail = needs.history(need("need.a", status="planned", raised="2025-03-02"), [])
    assert [(h.date, h.event, h.status) for h in trail] == [("2025-03-02", "raised", "planned")]


# -- the waiting list -------------------------------------------------------------

def waiting_graph():
    nodes = base_nodes() + [
        need("n.low", priority=4, raised="2020-01-01"),
        need("n.high-new", priority=1, raised="2026-06-01"),
        need("n.high-old", priority=1, raised="2025-06-01"),
        need("n.high-backed", priority=1, raised="2026-09-01"),
        need("n.unset", raised="2019-01-01"),
        need("n.done", status="delivered", priority=1),
    ]
    edges = BASE_EDGES + [
        {"type": "RAISED_BY", "from": "n.high-backed", "to": "p.renters"},  # seldom heard: counts 2
        {"type": "RAISED_BY", "from": "n.high-new", "to": "p.owners"},
        {"type": "OWNED_BY", "from": "n.high-old", "to": "ons-team"},
        {"type": "OWNED_BY", "from": "n.low", "to": "dwp"},
        {"type": "CONCERNS", "from": "n.low", "to": "s.ehs"},
        {"type": "CONCERNS", "from": "n.unset", "to": "t.health"},
    ]
    return graph_from_records(nodes, edges)


def test_order_priority_then_support_then_age():
    items = needs.waiting_list(waiting_graph()).items
    assert [i.id for i in items] == ["n.high-backed", "n.high-new", "n.high-old", "n.low", "n.unset"]
    assert [i.rank for i in items] == [1, 2, 3, 4, 5]
    assert items[0].support == 2.0 and items[1].support == 1.0


def test_seldom_heard_weight_is_a_setting():
    items = needs.waiting_list(waiting_graph(), {"needs": {"seldom_heard_weight": 1.0}}).items
    assert [i.support for i in items[:2]] == [1.0, 1.0]
    assert [i.id for i in items[:2]] == ["n.high-new", "n.high-backed"]  # tie on support: older first


def test_filters():
    g = waiting_graph()
    assert [i.id for i in needs.waiting_list(g, producer="ons").items] == ["n.high-old"]  # via its team
    assert [i.id for i in needs.waiting_list(g, topic="t.society").items] == ["n.low"]  # statistic about narrower
    assert [i.id for i in needs.waiting_list(g, statistic="s.ehs").items] == ["n.low"]
    assert [i.id for i in needs.waiting_list(g, status="delivered").items] == ["n.done"]
    with pytest.raises(InvalidRecord):
        needs.waiting_list(g, status="done")


def test_similar_needs_with_other_producers_are_joined_up():
    nodes = base_nodes() + [
        need("n.a", what="rent figures for small local areas", who="renter"),
        need("n.b", what="small area rent figures", who="housing charity"),
        need("n.c", what="small area rent figures", who="tenant"),
        need("n.d", what="something about dentists entirely different", who="patient"),
    ]
    edges = BASE_EDGES + [
        {"type": "OWNED_BY", "from": "n.a", "to": "ons"}, {"type": "OWNED_BY", "from": "n.b", "to": "dwp"},
        {"type": "OWNED_BY", "from": "n.c", "to": "ons"}, {"type": "OWNED_BY", "from": "n.d", "to": "dwp"},
    ] + [{"type": "CONCERNS", "from": n, "to": "t.housing"} for n in ("n.a", "n.b", "n.c", "n.d")]
    items = {i.id: i for i in needs.waiting_list(graph_from_records(nodes, edges)).items}
    assert [s.id for s in items["n.a"].also_raised_with] == ["n.b"]  # n.c has the same owner; n.d is unlike
    assert [o.id for o in items["n.a"].also_raised_with[0].owners] == ["dwp"]
    assert {s.id for s in items["n.b"].also_raised_with} == {"n.a", "n.c"}


# -- the API -----------------------------------------------------------------------

@pytest.fixture
def editor(app_store):
    app_store.add_token("needs-editor", "editor", hash_token("pw_needs_editor"))
    return {"Authorization": "Bearer pw_needs_editor"}


def test_api_waiting_list_record_and_move_a_need(client, app_store, editor):
    app_store.apply(Change(put_nodes=base_nodes(), put_edges=BASE_EDGES, audit="summary"))
    assert client.post("/api/v1/needs", json={"as_a": "renter"}).status_code == 401
    bad = client.post("/api/v1/needs", json={"statement": "more data"}, headers=editor)
    assert bad.status_code == 400 and "statement" in str(bad.get_json()["errors"])
    made = client.post("/api/v1/needs", headers=editor, json={
        "as_a": "renter", "i_need": "local rent figures", "so_that": "I can compare areas", "priority": 2,
        "owned_by": ["ons"], "raised_by": ["p.renters"], "concerns": ["s.ehs"]})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    nid = body["id"]
    assert body["statement"] == "As a renter, I need local rent figures, so that I can compare areas."
    listed = client.get("/api/v1/needs?topic=t.society").get_json()
    assert [n["id"] for n in listed["needs"]] == [nid]
    assert client.get("/api/v1/needs?topic=t.health").get_json()["needs"] == []
    assert client.get("/api/v1/needs?producer=nobody").status_code == 404

    url = f"/api/v1/needs/{nid}/status"
    assert client.post(url, json={"status": "under_review"}, headers=editor).status_code == 428
    etag = client.get(f"/api/v1/needs/{nid}").headers["ETag"]
    no_reason = client.post(url, json={"status": "not_taken_forward"}, headers={**editor, "If-Match": etag})
    assert no_reason.status_code == 400 and "decision_reason" in str(no_reason.get_json()["errors"])
    moved = client.post(url, json={"status": "not_taken_forward", "reason": "Sample too small"},
                        headers={**editor, "If-Match": etag})
    assert moved.status_code == 200
    stale = client.post(url, json={"status": "under_review"}, headers={**editor, "If-Match": etag})
    assert stale.status_code == 412
    detail = client.get(f"/api/v1/needs/{nid}").get_json()
    assert [(h["event"], h["status"]) for h in detail["history"]] == [
        ("recorded", "captured"), ("status", "not_taken_forward")]
    assert detail["decision_reason"] == "Sample too small"
    assert client.get("/api/v1/needs").get_json()["count"] == 0  # no longer open
    assert client.get("/api/v1/needs?status=not_taken_forward").get_json()["count"] == 1


# -- the pages ----------------------------------------------------------------------

XSS = "<script>alert(1)</script>"


def signed_in(client, store):
    store.add_token("web-editor", "editor", hash_token("pw_web_editor"))
    with client.session_transaction() as session:
        session["token_hash"] = hash_token("pw_web_editor")
        with client.application.app_context():
            session["sid"] = start_session(session["token_hash"])
        session["csrf_token"] = "csrf-test"


def test_waiting_list_page_filters_and_escapes(client, app_store):
    nodes = base_nodes() + [need("n.one", priority=1, what="rent figures " + XSS),
                            need("n.two", priority=2, what="health figures")]
    edges = BASE_EDGES + [{"type": "CONCERNS", "from": "n.one", "to": "s.ehs"},
                          {"type": "CONCERNS", "from": "n.two", "to": "t.health"},
                          {"type": "OWNED_BY", "from": "n.one", "to": "ons"}]
    app_store.apply(Change(put_nodes=nodes, put_edges=edges, audit="summary"))
    page = client.get("/needs").get_data(as_text=True)
    assert page.index("N.ONE") < page.index("N.TWO") and XSS not in page and "&lt;script&gt;" in page
    filtered = client.get("/needs?topic=t.housing").get_data(as_text=True)
    assert "N.ONE" in filtered and "N.TWO" not in filtered
    bad = client.get("/needs?topic=nowhere")
    assert bad.status_code == 400 and "Select a topic from the list" in bad.get_data(as_text=True)


def test_editor_records_a_need_and_moves_it_with_a_reason(client, app_store):
    app_store.apply(Change(put_nodes=base_nodes(), put_edges=BASE_EDGES, audit="summary"))
    signed_out = client.get("/needs/new")  # sent to sign in, as from every editors' page
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/account/sign-in?next=/needs/new"
    signed_in(client, app_store)
    form = {"csrf_token": "csrf-test", "as_a": "renter", "i_need": "", "so_that": "I can compare",
            "owned_by": "ons", "raised_by": "p.renters", "concerns": "s.ehs", "priority": "2"}
    refused = client.post("/needs/new", data=form)
    assert refused.status_code == 400 and 'href="#i_need"' in refused.get_data(as_text=True)
    made = client.post("/needs/new", data={**form, "i_need": "local rent figures"})
    assert made.status_code == 303
    nid = made.headers["Location"].rsplit("/", 1)[1]
    assert app_store.get_node(nid)["priority"] == 2
    version = app_store.get_node(nid)["version"]
    no_reason = client.post(f"/needs/{nid}/status", data={"csrf_token": "csrf-test", "status": "not_taken_forward",
                                                          "version": version})
    assert no_reason.status_code == 400 and 'href="#reason"' in no_reason.get_data(as_text=True)
    moved = client.post(f"/needs/{nid}/status", data={"csrf_token": "csrf-test", "status": "not_taken_forward",
                                                      "reason": "Too few renters sampled " + XSS, "version": version})
    assert moved.status_code == 303
    page = client.get(f"/records/{nid}").get_data(as_text=True)
    assert "Moved from captured to not taken forward" in page and "Recorded on the waiting list" in page
    assert "Too few renters sampled &lt;script&gt;" in page and XSS not in page


def test_the_form_takes_several_raised_by_and_concerns_like_the_api(client, app_store):
    app_store.apply(Change(put_nodes=base_nodes(), put_edges=BASE_EDGES, audit="summary"))
    signed_in(client, app_store)
    blank = client.get("/needs/new").get_data(as_text=True)
    for value in ("p.renters", "p.owners", "i.shelter"):
        assert f'name="raised_by" type="checkbox" value="{value}"' in blank
    for value in ("s.ehs", "t.housing", "t.health", "t.society"):
        assert f'name="concerns" type="checkbox" value="{value}"' in blank
    assert "Publics (2)" in blank and "Trusted intermediaries (1)" in blank and "Topics (3)" in blank
    assert 'id="raised_by"' in blank and 'id="concerns"' in blank  # the error summary's anchors
    form = {"csrf_token": "csrf-test", "as_a": "renter", "i_need": "", "so_that": "I can compare",
            "owned_by": "ons", "raised_by": ["p.renters", "i.shelter", "p.renters"],
            "concerns": ["s.ehs", "t.housing"]}
    again = client.post("/needs/new", data=form)
    page = again.get_data(as_text=True)
    assert again.status_code == 400 and 'href="#i_need"' in page
    for value in ("p.renters", "i.shelter", "s.ehs", "t.housing"):  # what was ticked stays ticked
        assert f'value="{value}" checked' in page
    assert 'value="p.owners" checked' not in page and "Publics (2, 1 selected)" in page
    made = client.post("/needs/new", data={**form, "i_need": "local rent figures"})
    assert made.status_code == 303
    nid = made.headers["Location"].rsplit("/", 1)[1]
    out = sorted((e["type"], e["to"]) for e in app_store.edges_of(nid, "out"))
    assert out == [("CONCERNS", "s.ehs"), ("CONCERNS", "t.housing"), ("OWNED_BY", "ons"),
                   ("RAISED_BY", "i.shelter"), ("RAISED_BY", "p.renters")]
    none = client.post("/needs/new", data={**form, "i_need": "owner figures", "raised_by": [], "concerns": []})
    assert none.status_code == 303  # both are optional
    assert [e["type"] for e in app_store.edges_of(none.headers["Location"].rsplit("/", 1)[1], "out")] == ["OWNED_BY"]


def test_a_wrong_choice_is_named_and_nothing_is_written(client, app_store):
    app_store.apply(Change(put_nodes=base_nodes(), put_edges=BASE_EDGES, audit="summary"))
    signed_in(client, app_store)
    before = app_store.count_nodes()
    response = client.post("/needs/new", data={
        "csrf_token": "csrf-test", "as_a": "renter", "i_need": "rent figures", "so_that": "I can compare",
        "owned_by": "ons", "raised_by": ["p.renters", "t.health"], "concerns": ["s.ehs", "nowhere"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#raised_by"' in page and "must end at a Public or a Intermediary or a UserGroup, not a Topic" in page
    assert 'href="#concerns"' in page and "No record with id &#39;nowhere&#39;" in page
    assert page.count("data-choice-group open>") == 4  # every group open, so the first box is in view
    assert app_store.count_nodes() == before
