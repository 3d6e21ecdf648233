"""Honest coverage: every burden figure says what it rests on (graph.burden.coverage), and the
dashboard, a public's pages, the planning check, the API and the CLI never show a bare "OK"
when the registry holds too few engagements to judge."""
from __future__ import annotations

import datetime as dt
import json

import networkx as nx
import pytest

from graph import burden, burden_check
from graph.settings import DEFAULTS, merge
from graph.stores import Change

AS_OF = dt.date(2024, 3, 1)
NODES = [
    {"id": "carers", "label": "Public", "name": "Young carers"},
    {"id": "renters", "label": "Public", "name": "Private renters"},
    {"id": "ons", "label": "Producer", "name": "ONS"},
    {"id": "dwp", "label": "Producer", "name": "DWP"},
    {"id": "jury", "label": "Engagement", "name": "Carers jury", "method": "citizens_jury", "start": "2024-01-01",
     "status": "reported", "feedback_published": "2024-02-01", "verified": "2024-02-10"},
    {"id": "quiet", "label": "Engagement", "name": "Silent survey", "method": "survey", "start": "2024-01-10",
     "status": "held", "verified": "2024-01-20"},
    {"id": "plan", "label": "Engagement", "name": "DWP carers panel", "method": "panel_meeting",
     "start": "2024-02-10", "status": "planned"},
    {"id": "old", "label": "Engagement", "name": "Old workshop", "method": "workshop", "start": "2021-05-01",
     "status": "held", "verified": "2021-06-01"},
]
EDGES = [
    {"type": "INVOLVED", "from": "jury", "to": "carers"}, {"type": "INVOLVED", "from": "quiet", "to": "carers"},
    {"type": "INVOLVED", "from": "plan", "to": "carers"}, {"type": "INVOLVED", "from": "old", "to": "renters"},
    {"type": "RAN", "from": "ons", "to": "jury"}, {"type": "RAN", "from": "dwp", "to": "quiet"},
    {"type": "RAN", "from": "dwp", "to": "plan"}, {"type": "RAN", "from": "ons", "to": "old"},
]
TOO_FEW = ("Only 2 engagements from 2 producers are recorded for the 12 months to 1 March 2024: "
           "burden may be understated.")
ENOUGH = {"burden": {"coverage_min_engagements": 2, "coverage_min_producers": 2}}


def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in NODES:
        g.add_node(n["id"], **n)
    for e in EDGES:
        g.add_edge(e["from"], e["to"], key=e["type"], type=e["type"])
    return g


# -- the function ------------------------------------------------------------------

def test_coverage_counts_held_or_reported_engagements_in_the_window_and_their_producers():
    c = burden.coverage(graph(), AS_OF, DEFAULTS)
    assert (c.engagements, c.producers, c.producer_ids) == (2, 2, ["dwp", "ons"])   # not planned, not old
    assert c.latest == {"id": "quiet", "name": "Silent survey", "date": "2024-01-10", "verified": "2024-01-20"}
    assert c.latest_verified == "2024-02-10"
    assert c.too_few and c.message == TOO_FEW
    assert (c.min_engagements, c.min_producers) == (20, 5)


def test_coverage_minimums_come_from_settings():
    enough = burden.coverage(graph(), AS_OF, merge(DEFAULTS, ENOUGH))
    assert not enough.too_few
    assert enough.message == "2 engagements from 2 producers are recorded for the 12 months to 1 March 2024."
    # two engagements, but both from one producer: still too few
    one = burden.coverage(graph(), AS_OF, merge(DEFAULTS, {"burden": {"coverage_min_engagements": 1,
                                                                       "coverage_min_producers": 3}}))
    assert one.too_few and one.message.startswith("Only 2 engagements from 2 producers")


def test_coverage_follows_the_window_and_the_date():
    later = burden.coverage(graph(), dt.date(2025, 6, 1), DEFAULTS)      # both out of the window by then
    assert later.engagements == 0 and later.too_few
    assert later.message == ("No engagement is recorded for the 12 months to 1 June 2025: "
                             "burden may be understated.")
    assert later.latest["id"] == "quiet"                                   # the latest, even outside the window
    before = burden.coverage(graph(), dt.date(2021, 4, 1), DEFAULTS)
    assert before.engagements == 0 and before.latest is None
    wide = burden.coverage(graph(), AS_OF, merge(DEFAULTS, {"burden": {"window_days": 1095}}))
    assert wide.engagements == 3 and "the 36 months to 1 March 2024" in wide.message


def test_planning_check_says_when_records_are_too_few():
    result = burden_check.check(graph(), {"method": "workshop", "start": "2024-03-01", "publics": ["renters"]}, DEFAULTS)
    assert result.coverage.message == TOO_FEW
    warning = next(w for w in result.warnings if w.kind == "coverage")
    assert warning.message.startswith(TOO_FEW)
    fine = burden_check.check(graph(), {"method": "workshop", "start": "2024-03-01", "publics": ["renters"]},
                          merge(DEFAULTS, ENOUGH))
    assert "coverage" not in [w.kind for w in fine.warnings] and not fine.coverage.too_few


# -- through the app ---------------------------------------------------------------

@pytest.fixture
def loaded(app_store):
    app_store.apply(Change(put_nodes=[dict(n) for n in NODES], put_edges=[dict(e) for e in EDGES]))
    return app_store


