"""Route feedback from the public as a factor of an intermediary's reach (issue 21, item 2).

People who contacted an intermediary (as the first contact of a signpost answer, or through "Report a
wrong contact" on its page) say whether they got an answer. Discovery weighs the counted reports about
it only when there are enough of them, on enough different days: enough good reports lift it, enough
"no reply" reports lower it, too few change nothing and a burst on one day changes nothing. Pure
functions first, then the page and the API on both stores.
"""
from __future__ import annotations

import datetime as _dt
import re

from graph import discovery as D
from graph import reach as R
from graph import transfer
from graph.settings import DEFAULTS, merge
from graph.stores.base import graph_from_records
from tests.provenance import cited

BOTH_STORES = True

SRC = {"source": "https://example.org/who-we-work-with", "verified": "2026-01-05"}
DAY = _dt.date(2026, 7, 1)


def node(id_, label, name, **props):
    return {"id": id_, "label": label, "name": name, **props}


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **cited(type_, props)}


# Alpha and Beta reach carers on equal evidence (each states it serves them), so Alpha is first by name.
DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    node("carers", "Public", "Unpaid carers"),
    node("alpha", "Intermediary", "Alpha", contact={"email": "hello@alpha.example"}),
    node("beta", "Intermediary", "Beta", contact={"email": "hello@beta.example"}),
    node("s", "Statistic", "Carers statistics")],
    "edges": [edge("REACHES", "alpha", "carers", role="serves", **SRC),
              edge("REACHES", "beta", "carers", role="serves", **SRC), edge("DESCRIBES", "s", "carers", role="about")]}


def reports(contact, outcomes, day=DAY, spread=True, status="open"):
    """Reports about ``contact``, one a day back from ``day`` (or all on ``day`` when not ``spread``)."""
    return [{"id": f"{contact}-{i}", "contact": contact, "outcome": o, "status": status,
             "at": f"{(day - _dt.timedelta(days=i + 1 if spread else 1)).isoformat()}T10:00:00+00:00"}
            for i, o in enumerate(outcomes)]


def order(rs, settings=DEFAULTS):
    found = D.discover(graph_from_records(DOC["nodes"], DOC["edges"]), "carers", settings, as_of=DAY, reports=rs)
    return found, [c.id for c in found.intermediaries]


def test_without_reports_the_order_is_by_name_and_nothing_is_said_about_feedback():
    found, ids = order(None)
    assert ids == ["alpha", "beta"]
    assert all(c.route_feedback is None and "route_feedback" not in c.factors for c in found.intermediaries)
    found, ids = order([])
    assert ids == ["alpha", "beta"] and found.intermediaries[1].route_feedback["enough_reports"] is False


def test_enough_good_reports_lift_an_intermediary():
    found, ids = order(reports("beta", ["answered"] * 5 + ["no_reply"]))
    assert ids == ["beta", "alpha"]
    beta = found.intermediaries[0]
    # 1 + 0.3 × (5 − 1) / 6
    assert beta.factors["route_feedback"] == 1.2 and beta.score == round(0.5 * 1.2, 4)
    assert "6 people reported on this contact in the last 12 months: 5 got an answer, 1 got no reply: × 1.2." \
        in beta.reasons
    assert beta.route_feedback == {"total": 6, "days": 6, "counts": {"answered": 5, "passed_on": 0, "no_reply": 1,
                                                                     "wrong_details": 0},
                                   "enough_reports": True, "factor": 1.2,
                                   "words": "6 people reported on this contact in the last 12 months: "
                                            "5 got an answer, 1 got no reply."}


def test_enough_no_reply_or_wrong_details_reports_lower_an_intermediary():
    found, ids = order(reports("alpha", ["no_reply"] * 4 + ["wrong_details", "passed_on"]))
    assert ids == ["beta", "alpha"]
    alpha = found.intermediaries[1]
    assert alpha.factors["route_feedback"] == 0.75  # 1 + 0.3 × (0 − 5) / 6
    assert any(r.startswith("6 people reported on this contact") and "1 found the details wrong" in r
               and "1 were passed on" in r for r in alpha.reasons)


def test_too_few_reports_change_nothing_and_show_no_number():
    found, ids = order(reports("beta", ["answered"] * 4))  # min_reports is 5
    assert ids == ["alpha", "beta"]
    beta = found.intermediaries[1]
    assert beta.factors["route_feedback"] == 1.0 and beta.score == 0.5
    said = [r for r in beta.reasons if "reports" in r]
    assert said == ["Not enough reports yet from people who contacted it to count."]
    assert not re.search(r"\d", said[0])


def test_one_clients_burst_on_one_day_changes_nothing():
    # Twenty "answered" in one day: more than min_reports, but on one day (ranking_min_days is 3).
    _found, ids = order(reports("beta", ["answered"] * 20, spread=False))
    assert ids == ["alpha", "beta"]
    # The same twenty a day apart do lift it, so it is the days, not the count, that held it back.
    assert order(reports("beta", ["answered"] * 20))[1] == ["beta", "alpha"]


