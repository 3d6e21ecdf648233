"""The burden model and the planning check, on tiny graphs."""
from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from graph import burden, burden_check
from graph.errors import InvalidRecord
from graph.settings import DEFAULTS, merge
from graph.stores import Change

D = dt.date.fromisoformat


def tiny(*engagements, public=None, intermediary=None):
    """A public 'p' (and intermediary 'i', producers 'ons' and 'dwp') with these engagements."""
    g = nx.MultiDiGraph()
    g.add_node("p", label="Public", name="Young carers", **(public or {}))
    g.add_node("i", label="Intermediary", name="Carers Trust", **(intermediary or {}))
    g.add_node("ons", label="Producer", name="ONS")
    g.add_node("dwp", label="Producer", name="DWP")
    for n, eng in enumerate(engagements):
        eng = dict(eng)
        eid = eng.pop("id", f"e{n}")
        producer = eng.pop("producer", "ons")
        via = eng.pop("via", False)
        eng.setdefault("status", "held")
        eng.setdefault("feedback_published", eng.get("end") or eng["start"])
        if eng["feedback_published"] is None:   # None: no feedback published
            del eng["feedback_published"]
        g.add_node(eid, label="Engagement", name=eng.pop("name", eid), **eng)
        g.add_edge(eid, "p", key="INVOLVED", type="INVOLVED")
        if via:
            g.add_edge(eid, "i", key="VIA", type="VIA")
        if producer:
            g.add_edge(producer, eid, key="RAN", type="RAN")
    return g


def one(g, as_of, settings=DEFAULTS, node="p"):
    return burden.score_node(g, node, D(as_of), settings)


# -- each factor on its own ---------------------------------------------------

@pytest.mark.parametrize("method,units", [("survey", 1.0), ("consultation", 2.0), ("focus_group", 3.0),
                                          ("co_design", 4.0), ("citizens_jury", 6.0)])
def test_method_weight_alone(method, units):
    s = one(tiny({"method": method, "start": "2024-01-01"}), "2024-01-01")
    assert s.units == units
    assert s.engagements[0].factors == {"method_weight": units, "recency": 1.0, "feedback_debt": 1.0,
                                        "remunerated": 1.0}


def test_method_weights_come_from_settings():
    settings = merge(DEFAULTS, {"burden": {"method_weights": {"survey": 5}}})
    assert one(tiny({"method": "survey", "start": "2024-01-01"}), "2024-01-01", settings).units == 5.0


def test_recency_halves_every_half_life():
    g = tiny({"method": "workshop", "start": "2024-01-01"})
    assert one(g, "2024-06-29").units == 1.5          # 180 days
    assert one(g, "2024-12-26").units == 0.75         # 360 days
    quick = merge(DEFAULTS, {"burden": {"half_life_days": 90}})
    assert one(g, "2024-03-31", quick).units == 1.5   # 90 days with a 90-day half-life


def test_feedback_debt_alone():
    g = tiny({"method": "survey", "start": "2024-01-01", "feedback_published": None})
    day90, day91 = one(g, "2024-03-31"), one(g, "2024-04-01")
    assert day90.engagements[0].factors["feedback_debt"] == 1.0
    assert day91.engagements[0].factors["feedback_debt"] == 1.5
    assert day91.units == round(1 * 0.5 ** (91 / 180) * 1.5, 3)
    # published feedback clears the debt — but only from the day it was published (replay)
    paid_back = tiny({"method": "survey", "start": "2024-01-01", "feedback_published": "2024-05-01"})
    assert one(paid_back, "2024-04-15").engagements[0].factors["feedback_debt"] == 1.5
    assert one(paid_back, "2024-05-01").engagements[0].factors["feedback_debt"] == 1.0


def test_remuneration_alone():
    g = tiny({"method": "focus_group", "start": "2024-01-01", "remunerated": True})
    s = one(g, "2024-01-01")
    assert s.units == 2.4 and s.engagements[0].factors["remunerated"] == 0.8