@pytest.fixture
def enough_client(tmp_path):
    """An app whose settings need only 2 engagements from 2 producers, loaded with the same records."""
    from registry import create_app
    from registry.store import store_for
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(ENOUGH))
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'enough.db'}",
                      "SECRET_KEY": "test-secret", "PATHWAYS_SETTINGS": str(path)})
    store_for(app).apply(Change(put_nodes=[dict(n) for n in NODES], put_edges=[dict(e) for e in EDGES]))
    yield app.test_client()
    app.extensions["pathways.store"].close()


def test_api_index_and_public_burden_carry_coverage(client, loaded):
    body = client.get("/api/v1/burden?as_of=2024-03-01").get_json()
    cov = body["coverage"]
    assert (cov["engagements"], cov["producers"], cov["too_few"], cov["message"]) == (2, 2, True, TOO_FEW)
    assert cov["latest"]["id"] == "quiet" and cov["as_of"] == "2024-03-01"
    one = client.get("/api/v1/publics/renters/burden?as_of=2024-03-01").get_json()
    assert one["coverage"] == cov and one["status"] == "ok"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "too_few" in spec["components"]["schemas"]["Coverage"]["properties"]


def test_api_check_carries_coverage_and_its_warning(client, loaded):
    body = client.post("/api/v1/burden/check", json={"method": "workshop", "start": "2024-03-01",
                                                     "publics": ["renters"]}).get_json()
    assert body["coverage"]["too_few"] and body["coverage"]["message"] == TOO_FEW
    assert "coverage" in [w["kind"] for w in body["warnings"]]


def test_dashboard_never_says_a_bare_ok_when_records_are_too_few(client, loaded):
    page = client.get("/burden?as_of=2024-03-01").get_data(as_text=True)
    assert 'id="burden-coverage" data-too-few="true"' in page and TOO_FEW in page
    assert "Silent survey" in page.split('id="burden-coverage"')[1].split("</p>")[0]    # the latest, linked
    publics = page.split('id="burden-publics"')[1].split("</table>")[0]
    assert "Too few records to judge" in publics and ">OK<" not in publics


def test_dashboard_says_ok_when_records_are_enough(enough_client):
    page = enough_client.get("/burden?as_of=2024-03-01").get_data(as_text=True)
    assert 'data-too-few="false"' in page
    assert "2 engagements from 2 producers are recorded for the 12 months to 1 March 2024." in page
    publics = page.split('id="burden-publics"')[1].split("</table>")[0]
    assert ">OK<" in publics and "Too few records" not in publics


def test_check_page_states_coverage(client, loaded):
    with client.session_transaction() as session:
        session["csrf_token"] = "t0ken"
    form = {"csrf_token": "t0ken", "method": "workshop", "start-day": "1", "start-month": "3", "start-year": "2024",
            "publics": ["renters"], "remunerated": "no"}
    page = client.post("/burden/check", data=form).get_data(as_text=True)
    assert 'id="check-coverage"' in page and TOO_FEW in page and 'data-kind="coverage"' in page
    table = page.split('id="check-publics"')[1].split("</table>")[0]
    assert ">OK<" not in table and "Too few records to judge" in table


def test_public_pages_state_coverage(client, loaded):
    today = dt.date.today()
    page = client.get("/publics/renters").get_data(as_text=True)
    assert 'id="public-burden-coverage" data-too-few="true"' in page
    assert "burden may be understated" in page and ">OK<" not in page.split('id="public-burden"')[1].split("</p>")[0]
    record = client.get("/records/renters").get_data(as_text=True)
    assert 'id="record-burden-coverage"' in record and "burden may be understated" in record
    assert f"to {today.day} {today:%B %Y}" in record


def test_cli_burden_states_coverage(cli):
    from pathlib import Path
    path = Path(__file__).parent / "_coverage_doc.json"
    try:
        path.write_text(json.dumps({"format": "pathways-graph", "version": 1, "nodes": NODES, "edges": EDGES}))
        assert cli("import", path)[0] == 0
    finally:
        path.unlink(missing_ok=True)
    code, out, _ = cli("burden", "--as-of", "2024-03-01")
    assert code == 0 and "warning: " + TOO_FEW in out and " ok " not in out
    code, out, _ = cli("burden", "--as-of", "2024-03-01", "--json")
    assert json.loads(out)["coverage"]["message"] == TOO_FEW


def test_on_the_seed_every_burden_view_states_its_coverage(cli, client):
    """The issue's "done when": the seed's dashboard, a public's page, the check and the API."""
    assert cli("seed")[0] == 0
    body = client.get("/api/v1/burden?as_of=2026-12-01").get_json()
    cov = body["coverage"]
    assert cov["too_few"] and cov["engagements"] < cov["min_engagements"]
    assert cov["message"].startswith(f"Only {cov['engagements']} engagement")
    assert cov["latest"]["id"].startswith("eng.")
    dashboard = client.get("/burden?as_of=2026-12-01").get_data(as_text=True)
    assert cov["message"] in dashboard
    assert ">OK<" not in dashboard.split('id="burden-publics"')[1].split("</table>")[0]
    public = client.get("/publics/pub.disabled-people").get_data(as_text=True)
    assert 'id="public-burden-coverage" data-too-few="true"' in public
    check = client.post("/api/v1/burden/check", json={"method": "focus_group", "start": "2026-12-01",
                                                      "publics": ["pub.disabled-people"]}).get_json()
    assert check["coverage"] == cov and "coverage" in [w["kind"] for w in check["warnings"]]