def test_held_spam_old_and_other_contacts_reports_do_not_count():
    good = ["answered"] * 8
    for rs in (reports("beta", good, status="held"), reports("beta", good, status="spam"),
               reports("beta", good, day=DAY - _dt.timedelta(days=400)),  # before the 12-month window
               reports("beta", good, day=DAY + _dt.timedelta(days=30)),  # after the day ranked
               [dict(r, contact="carers") for r in reports("beta", good)]):
        assert order(rs)[1] == ["alpha", "beta"], rs[0]


def test_the_weight_and_the_minimum_are_settings():
    rs = reports("beta", ["answered"] * 4)
    fewer = merge(DEFAULTS, {"route_reports": {"min_reports": 4}})
    found, ids = order(rs, fewer)
    assert ids == ["beta", "alpha"] and found.intermediaries[0].factors["route_feedback"] == 1.3
    off = merge(fewer, {"reach": {"route_feedback_weight": 0.0}})
    assert order(rs, off)[1] == ["alpha", "beta"]


def test_route_feedback_is_pure_and_names_the_window():
    settings = merge(DEFAULTS, {"route_reports": {"window_days": 183}})
    f = R.route_feedback(reports("x", ["answered"] * 6), "x", settings, DAY)
    assert f.enough and f.words == "6 people reported on this contact in the last 6 months: 6 got an answer."


# -- the page and the API, on both stores --------------------------------------------------------

def _load(app_store, contact, outcomes, spread=True):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    today = _dt.date.today()
    for i, outcome in enumerate(outcomes):
        day = today - _dt.timedelta(days=(i + 1) if spread else 1)
        app_store.add_report({"contact": contact, "outcome": outcome}, at=f"{day.isoformat()}T10:00:00+00:00")


def test_the_page_and_the_api_lift_an_intermediary_people_got_answers_from(app_store, client):
    _load(app_store, "beta", ["answered"] * 11 + ["no_reply"] * 3)
    page = client.get("/publics/carers").get_data(as_text=True)
    assert re.findall(r'data-id="(\w+)"', page) == ["beta", "alpha"]
    assert "14 people reported on this contact in the last 12 months: 11 got an answer, 3 got no reply." in page
    assert "× 1.1714 route feedback" in page
    assert "Not enough reports yet from people who contacted it to count." in page  # alpha
    body = client.get("/api/v1/publics/carers/intermediaries").get_json()
    first, second = body["intermediaries"]
    assert first["id"] == "beta" and first["factors"]["route_feedback"] == 1.1714
    assert first["route_feedback"]["enough_reports"] and first["route_feedback"]["counts"]["answered"] == 11
    assert second["route_feedback"] == {"total": 0, "days": 0, "enough_reports": False, "factor": 1.0,
                                        "counts": {"answered": 0, "passed_on": 0, "no_reply": 0, "wrong_details": 0},
                                        "words": "Not enough reports yet from people who contacted it to count."}
    record = client.get("/records/carers").get_data(as_text=True)
    assert record.index('data-id="beta"') < record.index('data-id="alpha"')
    # Box 1 on the statistic's page and in the API ranks the same way.
    box = client.get("/api/v1/statistics/s/publics").get_json()
    assert [i["id"] for i in box["groups"][0]["publics"][0]["intermediaries"]] == ["beta", "alpha"]
    stat = client.get("/records/s").get_data(as_text=True)
    assert stat.index('href="/records/beta"') < stat.index('href="/records/alpha"')


def test_the_page_and_the_api_lower_one_nobody_replied_from_and_ignore_a_burst(app_store, client):
    _load(app_store, "alpha", ["no_reply"] * 6)
    assert [i["id"] for i in client.get("/api/v1/publics/carers/intermediaries").get_json()["intermediaries"]] \
        == ["beta", "alpha"]
    page = client.get("/publics/carers").get_data(as_text=True)
    assert re.findall(r'data-id="(\w+)"', page) == ["beta", "alpha"] and "× 0.7 route feedback" in page


def test_a_burst_of_reports_on_one_day_does_not_move_the_page_or_the_api(app_store, client):
    _load(app_store, "beta", ["answered"] * 12, spread=False)
    body = client.get("/api/v1/publics/carers/intermediaries").get_json()
    assert [i["id"] for i in body["intermediaries"]] == ["alpha", "beta"]
    assert body["intermediaries"][1]["route_feedback"]["total"] == 12
    assert not body["intermediaries"][1]["route_feedback"]["enough_reports"]
    page = client.get("/publics/carers").get_data(as_text=True)
    assert re.findall(r'data-id="(\w+)"', page) == ["alpha", "beta"] and " route feedback." not in page


def test_the_about_page_explains_the_route_feedback_factor(tmp_path):
    from registry import create_app
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'a.db'}", "SECRET_KEY": "t",
                      "ALGORITHMS": {"reach": {"route_feedback_weight": 0.25}, "route_reports": {"min_reports": 7}}})
    text = app.test_client().get("/about").get_data(as_text=True)
    assert 'id="discovery-route-feedback"' in text
    assert "Once at least 7 people have reported on the intermediary in the last 12 months" in text
    assert "1 + 0.25 × (the share who got an answer" in text and "to × 1.25 when everyone did" in text