def test_capacity_and_thresholds():
    g = tiny({"method": "citizens_jury", "start": "2024-01-01"}, public={"capacity": 6},
             intermediary={"volunteer_led": True})
    assert (one(g, "2024-01-01").ratio, one(g, "2024-01-01").status) == (1.0, "over")
    g = tiny({"method": "citizens_jury", "start": "2024-01-01"}, public={"capacity": 8})
    assert (one(g, "2024-01-01").ratio, one(g, "2024-01-01").status) == (0.75, "high")
    assert one(tiny({"method": "citizens_jury", "start": "2024-01-01"}), "2024-01-01").status == "ok"
    strict = merge(DEFAULTS, {"burden": {"high_from": 0.5, "capacity_public": 5}})
    s = one(tiny({"method": "citizens_jury", "start": "2024-01-01"}), "2024-01-01", strict)
    assert (s.capacity, s.status) == (5.0, "over")


def test_intermediary_load_counts_engagements_via_it():
    g = tiny({"method": "workshop", "start": "2024-01-01", "via": True},
             {"method": "survey", "start": "2024-01-01"}, intermediary={"volunteer_led": True})
    s = one(g, "2024-01-01", node="i")
    assert (s.units, s.capacity, s.ratio) == (3.0, 6.0, 0.5)
    assert [c.engagement for c in s.engagements] == ["e0"]
    assert one(g, "2024-01-01").units == 4.0          # the public carries both


def test_only_held_or_reported_count_and_producers_are_distinct():
    g = tiny({"method": "survey", "start": "2024-01-01", "producer": "ons"},
             {"method": "survey", "start": "2024-01-01", "producer": "dwp", "status": "reported"},
             {"method": "survey", "start": "2024-01-01", "producer": "dwp", "status": "planned"})
    s = one(g, "2024-01-01")
    assert s.units == 2.0 and s.producers == ["dwp", "ons"] and len(s.engagements) == 2
    assert sum(c.units for c in s.engagements) == s.units


# -- the window -----------------------------------------------------------------

def test_window_boundary_uses_end_date():
    g = tiny({"method": "survey", "start": "2023-01-01", "end": "2023-06-01"})
    assert len(one(g, "2024-05-31").engagements) == 1      # 365 days after the end: inside
    assert len(one(g, "2024-06-01").engagements) == 0      # 366 days: outside
    narrow = merge(DEFAULTS, {"burden": {"window_days": 30}})
    assert one(g, "2023-07-01", narrow).units > 0 and one(g, "2023-07-02", narrow).units == 0


def test_running_engagement_counts_from_as_of_and_future_ones_not_at_all():
    g = tiny({"method": "workshop", "start": "2024-01-01", "end": "2024-12-31"})
    running = one(g, "2024-03-01")
    assert running.engagements[0].age_days == 0 and running.units == 3.0
    assert one(g, "2023-12-31").units == 0


# -- replay -----------------------------------------------------------------------

def test_replay_with_as_of():
    g = tiny({"method": "citizens_jury", "start": "2024-01-01", "producer": "ons"},
             {"method": "deliberation", "start": "2024-03-01", "producer": "dwp"})
    early, both, later = one(g, "2024-01-15"), one(g, "2024-03-01"), one(g, "2025-03-02")
    assert [c.engagement for c in early.engagements] == ["e0"]
    assert {c.engagement for c in both.engagements} == {"e0", "e1"} and both.status == "over"
    assert later.units == 0 and later.status == "ok"
    index = burden.burden_index(g, D("2024-03-01"), DEFAULTS)
    assert index.publics[0].id == "p" and index.window_days == 365 and index.as_of == D("2024-03-01")


def test_history_is_one_point_per_month():
    g = tiny({"method": "workshop", "start": "2024-01-10"})
    points = burden.history(g, "p", D("2024-12-15"), DEFAULTS)
    assert len(points) == 24 and points[-1].date == D("2024-12-15") and points[0].date == D("2023-01-31")
    assert [p.units for p in points[:12]] == [0.0] * 12 and points[12].units > points[13].units > 0


def test_feedback_debt_list():
    g = tiny({"id": "late", "method": "survey", "start": "2024-01-01", "feedback_published": "2024-09-01"},
             {"id": "never", "method": "survey", "start": "2024-02-01", "feedback_published": None},
             {"id": "soon", "method": "survey", "start": "2024-05-01", "feedback_published": None})
    rows = burden.feedback_debt(g, D("2024-06-01"), DEFAULTS)
    assert [(r.engagement, r.days_since_end, r.publics) for r in rows] == [("late", 152, ["p"]),
                                                                          ("never", 121, ["p"])]
    assert [r.engagement for r in burden.feedback_debt(g, D("2024-10-01"), DEFAULTS)] == ["never", "soon"]


