"""Route reports ("Did this help?"): the form and the API, the editors' queue, route health, ranking, abuse."""
from __future__ import annotations

import datetime as _dt
import json
import re

import pytest

from graph import route_reports as R
from graph import signpost as S
from graph.stores import Change
from graph.stores.base import graph_from_records
from tests.web import csrf, sign_in

BOTH_STORES = True
TODAY = _dt.date.today()
SRC = {"source": "https://example.org/fixture", "verified": "2026-01-05"}
NODES = [
    {"id": "home-office", "label": "Producer", "name": "Home Office", "contact": {"email": "crime@homeoffice.example"}},
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "contact": {"email": "info@ons.example"}},
    {"id": "moj", "label": "Producer", "name": "Ministry of Justice", "contact": {"email": "stats@moj.example"}},
    {"id": "crime", "label": "Statistic", "name": "Crime in England and Wales"},
    {"id": "topic-crime", "label": "Topic", "name": "Crime"},
]
EDGES = [{"type": "PRODUCES", "from": "home-office", "to": "crime"}, {"type": "PRODUCES", "from": "ons", "to": "crime"},
         {"type": "ABOUT", "from": "crime", "to": "topic-crime"}]


def make_app(store_url, **route_settings):
    from registry import create_app
    app = create_app({"TESTING": True, "REGISTRY_STORE": store_url, "SECRET_KEY": "test-secret",
                      "ALGORITHMS": {"route_reports": {"min_seconds": 0, **route_settings}}})
    from registry.store import store_for
    store_for(app).apply(Change(put_nodes=NODES, put_edges=EDGES))
    return app


@pytest.fixture
def rapp(store_url):
    app = make_app(store_url)
    yield app
    app.extensions["pathways.store"].close()


def store_of(app):
    from registry.store import store_for
    return store_for(app)


def ticket(client, statistic="crime") -> str:
    answer = client.get(f"/api/v1/signpost?statistic={statistic}").get_json()
    return answer["feedback"]["ticket"]


def page_ticket(client, path="/records/crime") -> str:
    return re.search(r'name="ticket" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


# -- the form -------------------------------------------------------------------------------------

def test_the_statistic_page_asks_did_this_help_and_stores_a_report(rapp):
    client = rapp.test_client()
    page = client.get("/records/crime").get_data(as_text=True)
    assert "Did this help?" in page and 'name="website"' in page
    token, tick = csrf(client, "/records/crime"), page_ticket(client)
    response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": tick, "kind": "help",
                                                       "outcome": "passed_on", "passed_to": "moj", "times_passed_on": "2",
                                                       "comment": "Sent to <b>MoJ</b>\r\nthen back"})
    assert response.status_code == 303 and response.headers["Location"] == "/records/crime#did-this-help"
    [report] = store_of(rapp).reports()
    assert (report["statistic"], report["contact"], report["outcome"], report["passed_to"], report["times_passed_on"]) \
        == ("crime", "home-office", "passed_on", "moj", 2)
    assert report["status"] == "held" and report["hold_reason"] == "it contains markup"
    assert report["comment"] == "Sent to <b>MoJ</b>\nthen back"
    assert not set(report) & {"ip", "address", "user_agent", "name", "email", "client"}


def test_the_passed_on_list_offers_who_is_near_the_route_escaped_and_follows_writes(rapp):
    """"Who were you passed on to?" offers the organisations near the statistic (its other producers,
    the user groups and intermediaries on its topics), never the first contact and
    not every organisation in the registry; a new one near it is listed after its write, as text."""
    client = rapp.test_client()

    def options() -> list[tuple[str, str]]:
        page = client.get("/records/crime").get_data(as_text=True)
        select = page[page.index('<select class="govuk-select" id="passed_to"'):]
        return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select[:select.index("</select>")])

    before = options()
    assert before == [("", "Choose who, if they are listed"), ("ons", "Office for National Statistics (producer)")]
    store_of(rapp).apply(Change(
        put_nodes=[{"id": "bold-co", "label": "UserGroup", "name": '<b>Bold</b> & "Co"'},
                   {"id": "victim-support", "label": "Intermediary", "name": "Victim Support"}],
        put_edges=[{"type": "COVERS", "from": "bold-co", "to": "topic-crime"},
                   {"type": "WORKS_ON", "from": "victim-support", "to": "topic-crime"}]))
    page = client.get("/records/crime").get_data(as_text=True)
    assert "<b>Bold" not in page
    assert options() == [("", "Choose who, if they are listed"),
                         ("bold-co", "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;Co&#34; (user group)"),
                         ("ons", "Office for National Statistics (producer)"),
                         ("victim-support", "Victim Support (trusted intermediary)")]


def test_someone_not_listed_is_typed_and_the_error_page_keeps_the_choice(rapp):
    """A report may name anyone by typing; sent back with an error, the form keeps a record chosen."""
    client = rapp.test_client()
    token, tick = csrf(client, "/records/crime"), page_ticket(client)
    response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": tick, "kind": "help",
                                                       "outcome": "passed_on", "passed_to": "moj", "times_passed_on": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and '<option value="moj" selected>Ministry of Justice (producer)</option>' in page
    response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": tick, "kind": "help",
                                                       "outcome": "passed_on", "passed_to_text": "The local council"})
    assert response.status_code == 303
    [report] = store_of(rapp).reports()
    assert (report.get("passed_to"), report["passed_to_text"]) == (None, "The local council")


def test_the_form_needs_its_csrf_token(rapp):
    client = rapp.test_client()
    tick = page_ticket(client)
    assert client.post("/route-reports/new", data={"ticket": tick, "outcome": "answered"}).status_code == 400
    assert store_of(rapp).reports() == []


def test_a_filled_honeypot_is_thanked_and_nothing_kept(rapp):
    client = rapp.test_client()
    token, tick = csrf(client, "/records/crime"), page_ticket(client)
    response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": tick, "outcome": "no_reply",
                                                       "website": "http://spam.example"})
    assert response.status_code == 303
    assert store_of(rapp).reports() == []


def test_a_form_sent_too_soon_is_refused(store_url):
    app = make_app(store_url, min_seconds=30)
    try:
        client = app.test_client()
        token, tick = csrf(client, "/records/crime"), page_ticket(client)
        response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": tick, "outcome": "answered"})
        assert response.status_code == 400
        assert "too soon" in response.get_data(as_text=True)
        assert store_of(app).reports() == []
    finally:
        app.extensions["pathways.store"].close()


def test_a_forged_ticket_is_refused(rapp):
    client = rapp.test_client()
    token = csrf(client, "/records/crime")
    response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": "eyJzIjoiY3JpbWUifQ.x.y",
                                                       "outcome": "answered"})
    assert response.status_code == 400 and "is not one Pathways gave" in response.get_data(as_text=True)


def test_comments_are_shown_escaped_to_editors(rapp):
    client = rapp.test_client()
    store_of(rapp).add_report({"statistic": "crime", "contact": "home-office", "outcome": "no_reply",
                               "comment": "<script>alert(1)</script> nobody answered"})
    sign_in(client, store_of(rapp))
    page = client.get("/route-reports").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_report_a_wrong_contact_on_a_record_page(rapp):
    client = rapp.test_client()
    page = client.get("/records/moj").get_data(as_text=True)
    assert "Report a wrong contact" in page
    token, tick = csrf(client, "/records/moj"), page_ticket(client, "/records/moj")
    response = client.post("/route-reports/new", data={"csrf_token": token, "ticket": tick, "kind": "wrong",
                                                       "outcome": "answered", "comment": "The email bounced."})
    assert response.status_code == 303
    [report] = store_of(rapp).reports()
    assert (report.get("statistic"), report["contact"], report["outcome"]) == (None, "moj", "wrong_details")
    assert "Report a wrong contact" not in client.get("/records/topic-crime").get_data(as_text=True)


# -- the API --------------------------------------------------------------------------------------