# -- the planning check -------------------------------------------------------------

def test_planned_engagement_counts_only_in_a_check():
    g = tiny({"method": "citizens_jury", "start": "2024-03-01", "status": "planned"})
    assert one(g, "2024-03-01").units == 0
    result = burden_check.check(g, {"method": "citizens_jury", "start": "2024-03-01", "publics": ["p"]}, DEFAULTS)
    change = result.publics[0]
    assert change.before.units == 0 and change.after.units == 6.0
    assert [c.engagement for c in change.after.engagements] == ["draft"]


def test_check_warnings_and_suggestions():
    g = tiny({"id": "jury", "method": "citizens_jury", "start": "2024-01-01", "producer": "dwp"},
             {"id": "dwp-plan", "method": "survey", "start": "2024-04-20", "status": "planned", "producer": "dwp"},
             {"id": "ons-plan", "method": "survey", "start": "2024-04-20", "status": "planned", "producer": "ons"},
             {"id": "far-plan", "method": "survey", "start": "2024-09-01", "status": "planned", "producer": "dwp"},
             public={"rest_until": "2024-06-01", "capacity": 8})
    g.add_node("t", label="Topic", name="Caring")
    g.add_node("s", label="Statistic", name="Carers survey")
    g.add_edge("s", "t", key="ABOUT", type="ABOUT")
    g.add_edge("jury", "t", key="ON", type="ON")
    g.add_node("busy", label="Intermediary", name="Busy charity", capacity=2)
    g.add_edge("busy", "p", key="REACHES", type="REACHES")
    g.add_edge("i", "p", key="REACHES", type="REACHES", strength=0.9)
    g.add_edge("jury", "busy", key="VIA", type="VIA")
    draft = {"method": "workshop", "start": "2024-03-01", "publics": ["p"], "intermediaries": ["busy"],
             "on": ["s"], "producer": "ons"}
    result = burden_check.check(g, draft, DEFAULTS)
    kinds = [w.kind for w in result.warnings]
    assert "over" in kinds and "rest_until" in kinds
    join = next(w for w in result.warnings if w.kind == "join_up")
    assert [e["id"] for e in join.engagements] == ["dwp-plan"]      # not ONS's own, not beyond 60 days
    assert result.intermediaries[0].before.status == "over"
    suggestions = {s.kind: s for s in result.suggestions}
    assert [e["id"] for e in suggestions["use_existing_evidence"].engagements] == ["jury"]
    assert [r["id"] for r in suggestions["less_loaded_intermediary"].intermediaries] == ["i"]
    assert "remunerate" in suggestions
    paid = burden_check.check(g, {**draft, "remunerated": True}, DEFAULTS)
    assert "remunerate" not in {s.kind for s in paid.suggestions}


def test_check_refuses_bad_drafts_naming_the_field():
    g = tiny()
    with pytest.raises(InvalidRecord) as exc:
        burden_check.check(g, {"method": "workshop", "start": "2024-03-01", "end": "2024-02-01", "publics": []},
                       DEFAULTS)
    fields = {p.field for p in exc.value.problems}
    assert fields == {"end", "publics"}
    with pytest.raises(InvalidRecord) as exc:
        burden_check.check(g, {"method": "workshop", "start": "2024-03-01", "publics": ["nobody"]}, DEFAULTS)
    assert "no record with id 'nobody'" in str(exc.value)


def test_check_saves_nothing(sqlite_store):
    sqlite_store.apply(Change(put_nodes=[
        {"id": "p", "label": "Public", "name": "Young carers"},
        {"id": "ons", "label": "Producer", "name": "ONS"},
        {"id": "e1", "label": "Engagement", "name": "Jury", "method": "citizens_jury", "start": "2024-01-01",
         "status": "held"}],
        put_edges=[{"type": "INVOLVED", "from": "e1", "to": "p"}, {"type": "RAN", "from": "ons", "to": "e1"}]))
    before = (sqlite_store.revision(), sqlite_store.counts())
    result = burden_check.check(sqlite_store.graph(), {"method": "workshop", "start": "2024-02-01", "publics": ["p"],
                                                   "producer": "ons"}, DEFAULTS)
    assert result.publics[0].after.units > result.publics[0].before.units
    assert (sqlite_store.revision(), sqlite_store.counts()) == before
    assert "draft" not in sqlite_store.graph()