def test_the_api_takes_a_report_without_a_token(rapp):
    client = rapp.test_client()
    answer = client.get("/api/v1/signpost?statistic=crime").get_json()
    assert answer["feedback"]["contact"] == "home-office"
    response = client.post("/api/v1/signpost/feedback", json={"ticket": answer["feedback"]["ticket"],
                                                              "outcome": "answered"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["statistic"], body["contact"], body["status"]) == ("crime", "home-office", "open")


@pytest.mark.parametrize("body, field", [
    ({"outcome": "lost"}, "outcome"),
    ({"outcome": "answered", "passed_to": "moj"}, "passed_to"),
    ({"outcome": "passed_on", "passed_to": "crime"}, "passed_to"),
    ({"outcome": "passed_on", "passed_to": "home-office"}, "passed_to"),
    ({"outcome": "answered", "comment": "x" * 501}, "comment"),
    ({"outcome": "answered", "comment": "see http://a.example and http://b.example"}, "comment"),
    ({"outcome": "answered", "comment": "write to me at someone@example.org"}, "comment"),
    ({"outcome": "answered", "name": "Alice"}, "name"),
    ({"outcome": "passed_on", "times_passed_on": 9}, "times_passed_on"),
])
def test_bad_reports_are_refused_with_the_field_named(rapp, body, field):
    client = rapp.test_client()
    response = client.post("/api/v1/signpost/feedback", json={"ticket": ticket(client), **body})
    assert response.status_code == 400, response.get_json()
    assert field in str(response.get_json()["errors"])
    assert store_of(rapp).reports() == []


def test_the_api_needs_a_ticket_pathways_gave(rapp):
    client = rapp.test_client()
    missing = client.post("/api/v1/signpost/feedback", json={"outcome": "answered"})
    assert missing.status_code == 400 and "ticket" in str(missing.get_json()["errors"])
    forged = client.post("/api/v1/signpost/feedback", json={"ticket": "abc.def.ghi", "outcome": "answered"})
    assert forged.status_code == 400 and "ticket" in str(forged.get_json()["errors"])


def test_nonsense_is_held_for_review_and_not_counted(rapp):
    client = rapp.test_client()
    response = client.post("/api/v1/signpost/feedback", json={"ticket": ticket(client), "outcome": "no_reply",
                                                              "comment": "zxcvbnmqwrtzxcvbnmqwrtplkjhgfdszxcv"})
    assert response.get_json()["status"] == "held"
    assert R.route_health(graph_from_records(NODES, EDGES), store_of(rapp).reports()).overall.total == 0


def test_one_client_is_limited_per_route_and_per_hour(store_url):
    app = make_app(store_url, per_client_per_hour=3)
    try:
        client = app.test_client()
        first = client.post("/api/v1/signpost/feedback", json={"ticket": ticket(client), "outcome": "no_reply"})
        again = client.post("/api/v1/signpost/feedback", json={"ticket": ticket(client), "outcome": "no_reply"})
        assert (first.status_code, again.status_code) == (201, 429)
        assert again.headers["Retry-After"] and again.get_json()["code"]
        other = app.test_client()  # another address is another client
        answer = other.get("/api/v1/signpost?statistic=crime",
                           environ_base={"REMOTE_ADDR": "10.0.0.9"}).get_json()["feedback"]["ticket"]
        assert other.post("/api/v1/signpost/feedback", json={"ticket": answer, "outcome": "no_reply"},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 201
        assert len(store_of(app).reports()) == 2
    finally:
        app.extensions["pathways.store"].close()


def test_a_flood_from_one_client_cannot_move_the_ranking(store_url):
    app = make_app(store_url, ranking=True)
    try:
        client = app.test_client()
        codes = [client.post("/api/v1/signpost/feedback", json={"ticket": ticket(client), "outcome": "no_reply"}
                             ).status_code for _ in range(30)]
        assert codes.count(201) == 1 and set(codes[1:]) == {429}
        answer = client.get("/api/v1/signpost?statistic=crime").get_json()
        assert answer["first_contact"]["id"] == "home-office"
    finally:
        app.extensions["pathways.store"].close()


# -- the editors' queue ---------------------------------------------------------------------------

def test_an_editor_accepts_a_suggested_referral_in_one_click(rapp):
    store = store_of(rapp)
    for _ in range(3):
        store.add_report({"statistic": "crime", "contact": "home-office", "outcome": "passed_on", "passed_to": "moj"})
    client = rapp.test_client()
    assert client.get("/route-reports").status_code == 302  # signed out: sent to sign in
    sign_in(client, store)
    page = client.get("/route-reports").get_data(as_text=True)
    assert 'data-suggestion="home-office:moj"' in page
    response = client.post("/route-reports/accept", data={"csrf_token": csrf(client, "/route-reports"),
                                                          "contact": "home-office", "passed_to": "moj"})
    assert response.status_code == 303
    [edge] = store.edges_of("home-office", "out", ["REFERS_TO"])
    assert edge["to"] == "moj" and edge["verified"] == TODAY.isoformat()
    assert edge["source"].startswith("Pathways route reports: 3 people reported being passed on")
    assert {r["status"] for r in store.reports()} == {"fixed"}
    trail = [e for e in store.audit_entries(limit=50) if e["action"].startswith("resolve route report")]
    assert len(trail) == 3 and all(e["actor"] == "token:alice" for e in trail)
    assert any(e["action"].startswith("accept route reports") for e in store.audit_entries(limit=50))
    # the signpost now sends people straight to the end of the referral
    assert client.get("/api/v1/signpost?statistic=crime").get_json()["first_contact"]["id"] == "moj"


def test_a_committed_referral_is_reported_as_recorded_when_marking_the_reports_fails(rapp, monkeypatch):
    from graph.errors import StoreUnavailable
    store = store_of(rapp)
    for _ in range(2):
        store.add_report({"statistic": "crime", "contact": "home-office", "outcome": "passed_on", "passed_to": "moj"})
    client = rapp.test_client()
    sign_in(client, store)
    resolve = store.resolve_reports

    def unavailable(*args, **kwargs):
        raise StoreUnavailable("the database went away", StoreUnavailable.NOT_SAVED)
    monkeypatch.setattr(store, "resolve_reports", unavailable)
    form = {"csrf_token": csrf(client, "/route-reports"), "contact": "home-office", "passed_to": "moj"}
    assert client.post("/route-reports/accept", data=form).status_code == 303
    [edge] = store.edges_of("home-office", "out", ["REFERS_TO"])
    assert edge["to"] == "moj" and {r["status"] for r in store.reports()} == {"open"}
    page = client.get("/route-reports").get_data(as_text=True)
    assert "Recorded: Home Office refers enquiries to Ministry of Justice" in page
    assert "could not be marked fixed just now" in page
    monkeypatch.setattr(store, "resolve_reports", resolve)  # the database is back: Accept again
    assert client.post("/route-reports/accept", data=form).status_code == 303
    assert len(store.edges_of("home-office", "out", ["REFERS_TO"])) == 1
    assert {r["status"] for r in store.reports()} == {"fixed"}


def test_an_editor_resolves_a_report_and_it_is_audited(rapp):
    store = store_of(rapp)
    report = store.add_report({"contact": "moj", "outcome": "wrong_details"})
    client = rapp.test_client()
    sign_in(client, store)
    response = client.post(f"/route-reports/{report['id']}/resolve",
                           data={"csrf_token": csrf(client, "/route-reports"), "status": "fixed"})
    assert response.status_code == 303
    assert store.get_report(report["id"])["status"] == "fixed"
    [entry] = store.audit_entries(target=f"route-report:{report['id']}")
    assert entry["after"]["status"] == "fixed" and entry["before"]["status"] == "open"
    bad = client.post(f"/route-reports/{report['id']}/resolve",
                      data={"csrf_token": csrf(client, "/records/crime"), "status": "deleted"})
    assert bad.status_code == 400


# -- route health, gaps, feed ---------------------------------------------------------------------

def test_route_health_page_api_gaps_and_feed(rapp):
    store = store_of(rapp)
    for outcome in ("answered", "no_reply", "no_reply", "wrong_details", "passed_on"):
        store.add_report({"statistic": "crime", "contact": "home-office", "outcome": outcome,
                          **({"times_passed_on": 3} if outcome == "passed_on" else {})})
    client = rapp.test_client()
    assert client.get("/api/v1/routes/health").status_code == 401
    sign_in(client, store)
    from registry.auth import hash_token, new_token
    value = new_token()
    store.add_token("robot", "editor", hash_token(value))
    body = client.get("/api/v1/routes/health", headers={"Authorization": f"Bearer {value}"}).get_json()
    [route] = body["routes"]
    assert (route["total"], route["counts"]["no_reply"], route["shares"]["no_reply"]) == (5, 2, 0.4)
    assert route["open_wrong_details"] == 1 and route["ping_pong"] == 1
    assert [p["producer"] for p in body["producers"]] == ["home-office", "ons"]
    page = client.get("/route-health").get_data(as_text=True)
    assert "Crime in England and Wales → Home Office" in page and "40%" in page
    gaps = client.get("/api/v1/gaps").get_json()
    assert [i["id"] for i in gaps["wrong_contact_details"]] == ["home-office"]
    assert client.get("/gaps").get_data(as_text=True).index("wrong contact details") < \
        client.get("/gaps").get_data(as_text=True).index("Publics with no route")
    feed = client.get("/feeds/route-reports.atom", headers={"Authorization": f"Bearer {value}"})
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    assert feed.get_data(as_text=True).count("<entry>") == 5
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/routes/health"] and "post" in paths["/api/v1/signpost/feedback"]


def test_the_cli_shows_route_health_and_the_wrong_details_gap(store_url, cli):
    app = make_app(store_url)
    store = store_of(app)
    for outcome in ("answered", "answered", "no_reply", "wrong_details", "passed_on"):
        store.add_report({"statistic": "crime", "contact": "home-office", "outcome": outcome,
                          **({"times_passed_on": 2} if outcome == "passed_on" else {})})
    store.add_report({"contact": "moj", "outcome": "no_reply"})
    from registry.auth import hash_token, new_token
    value = new_token()
    store.add_token("robot", "editor", hash_token(value))
    api = app.test_client().get("/api/v1/routes/health", headers={"Authorization": f"Bearer {value}"}).get_json()
    code, out, _ = cli("route-health", "--json")
    assert code == 0 and json.loads(out) == api
    code, out, _ = cli("route-health")
    assert code == 0
    assert "Crime in England and Wales → Home Office: 5 reports (2 answered" in out and "answered 40%" in out
    assert "Ministry of Justice: 1 reports" in out and "not enough reports" in out
    assert "1 open wrong-details reports" in out
    code, out, _ = cli("gaps", "--rule", "wrong_contact_details")
    assert code == 0 and "Home Office (home-office)" in out and "Ministry of Justice" not in out
    code, out, _ = cli("gaps", "--json")
    assert [i["id"] for i in json.loads(out)["wrong_contact_details"]] == ["home-office"]
    app.extensions["pathways.store"].close()


def test_the_windows_reports_are_read_once_until_one_is_added(rapp):
    """Rankings that weigh route reports are kept while the reports are the same object; the store's
    reports stamp is read once per request, so the next request sees a report added meanwhile."""
    from registry import route_reports as reporting
    store = store_of(rapp)
    with rapp.test_request_context("/"):
        first = reporting.recent_reports()
        assert reporting.recent_reports() is first and first == ()
    with rapp.test_request_context("/"):
        assert reporting.recent_reports() is first
        store.add_report({"statistic": "crime", "contact": "home-office", "outcome": "answered"})
    with rapp.test_request_context("/"):
        again = reporting.recent_reports()
        assert again is not first and [r["outcome"] for r in again] == ["answered"]


def test_a_signpost_and_a_statistics_page_ask_the_store_once_when_nothing_changed(rapp):
    """The revision and the reports stamp are read together, at the request's first read
    (GraphStore.stamps: one round trip on Neo4j); a report stored through another connection, as
    another app server would, is weighed at the next request."""
    from graph.stores import open_store
    store, client = store_of(rapp), rapp.test_client()
    assert client.get("/api/v1/signpost?statistic=crime").status_code == 200
    calls = []
    for name in ("revision", "reports_stamp", "stamps", "changes_since", "load_state"):
        real = getattr(store, name)
        setattr(store, name, lambda *a, _name=name, _real=real, **k: calls.append(_name) or _real(*a, **k))
    answer = client.get("/api/v1/signpost?statistic=crime").get_json()
    assert calls == ["stamps"] and answer["first_contact"]["id"] == "home-office"
    assert client.get("/records/crime").status_code == 200 and calls == ["stamps", "stamps"]
    other = open_store(store.url)
    try:
        other.add_report({"statistic": "crime", "contact": "home-office", "outcome": "answered"})
        with rapp.test_request_context("/"):
            from registry import route_reports as reporting
            from registry.store import snapshot
            snapshot()
            assert [r["outcome"] for r in reporting.recent_reports()] == ["answered"]
    finally:
        other.close()


def test_reports_are_not_records(rapp):
    store = store_of(rapp)
    store.add_report({"statistic": "crime", "contact": "home-office", "outcome": "no_reply", "comment": "findme"})
    counts = store.counts()
    assert sum(counts["nodes"].values()) == len(NODES)
    client = rapp.test_client()
    assert client.get("/api/v1/search?q=findme").get_json()["results"] == []
    assert "findme" not in client.get("/api/v1/export?format=json").get_data(as_text=True)


# -- the pure functions ---------------------------------------------------------------------------

def _report(i, outcome, contact="home-office", day=None, status="open"):
    at = (day or TODAY - _dt.timedelta(days=i % 20)).isoformat() + "T10:00:00+00:00"
    return {"id": f"r{i}", "at": at, "status": status, "statistic": "crime", "contact": contact, "outcome": outcome}


def test_not_enough_reports_and_the_window():
    g = graph_from_records(NODES, EDGES)
    old = _report(1, "no_reply", day=TODAY - _dt.timedelta(days=400))
    health = R.route_health(g, [old, _report(2, "answered")], {"route_reports": {"min_reports": 2}}, TODAY)
    [route] = health.routes
    assert route.total == 1 and route.shares is None and not route.tally.enough


def test_ranking_is_off_by_default_then_drops_a_route_with_the_reason():
    g = graph_from_records(NODES, EDGES)
    reports = [_report(i, "no_reply") for i in range(12)]
    answer = S.signpost(g, "crime")
    assert R.rerank(answer, reports).first_contact.id == "home-office"
    moved = R.rerank(answer, reports, {"route_reports": {"ranking": True}}, TODAY)
    assert moved.first_contact.id == "ons"
    assert moved.routes[0].id == "home-office" and moved.routes[0].why.startswith("Moved down: 12 of 12 people")
    assert "Home Office is shown below Office for National Statistics" in moved.warnings[0]


def test_ranking_needs_enough_reports_on_enough_days():
    g = graph_from_records(NODES, EDGES)
    answer = S.signpost(g, "crime")
    on = {"route_reports": {"ranking": True}}
    one_day = [_report(i, "no_reply", day=TODAY) for i in range(50)]
    assert R.rerank(answer, one_day, on, TODAY).first_contact.id == "home-office"
    few = [_report(i, "no_reply") for i in range(5)]
    assert R.rerank(answer, few, on, TODAY).first_contact.id == "home-office"
    held = [_report(i, "no_reply", status="held") for i in range(20)]
    assert R.rerank(answer, held, on, TODAY).first_contact.id == "home-office"
    mostly_answered = [_report(i, "answered" if i % 3 else "no_reply") for i in range(30)]
    assert R.rerank(answer, mostly_answered, on, TODAY).first_contact.id == "home-office"
