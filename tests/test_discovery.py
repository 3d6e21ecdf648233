"""Discovery: ranking trusted intermediaries for a public, Box 1, producer gaps, the API, CLI and pages."""
from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

import pytest

from graph import box1 as B
from graph import discovery as D
from graph import transfer
from graph.errors import InvalidRecord, NodeNotFound
from graph.model import NATIONS
from graph.settings import DEFAULTS, merge
from graph.stores.base import graph_from_records
from tests.provenance import cited

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed" / "registry.json"


def node(id_, label, name=None, **props):
    return {"id": id_, "label": label, "name": name or id_.upper(), **props}


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **cited(type_, props)}


def graph(nodes, edges):
    return graph_from_records(nodes, edges)


def ranked(found):
    return [(c.id, c.score) for c in found.intermediaries]


PUBLIC = node("carers", "Public", "Unpaid carers")


# -- ranking ------------------------------------------------------------------
# A REACHES with a source: its role and an editor's strength and trust count only then.
SRC = {"source": "https://example.org/who-we-work-with", "verified": "2026-01-05"}
AS_OF = _dt.date(2026, 7, 1)


def sourced(src, dst, **props):
    return edge("REACHES", src, dst, **SRC, **props)


def test_a_sourced_judgement_counts_and_an_unsourced_one_does_not():
    g = graph([PUBLIC, node("weak", "Intermediary", "Aardvark forum"), node("strong", "Intermediary", "Zed trust")],
              # The model refuses such a REACHES now; one written before the rule must still not count.
              [{"type": "REACHES", "from": "weak", "to": "carers", "strength": 0.9, "trust": "high",
                "role": "represents"},
               sourced("strong", "carers", strength=0.9, trust="high", role="serves")])
    found = D.discover(g, "carers", DEFAULTS)
    assert ranked(found) == [("strong", 0.95), ("weak", 0.1)]  # serves 0.5 + 0.5 × 0.9 × 1.0; recorded 0.1
    top, weak = found.intermediaries
    assert top.direct and top.trust == "high" and top.strength == 0.9 and top.role == "serves"
    assert top.factors == {"role": 0.5, "judgement": 0.45, "evidence": 0.95, "umbrella": 1.0, "nation": 1.0,
                           "geography": 1.0, "load": 1.0, "partner": 1.0}
    assert top.reasons[0] == "It serves Unpaid carers (https://example.org/who-we-work-with, 2026-01-05)."
    assert top.reasons[1] == ("An editor's judgement (https://example.org/who-we-work-with, 2026-01-05): "
                              "strength 0.9, high trust.")
    # Without a source the numbers and the role are neither counted nor shown.
    assert weak.trust is None and weak.strength is None and weak.role is None
    assert weak.reasons[0] == "Recorded as reaching Unpaid carers, with no source given."
    assert not any("strength" in r or "trust" in r for r in weak.reasons)
    custom = merge(DEFAULTS, {"reach": {"recorded_points": 0.0, "judgement_points": 1.0}})
    assert ranked(D.discover(g, "carers", custom)) == [("strong", 1.4), ("weak", 0.0)]


def test_the_stated_role_is_worth_its_configured_points():
    g = graph([PUBLIC, node("r", "Intermediary", "Reps"), node("s", "Intermediary", "Serves"),
               node("i", "Intermediary", "Informs"), node("n", "Intermediary", "No role")],
              [sourced("r", "carers", role="represents"), sourced("s", "carers", role="serves"),
               sourced("i", "carers", role="informs"), sourced("n", "carers")])
    assert ranked(D.discover(g, "carers", DEFAULTS)) == [("r", 0.6), ("s", 0.5), ("n", 0.4), ("i", 0.3)]
    assert D.discover(g, "carers", DEFAULTS).intermediaries[2].reasons[0].startswith(
        "Recorded as reaching Unpaid carers (https://example.org/")


def engagement(id_, start, **props):
    return node(id_, "Engagement", f"Engagement {id_}", method="workshop", start=start,
                **{"status": "reported", **props})


def test_engagements_through_it_with_the_public_are_the_evidence():
    """Count, recency (the burden model's half-life), participants and feedback published or owed;
    an unconfirmed link, another public's engagement and a planned one are no evidence."""
    nodes = [PUBLIC, node("other", "Public", "Others"), node("a", "Intermediary", "Alpha"),
             node("b", "Intermediary", "Beta"), node("ons", "Producer", "ONS"),
             engagement("e1", "2026-07-01", feedback_published="2026-07-01"),   # today, published
             engagement("e2", "2025-12-03", participants=50),                  # 210 days ago, owes feedback
             engagement("e3", "2026-06-01"),                                   # proposed link only
             engagement("e4", "2026-06-01"),                                   # another public
             engagement("e5", "2026-06-01", status="planned")]
    edges = [edge("VIA", e, "a") for e in ("e1", "e2", "e3", "e4", "e5")]
    edges += [edge("INVOLVED", "e1", "carers"), edge("INVOLVED", "e2", "carers"),
              edge("INVOLVED", "e3", "carers", confirmed=False), edge("INVOLVED", "e4", "other"),
              edge("INVOLVED", "e5", "carers"), edge("RAN", "ons", "e1"), sourced("b", "carers", role="serves")]
    g = graph(nodes, edges)
    found = D.discover(g, "carers", DEFAULTS, as_of=AS_OF)
    a = next(c for c in found.intermediaries if c.id == "a")
    # e1: 1 × 1 × 1; e2: 1 × 0.5 ** (210 / 180) × (1 + 0.5) × 0.5 (owes feedback) = 0.334
    assert [(e["id"], e["recency"], e["feedback"], e["points"]) for e in a.evidence["engagements"]] == [
        ("e2", 0.445449, "owed", 0.3341), ("e1", 1.0, "published", 1.0)]
    assert a.score == 1.3341 and a.factors["engagements"] == 1.3341
    assert a.summary == ("2 engagements with Unpaid carers through Alpha since 2025; feedback published for 1, "
                         "owed for 1.")
    assert a.reasons[0] == a.summary and a.evidence["engagements"][1]["producers"] == ["ONS"]
    assert [c.id for c in found.intermediaries] == ["a", "b"]  # no REACHES needed: the engagements show it
    later = merge(DEFAULTS, {"burden": {"half_life_days": 30}, "reach": {"feedback_owed_factor": 1.0}})
    e2 = D.discover(g, "carers", later, as_of=AS_OF).intermediaries
    assert next(c for c in e2 if c.id == "a").evidence["engagements"][0]["points"] == round(
        0.5 ** (210 / 30) * 1.5, 4)
    before = D.discover(g, "carers", DEFAULTS, as_of=_dt.date(2025, 1, 1))
    assert [c.id for c in before.intermediaries] == ["b"]  # nothing had happened through Alpha yet


def test_umbrella_route_is_found_and_scored_with_the_umbrella_factor():
    g = graph([PUBLIC, node("local", "Intermediary", "Carers Cardiff"), node("umb", "Intermediary", "Carers Wales"),
               node("ug", "UserGroup", "A user group")],
              [sourced("local", "carers", role="serves"),
               edge("MEMBER_OF", "local", "umb"), edge("MEMBER_OF", "local", "ug")])
    found = D.discover(g, "carers", DEFAULTS)
    assert ranked(found) == [("local", 0.5), ("umb", 0.4)]  # 0.5 × 0.8; the user group is no intermediary
    umb = found.intermediaries[1]
    assert not umb.direct and umb.hops == 2 and umb.path == ["umb", "local", "carers"]
    assert umb.path_names == ["Carers Wales", "Carers Cardiff", "Unpaid carers"]
    assert umb.factors["umbrella"] == 0.8 and umb.role == "serves"
    assert umb.reasons[0] == "Umbrella body: reaches Unpaid carers through its member Carers Cardiff (× 0.8)."
    other = merge(DEFAULTS, {"discovery": {"umbrella_factor": 0.5}})
    assert ranked(D.discover(g, "carers", other)) == [("local", 0.5), ("umb", 0.25)]


def test_an_intermediarys_score_is_its_best_route():
    g = graph([PUBLIC, node("a", "Intermediary"), node("b", "Intermediary"), node("umb", "Intermediary")],
              [sourced("a", "carers", role="informs"), edge("MEMBER_OF", "a", "umb"),
               sourced("b", "carers", role="represents"), edge("MEMBER_OF", "b", "umb"),
               sourced("umb", "carers")])
    umb = next(c for c in D.discover(g, "carers", DEFAULTS).intermediaries if c.id == "umb")
    assert umb.score == 0.48 and umb.path == ["umb", "b", "carers"]  # beats its own direct 0.4 and via a 0.24


def test_depth_never_exceeds_max_hops_and_loops_end():
    chain = [node(f"u{i}", "Intermediary", f"Level {i}") for i in range(6)]
    edges = [sourced("u0", "carers", role="represents")]
    edges += [edge("MEMBER_OF", f"u{i}", f"u{i + 1}") for i in range(5)]
    edges += [edge("MEMBER_OF", "u2", "u0")]  # a loop back down the chain
    g = graph([PUBLIC, *chain], edges)
    found = D.discover(g, "carers", DEFAULTS)
    assert [c.id for c in found.intermediaries] == ["u0", "u1", "u2"]
    assert max(c.hops for c in found.intermediaries) == 3
    assert all(len(c.path) == len(set(c.path)) for c in found.intermediaries)
    two = merge(DEFAULTS, {"discovery": {"max_hops": 2}})
    assert [c.hops for c in D.discover(g, "carers", two).intermediaries] == [1, 2]


def test_an_over_loaded_intermediary_drops_below_an_equal_one_that_is_not():
    g = graph([PUBLIC, node("busy", "Intermediary", "Alpha"), node("free", "Intermediary", "Beta")],
              [sourced("busy", "carers", role="serves"), sourced("free", "carers", role="serves")])
    assert [c.id for c in D.discover(g, "carers", DEFAULTS).intermediaries] == ["busy", "free"]  # tie: by name
    loads = {"busy": "over", "free": "ok"}
    found = D.discover(g, "carers", DEFAULTS, load_status=loads.get)
    assert ranked(found) == [("free", 0.5), ("busy", 0.25)]
    assert found.intermediaries[1].load_status == "over" and found.intermediaries[1].factors["load"] == 0.5
    assert any("over its capacity: × 0.5" in r for r in found.intermediaries[1].reasons)
    high = D.discover(g, "carers", DEFAULTS, load_status={"busy": "high", "free": "ok"}.get)
    assert ranked(high) == [("free", 0.5), ("busy", 0.375)]


def test_load_comes_from_the_burden_of_engagements_via_the_intermediary():
    nodes = [PUBLIC, node("busy", "Intermediary", "Alpha", volunteer_led=True), node("free", "Intermediary", "Beta"),
             node("ons", "Producer", "ONS")]
    edges = [sourced("busy", "carers", role="serves"), sourced("free", "carers", role="serves")]
    for i in range(2):  # two recent citizens' juries through a volunteer-led body: 12 units on a capacity of 6
        nodes.append(node(f"e{i}", "Engagement", f"Jury {i}", method="citizens_jury", start="2026-01-10",
                          end="2026-01-10", status="reported", feedback_published="2026-02-01"))
        edges += [edge("VIA", f"e{i}", "busy"), edge("RAN", "ons", f"e{i}")]
    g = graph(nodes, edges)
    status = D.load_from_burden(g, DEFAULTS, _dt.date(2026, 1, 10))
    found = D.discover(g, "carers", DEFAULTS, producer="ons", load_status=status)
    assert [(c.id, c.load_status) for c in found.intermediaries] == [("free", "ok"), ("busy", "over")]
    assert found.intermediaries[1].partners == []  # the asking producer is not told to join up with itself
    other = D.discover(g, "carers", DEFAULTS, load_status=status)
    assert other.intermediaries[1].partners == [{"id": "ons", "name": "ONS", "how": ["ran Jury 0 through it",
                                                                                      "ran Jury 1 through it"]}]


def test_a_partnership_raises_the_score():
    g = graph([PUBLIC, node("a", "Intermediary", "Alpha"), node("b", "Intermediary", "Beta"),
               node("wg", "Producer", "Welsh Government"), node("dwp", "Producer", "DWP")],
              [sourced("a", "carers", role="serves"),
               sourced("b", "carers", role="informs", strength=0.3, trust="high"),  # 0.3 + 0.5 × 0.3
               edge("PARTNERS_WITH", "wg", "b", **SRC), edge("PARTNERS_WITH", "dwp", "b", **SRC)])
    assert ranked(D.discover(g, "carers", DEFAULTS)) == [("a", 0.5), ("b", 0.45)]
    found = D.discover(g, "carers", DEFAULTS, producer="wg")
    assert ranked(found) == [("b", 0.54), ("a", 0.5)]
    b = found.intermediaries[0]
    assert b.partner and b.factors["partner"] == 1.2
    assert [p["id"] for p in b.partners] == ["dwp"]  # join up with the others, not yourself
    assert any("Welsh Government already partners with it" in r for r in b.reasons)
    assert any(r.startswith("Join up with DWP") for r in b.reasons)


FAMILY = [PUBLIC, node("a", "Intermediary", "Alpha"), node("b", "Intermediary", "Beta"),
          node("c", "Intermediary", "Gamma"),
          node("uksa", "Producer", "UK Statistics Authority"), node("ons", "Producer", "ONS"),
          node("census", "Producer", "Census team", kind="team"), node("pop", "Producer", "Population team"),
          node("dwp", "Producer", "DWP")]
# Each sourced with no role (0.4) and an editor's strength at high trust (+ 0.5 × strength): 0.85, 0.8, 0.75.
FAMILY_EDGES = [sourced("a", "carers", strength=0.9, trust="high"),
                sourced("b", "carers", strength=0.8, trust="high"),
                sourced("c", "carers", strength=0.7, trust="high"),
                edge("PART_OF", "census", "ons"), edge("PART_OF", "pop", "ons"), edge("PART_OF", "ons", "uksa"),
                edge("PARTNERS_WITH", "uksa", "b", **SRC), edge("PARTNERS_WITH", "census", "c", **SRC),
                edge("PARTNERS_WITH", "pop", "a", **SRC), edge("PARTNERS_WITH", "dwp", "b", **SRC)]


def test_a_partnership_anywhere_in_the_askers_family_raises_the_score_once():
    g = graph(FAMILY, FAMILY_EDGES)
    # ONS asks: UKSA above it partners with Beta, its Census team with Gamma; Alpha's partner is a team too.
    found = D.discover(g, "carers", DEFAULTS, producer="ons")
    assert ranked(found) == [("a", 1.02), ("b", 0.96), ("c", 0.9)]
    beta = found.intermediaries[1]
    assert beta.partner_via == [{"id": "uksa", "name": "UK Statistics Authority", "relation": "parent"}]
    assert "UK Statistics Authority, which ONS is part of, already partners with it: × 1.2." in beta.reasons
    assert [p["id"] for p in beta.partners] == ["dwp"]  # the family is the reason, not someone to join up with
    gamma = found.intermediaries[2]
    assert "Census team, a team or part of ONS, already partners with it: × 1.2." in gamma.reasons
    # The Census team asks: ONS and UKSA are above it; its sibling Population team is not its family.
    team = D.discover(g, "carers", DEFAULTS, producer="census")
    assert ranked(team) == [("b", 0.96), ("c", 0.9), ("a", 0.85)]
    alpha = next(c for c in team.intermediaries if c.id == "a")
    assert not alpha.partner and [p["id"] for p in alpha.partners] == ["pop"]  # a sibling: join up with it
    # Two of the family partner with the same body: the factor counts once, and both are named.
    both = graph(FAMILY, FAMILY_EDGES + [edge("PARTNERS_WITH", "ons", "b", **SRC)])
    beta = next(c for c in D.discover(both, "carers", DEFAULTS, producer="census").intermediaries if c.id == "b")
    assert beta.score == 0.96 and beta.factors["partner"] == 1.2
    assert [m["id"] for m in beta.partner_via] == ["ons", "uksa"]
    assert ("Part of your organisation already partners with it: ONS, which Census team is part of; "
            "UK Statistics Authority, which Census team is part of: × 1.2.") in beta.reasons
    assert ranked(D.discover(g, "carers", DEFAULTS, producer="dwp")) == [("b", 0.96), ("a", 0.85), ("c", 0.75)]


def test_the_askers_family_counts_on_both_stores(store):
    from graph.stores import Change
    store.apply(Change(
        put_nodes=FAMILY + [node("sub", "Producer", "Census quality", kind="team")],
        put_edges=FAMILY_EDGES + [edge("PART_OF", "sub", "census"), edge("PARTNERS_WITH", "sub", "a", **SRC)],
        actor="test"))
    sub = D.discover(store.graph(), "carers", DEFAULTS, producer="sub")
    # itself, the Census team one step up and UKSA three steps up all count
    assert ranked(sub) == [("a", 1.02), ("b", 0.96), ("c", 0.9)]
    assert [c.partner_via[0]["relation"] for c in sub.intermediaries] == ["itself", "parent", "parent"]


def test_topic_narrows_to_routes_working_on_it_or_a_narrower_or_broader_topic():
    g = graph([PUBLIC, node("housing", "Topic", "Housing"), node("rent", "Topic", "Renting"),
               node("health", "Topic", "Health"), node("a", "Intermediary", "Alpha"),
               node("b", "Intermediary", "Beta"), node("c", "Intermediary", "Gamma"), node("umb", "Intermediary")],
              [edge("BROADER", "rent", "housing"),
               edge("REACHES", "a", "carers", strength=0.9, trust="high"), edge("WORKS_ON", "a", "health"),
               edge("REACHES", "b", "carers", strength=0.5), edge("WORKS_ON", "b", "rent"),
               edge("REACHES", "c", "carers", strength=0.4), edge("WORKS_ON", "c", "housing"),
               edge("MEMBER_OF", "b", "umb")])
    found = D.discover(g, "carers", DEFAULTS, topic="housing")
    assert [c.id for c in found.intermediaries] == ["b", "c", "umb"]  # c ties umb at 0.3: by name
    assert found.intermediaries[2].topics == [{"id": "rent", "name": "Renting", "label": "Topic"}]
    assert [c.id for c in D.discover(g, "carers", DEFAULTS, topic="rent").intermediaries] == ["b", "c", "umb"]
    none = D.discover(graph([PUBLIC, node("t", "Topic"), node("a", "Intermediary")],
                            [edge("REACHES", "a", "carers")]), "carers", DEFAULTS, topic="t")
    assert none.no_route and none.unfiltered == 1 and "Look again without the topic" in none.advice[0]


def test_no_known_route_gives_leads_and_what_to_do():
    g = graph([PUBLIC, node("s", "Statistic", "Carers allowance"), node("t", "Topic", "Care"),
               node("i", "Intermediary", "Carers Trust"), node("ug", "UserGroup", "Care statistics users")],
              [edge("DESCRIBES", "s", "carers"), edge("ABOUT", "s", "t"), edge("WORKS_ON", "i", "t"),
               edge("COVERS", "ug", "t")])
    found = D.discover(g, "carers", DEFAULTS)
    assert found.no_route and found.intermediaries == []
    assert [x["id"] for x in found.leads] == ["i", "ug"]
    assert found.advice[0].startswith("No known route") and any("add it to the registry" in a for a in found.advice)


def test_bad_questions_name_the_record_and_field():
    g = graph([PUBLIC, node("t", "Topic"), node("ons", "Producer")], [])
    with pytest.raises(NodeNotFound):
        D.discover(g, "nobody", DEFAULTS)
    with pytest.raises(InvalidRecord, match="'t' is a Topic; give the id of a Public"):
        D.discover(g, "t", DEFAULTS)
    with pytest.raises(InvalidRecord) as exc:
        D.discover(g, "carers", DEFAULTS, producer="t")
    assert exc.value.problems[0].field == "producer"
    with pytest.raises(InvalidRecord, match="'nope' is not in the registry; give the id of a Topic"):
        D.discover(g, "carers", DEFAULTS, topic="nope")


TINY = {"format": "pathways-graph", "version": 1, "nodes": [
    PUBLIC, node("ons", "Producer", "ONS"), node("dwp", "Producer", "DWP"),
    node("housing", "Topic", "Housing"),
    node("a", "Intermediary", "Alpha", contact={"email": "hello@alpha.example"}), node("b", "Intermediary", "Beta"),
    node("c", "Intermediary", "Gamma"),
    node("d", "Intermediary", "Delta"), node("umb", "Intermediary", "Umbrella"), node("top", "Intermediary", "Top"),
    node("far", "Intermediary", "Too far"),
    node("e1", "Engagement", "Carers' panel", method="panel_meeting", start="2026-01-01", status="planned")],
    "edges": [
    edge("INVOLVED", "e1", "carers"),  # planned: no evidence of reach yet
    # sourced, no role: 0.4 + 0.5 × strength × trust
    sourced("a", "carers", strength=0.6, trust="medium"),  # 0.625
    sourced("b", "carers", strength=0.6, trust="medium"),  # ties with a: by name
    sourced("c", "carers", strength=0.9, trust="high"),  # 0.85
    sourced("d", "carers", strength=0.5, trust="low"),  # 0.525
    edge("MEMBER_OF", "c", "umb"), edge("MEMBER_OF", "umb", "top"), edge("MEMBER_OF", "top", "far"),
    edge("PARTNERS_WITH", "ons", "d", **SRC), edge("WORKS_ON", "b", "housing"),
    edge("VIA", "e1", "a"), edge("RAN", "dwp", "e1")]}
TINY_ORDER = [("c", 0.85), ("umb", 0.68), ("d", 0.63), ("a", 0.625), ("b", 0.625), ("top", 0.544)]


def test_both_stores_give_the_same_order(store):
    transfer.import_document(store, transfer.document_from_data(TINY))
    found = D.discover(store.graph(), "carers", DEFAULTS, producer="ons")
    assert ranked(found) == TINY_ORDER
    assert found.intermediaries[3].partners == [{"id": "dwp", "name": "DWP", "how": ["ran Carers' panel through it"]}]
    topic = D.discover(store.graph(), "carers", DEFAULTS, topic="housing")
    assert ranked(topic) == [("b", 0.625)]


# -- nation and what intermediaries declare ----------------------------------------

WALES_NODES = [node("wp", "Public", "Welsh carers", geography="Wales"), node("cymru", "Intermediary", "Carers Cymru",
               nations=["wales"]), node("uk", "Intermediary", "Carers Everywhere", nations=list(NATIONS)),
               node("eng", "Intermediary", "Carers England", nations=["england"]),
               node("nowhere", "Intermediary", "Carers Somewhere")]
WALES_EDGES = [sourced("cymru", "wp", role="informs"), sourced("uk", "wp", role="represents"),
               sourced("eng", "wp", role="represents"), sourced("nowhere", "wp", role="represents")]


def test_a_public_of_one_nation_is_reached_by_its_own_bodies_first_then_uk_wide_ones():
    found = D.discover(graph(WALES_NODES, WALES_EDGES), "wp", DEFAULTS)
    # Carers Cymru has the lowest points but is Wales's own body; another nation's body comes last.
    assert [(c.id, c.nation_tier, c.score) for c in found.intermediaries] == [
        ("cymru", 0, 0.3), ("uk", 1, 0.6), ("nowhere", 2, 0.54), ("eng", 3, 0.18)]
    assert "A body of Wales." in found.intermediaries[0].reasons
    assert "Works in England, not in Wales. × 0.3." in found.intermediaries[3].reasons
    assert "The nations it works in are not recorded. × 0.9." in found.intermediaries[2].reasons


def test_asking_for_a_nation_filters_and_ranks_for_it():
    nodes = [node("all", "Public", "Carers", geography="UK"), *WALES_NODES[1:]]
    edges = [sourced(i, "all", role=r) for i, r in (("cymru", "informs"), ("uk", "represents"),
                                                    ("eng", "represents"), ("nowhere", "serves"))]
    g = graph(nodes, edges)
    everyone = D.discover(g, "all", DEFAULTS)
    assert [c.id for c in everyone.intermediaries] == ["uk", "eng", "nowhere", "cymru"]  # 0.6, 0.51, 0.45, 0.255
    wales = D.discover(g, "all", DEFAULTS, nation="wales")
    assert wales.nation == "wales" and [c.id for c in wales.intermediaries] == ["cymru", "uk", "nowhere"]
    with pytest.raises(InvalidRecord) as exc:
        D.discover(g, "all", DEFAULTS, nation="cornwall")
    assert exc.value.problems[0].field == "nation"


def test_one_not_accepting_requests_drops_below_those_that_are_with_the_reason():
    nodes = [PUBLIC, node("busy", "Intermediary", "Alpha", accepting_requests="no", how_to_approach="commission",
                          expects_remuneration=True, stated_capacity="Two projects a year"),
             node("open", "Intermediary", "Beta", accepting_requests="by_arrangement")]
    g = graph(nodes, [sourced("busy", "carers", role="represents"), sourced("open", "carers", role="informs")])
    found = D.discover(g, "carers", DEFAULTS)
    assert [(c.id, c.not_accepting) for c in found.intermediaries] == [("open", False), ("busy", True)]
    busy = found.intermediaries[1]
    assert "It says it is not accepting requests, so it is listed after those that are." in busy.reasons
    assert busy.declarations == {"accepting_requests": "no", "stated_capacity": "Two projects a year",
                                 "how_to_approach": "commission", "expects_remuneration": True,
                                 "words": ["Not accepting requests.", "It says it can take on: Two projects a year.",
                                           "Approach it by commissioning it.", "It expects participants to be paid."]}
    assert found.intermediaries[0].declarations["words"] == ["Accepts requests by arrangement."]


def test_the_declarations_are_checked_by_the_model():
    from graph import model
    ok = model.validate_node({"id": "x", "label": "Intermediary", "name": "X", "accepting_requests": "by_arrangement",
                              "how_to_approach": "membership_body", "expects_remuneration": False,
                              "stated_capacity": "One a quarter"})
    assert ok == []
    bad = model.validate_node({"id": "x", "label": "Intermediary", "name": "X", "accepting_requests": "maybe",
                               "how_to_approach": "by post", "expects_remuneration": "yes"})
    assert sorted(p.field for p in bad) == ["accepting_requests", "expects_remuneration", "how_to_approach"]


# -- Box 1 and the producer's gaps ---------------------------------------------

BOX = graph([node("stat", "Statistic", "Carers statistics"), node("ons", "Producer", "ONS"),
             node("team", "Producer", "ONS carers team"), node("dwp", "Producer", "DWP"),
             PUBLIC, node("resp", "Public", "Survey respondents"), node("young", "Public", "Young carers"),
             node("a", "Intermediary", "Alpha"), node("b", "Intermediary", "Beta"), node("c", "Intermediary", "Gamma")],
            [edge("PART_OF", "team", "ons"), edge("PRODUCES", "team", "stat"),
             edge("DESCRIBES", "stat", "carers", role="about"), edge("DESCRIBES", "stat", "resp", role="collected_from"),
             edge("DESCRIBES", "stat", "young", role="left_out"),
             edge("REACHES", "a", "carers", strength=0.9, trust="high"), edge("REACHES", "b", "carers", strength=0.2),
             edge("REACHES", "c", "young", strength=0.5), edge("PARTNERS_WITH", "dwp", "c"),
             edge("PARTNERS_WITH", "ons", "a")])


def test_box1_groups_publics_by_role_with_their_top_intermediaries():
    box = B.box1(BOX, "stat", DEFAULTS, top=1)
    groups = {g.role: g for g in box.groups}
    assert list(groups) == ["about", "collected_from", "affected", "left_out"]
    about = groups["about"].rows[0]
    assert about.public["id"] == "carers" and [c.id for c in about.intermediaries] == ["a"] and about.total == 2
    assert groups["collected_from"].rows[0].no_route and groups["affected"].rows == []
    assert [r.public["id"] for r in box.without_route] == ["resp"]
    assert groups["left_out"].question == "Who might be left out of your statistics?"
    with pytest.raises(NodeNotFound):
        B.box1(BOX, "missing", DEFAULTS)


def test_producer_gaps_list_publics_without_a_partner_route_and_who_others_use():
    gaps = B.producer_gaps(BOX, "ons", DEFAULTS)
    assert gaps.family == ["ons", "team"] and gaps.publics == 3
    by_public = {g.public["id"]: g for g in gaps.gaps}
    assert sorted(by_public) == ["resp", "young"]  # carers: ONS partners with Alpha
    assert [c.id for c in by_public["young"].used_by_others] == ["c"]
    assert by_public["young"].used_by_others[0].partners[0]["id"] == "dwp"
    assert by_public["resp"].no_route and by_public["young"].statistics[0]["id"] == "stat"


# -- the seed registry ------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from graph.stores import open_store
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seed.db'}")
    transfer.import_document(store, transfer.read_document(SEED))
    yield store
    store.close()


def test_every_seed_public_has_a_ranked_list_or_an_explicit_no_known_route(seeded):
    publics = [n for n in seeded.iter_nodes() if n["label"] == "Public"]
    assert len(publics) > 20
    whole = seeded.graph()
    for public in publics:
        found = D.discover(whole, public["id"], DEFAULTS, load_status=D.load_from_burden(whole, DEFAULTS))
        if found.no_route:
            assert found.advice and found.advice[0].startswith("No known route"), public["id"]
        else:
            keys = [(c.not_accepting, c.nation_tier, -c.score) for c in found.intermediaries]
            assert keys == sorted(keys) and all(c.score >= 0 for c in found.intermediaries)
            assert all(c.reasons and c.summary for c in found.intermediaries)
            # Every reason names evidence or a sourced statement: no unsourced number is shown.
            for c in found.intermediaries:
                if not c.evidence["source"]:
                    assert c.trust is None and c.strength is None and c.role is None, (public["id"], c.id)
                    assert not any("strength" in r for r in c.reasons), (public["id"], c.id)


# -- API, CLI and pages ---------------------------------------------------------

def test_api_ranks_with_the_contract_shape(app_store, client):
    transfer.import_document(app_store, transfer.document_from_data(TINY))
    r = client.get("/api/v1/publics/carers/intermediaries?producer=ons")
    assert r.status_code == 200
    body = r.get_json()
    assert {"public", "burden", "intermediaries"} <= set(body)
    assert body["public"]["id"] == "carers" and body["burden"]["status"] == "ok"
    first = body["intermediaries"][0]
    assert {"id", "name", "score", "path", "direct", "trust", "strength", "load_status", "partners"} <= set(first)
    assert [(i["id"], i["score"]) for i in body["intermediaries"]] == TINY_ORDER
    delta = next(i for i in body["intermediaries"] if i["id"] == "d")
    assert delta["partner"] and delta["factors"]["partner"] == 1.2 and delta["score"] == 0.63  # 0.525 × 1.2
    # The factors and the evidence they rest on, with the judgement's source and date.
    assert delta["evidence"]["judgement"] == {"strength": 0.5, "trust": "low", "trust_factor": 0.5, "points": 0.125,
                                              "source": SRC["source"], "verified": SRC["verified"]}
    assert delta["evidence"]["factors"][0] == {"key": "sourced", "kind": "points", "value": 0.4,
                                               "words": f"Recorded as reaching Unpaid carers ({SRC['source']}, "
                                                        f"{SRC['verified']})."}
    assert delta["summary"] == "No engagement with Unpaid carers through Delta is recorded."
    alpha = next(i for i in body["intermediaries"] if i["id"] == "a")
    assert alpha["contact"] == {"email": "hello@alpha.example"} and alpha["declarations"] == {"words": []}
    assert client.get("/api/v1/publics/carers/intermediaries?nation=wales").get_json()["nation"] == "wales"
    bad_nation = client.get("/api/v1/publics/carers/intermediaries?nation=cornwall")
    assert bad_nation.status_code in (400, 422) and "nation" in json.dumps(bad_nation.get_json()["errors"])
    assert client.get("/api/v1/publics/carers/intermediaries?topic=housing").get_json()["intermediaries"][0]["id"] == "b"
    missing = client.get("/api/v1/publics/nobody/intermediaries")
    assert missing.status_code == 404 and missing.get_json()["message"] == "no record with id 'nobody'"
    bad = client.get("/api/v1/publics/carers/intermediaries?topic=ons")
    assert bad.status_code == 400 and bad.get_json()["errors"] == {
        "query": {"topic": ["'ons' is a Producer; give the id of a Topic"]}}
    assert "/api/v1/publics/{node_id}/intermediaries" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_api_raises_partners_of_the_askers_family(app_store, client):
    from graph.stores import Change
    app_store.apply(Change(put_nodes=FAMILY, put_edges=FAMILY_EDGES, actor="test"))
    body = client.get("/api/v1/publics/carers/intermediaries?producer=census").get_json()
    assert [(i["id"], i["score"], i["partner"]) for i in body["intermediaries"]] == [
        ("b", 0.96, True), ("c", 0.9, True), ("a", 0.85, False)]
    assert "UK Statistics Authority, which Census team is part of, already partners with it: × 1.2." in \
        body["intermediaries"][0]["reasons"]
    assert [p["relation"] for p in body["intermediaries"][0]["partner_via"]] == ["parent"]
    assert body["intermediaries"][2]["partner_via"] == []


def test_api_box1_for_a_statistic(app_store, client):
    data = {"format": "pathways-graph", "version": 1,
            "nodes": [{"id": n, **BOX.nodes[n]} for n in BOX.nodes],
            "edges": [{"type": k, "from": u, "to": v, **{p: x for p, x in d.items() if p != "type"}}
                      for u, v, k, d in BOX.edges(keys=True, data=True)]}
    transfer.import_document(app_store, transfer.document_from_data(data))
    body = client.get("/api/v1/statistics/stat/publics?top=1").get_json()
    assert [g["role"] for g in body["groups"]] == ["about", "collected_from", "affected", "left_out"]
    assert body["groups"][0]["publics"][0]["intermediaries"][0]["id"] == "a"
    assert body["without_route"] == ["resp"]
    assert client.get("/api/v1/statistics/carers/publics").status_code == 400  # a public, not a statistic
    assert client.get("/api/v1/statistics/stat/publics?top=0").status_code == 400


def test_cli_intermediaries(cli, tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY))
    assert cli("import", path)[0] == 0
    code, out, _err = cli("intermediaries", "carers", "--producer", "ons")
    assert code == 0
    lines = [line for line in out.splitlines() if re.match(r"\s+\d+\. ", line)]
    assert [line.split("(")[1].split(")")[0] for line in lines] == [i for i, _s in TINY_ORDER]
    assert "Join up with DWP" in out and "Umbrella body" in out and "contact: hello@alpha.example" in out
    code, out, _err = cli("intermediaries", "carers", "--nation", "scotland")
    assert code == 0 and "in Scotland" in out.splitlines()[0]
    code, _out, err = cli("intermediaries", "carers", "--nation", "cornwall")
    assert code != 0 and "cornwall" in err
    code, out, _err = cli("intermediaries", "carers", "--topic", "housing", "--json")
    assert code == 0 and [i["id"] for i in json.loads(out)["intermediaries"]] == ["b"]
    code, _out, err = cli("intermediaries", "nobody")
    assert code == 1 and "no record matches 'nobody'" in err
    code, _out, err = cli("intermediaries", "carers", "--producer", "housing")
    assert code == 1 and "producer" in err and "Housing" not in _out


def test_every_seed_public_has_a_page_with_a_ranked_list_or_no_known_route(app_store, client):
    transfer.import_document(app_store, transfer.read_document(SEED))
    listing = client.get("/publics").get_data(as_text=True)
    publics = [n for n in app_store.iter_nodes() if n["label"] == "Public"]
    for public in publics:
        assert f'href="/publics/{public["id"]}"' in listing
        page = client.get(f"/publics/{public['id']}").get_data(as_text=True)
        assert ('id="ranked"' in page) != ('id="no-route"' in page), public["id"]
        if 'id="no-route"' in page:
            assert "No known route" in page and "add it to the registry" in page
        record = client.get(f"/records/{public['id']}").get_data(as_text=True)
        assert "Trusted intermediaries who reach them" in record
        assert ('id="record-intermediaries"' in record) != ('id="no-route"' in record), public["id"]


def test_record_pages_show_box1_and_the_producers_gaps(app_store, client):
    transfer.import_document(app_store, transfer.read_document(SEED))
    stat = client.get("/records/hbai").get_data(as_text=True)
    assert "Who this statistic is about" in stat and "Who is data collected from?" in stat
    assert "No known route" in stat  # household survey respondents
    producer = client.get("/records/dwp").get_data(as_text=True)
    assert "Publics you have no partner route to" in producer and 'id="producer-gaps"' in producer
    for page in (stat, producer):  # ranked by evidence and shown in order, never as a decimal score
        assert "(score " not in page and "score 0." not in page.lower()


def test_public_page_filters_and_errors(app_store, client, monkeypatch):
    transfer.import_document(app_store, transfer.document_from_data(TINY))
    page = client.get("/publics/carers?producer=ons").get_data(as_text=True)
    assert "Your partner" in page and page.index('data-id="c"') < page.index('data-id="d"') < page.index('data-id="a"')
    # Evidence in words, the contact route in the list, the breakdown one click away.
    assert "No engagement with Unpaid carers through Gamma is recorded." in page
    assert 'href="mailto:hello@alpha.example"' in page
    assert page.count('<details class="govuk-details') == len(TINY_ORDER) and "Why it is ranked here" in page
    assert "Score 0.85: 0.85 points of evidence" in page
    # A short list offers every producer; a long one only what changes the list: ONS partners with
    # Delta, DWP with none of them (and a producer asked for stays offered).
    def offered(name: str, text: str) -> list[str]:
        select = text[text.index(f'<select class="govuk-select" id="{name}"'):]
        return re.findall(r'<option value="([^"]*)"', select[:select.index("</select>")])
    assert offered("producer", page) == ["", "dwp", "ons"] and "Listed:" not in page
    from registry.web import discovery as web_discovery
    monkeypatch.setattr(web_discovery, "FILTER_LIST_MAX", 1)
    narrowed = client.get("/publics/carers").get_data(as_text=True)
    assert offered("producer", narrowed) == ["", "ons"] and offered("topic", narrowed) == ["", "housing"]
    assert "Listed: the producers that partner with one of them" in narrowed
    chosen = client.get("/publics/carers?producer=dwp").get_data(as_text=True)
    assert offered("producer", chosen) == ["", "dwp", "ons"] and '<option value="dwp" selected>' in chosen
    monkeypatch.undo()
    assert '<option value="ons" selected>' in client.get("/publics/carers?producer=ons").get_data(as_text=True)
    wales = client.get("/publics/carers?nation=wales")
    assert wales.status_code == 200 and '<option value="wales" selected>' in wales.get_data(as_text=True)
    bad_nation = client.get("/publics/carers?nation=cornwall")
    assert bad_nation.status_code == 400 and 'href="#nation">Select a nation from the list' in \
        bad_nation.get_data(as_text=True)
    bad = client.get("/publics/carers?producer=housing&topic=ons")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in text
    assert 'href="#producer">Select a producer from the list' in text and 'href="#topic">Select a topic' in text
    assert client.get("/publics/ons").status_code == 404
    assert client.get("/publics?q=" + "x" * 201).status_code == 400
    assert "1 public" in client.get("/publics?q=unpaid").get_data(as_text=True)


def test_user_text_is_escaped(app_store, client):
    xss = "<script>alert(1)</script>"
    doc = json.loads(json.dumps(TINY))
    doc["nodes"][4]["name"] = xss
    transfer.import_document(app_store, transfer.document_from_data(doc))
    text = client.get("/publics/carers").get_data(as_text=True)
    assert xss not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_about_page_documents_the_ranking_with_the_current_factors(tmp_path):
    from registry import create_app
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'a.db'}", "SECRET_KEY": "t",
                      "ALGORITHMS": {"discovery": {"umbrella_factor": 0.65}}})
    text = app.test_client().get("/about").get_data(as_text=True)
    assert "How Pathways ranks trusted intermediaries" in text and "multiplies the worth by 0.65" in text
    assert "the bodies you are part of (at any depth)" in text and "raised × 1.2" in text


def test_declarations_are_shown_on_the_intermediarys_page_and_in_the_list(app_store, client):
    doc = json.loads(json.dumps(TINY))
    doc["nodes"][4].update(accepting_requests="no", how_to_approach="membership_body", expects_remuneration=True)
    transfer.import_document(app_store, transfer.document_from_data(doc))
    record = client.get("/records/a").get_data(as_text=True)
    assert "Accepting requests" in record and "How to approach it" in record and "membership body" in record
    assert "Expects participants to be paid" in record
    page = client.get("/publics/carers").get_data(as_text=True)
    rows = re.findall(r'data-id="(\w+)"', page)
    assert rows[-1] == "a"  # not accepting requests: after all those that are
    assert "Not accepting requests" in page and "Approach it through its membership body." in page
    body = client.get("/api/v1/publics/carers/intermediaries").get_json()
    last = body["intermediaries"][-1]
    assert last["id"] == "a" and last["not_accepting"] and last["declarations"]["accepting_requests"] == "no"
    csv_text = client.get("/publics/carers?format=csv").get_data(as_text=True)
    header, *lines = csv_text.splitlines()
    assert "Evidence" in header and "Accepting requests" in header and lines[-1].split(",")[1] == "Alpha"


MANY = ROOT / "tests" / "fixtures" / "many_intermediaries.json"  # 45 intermediaries reach dock workers


def _rows(page: str) -> list[tuple[str, str]]:
    """(rank, id) of each row of the ranked list on a page."""
    return re.findall(r'data-id="([^"]+)">\s*<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', page)


def test_a_publics_page_lists_its_intermediaries_20_to_a_page(app_store, client):
    transfer.import_document(app_store, transfer.read_document(MANY))
    first = client.get("/publics/dock-workers").get_data(as_text=True)
    assert [(i, int(r)) for i, r in _rows(first)] == [(f"dock-group-{n:02d}", n) for n in range(1, 21)]
    assert "45 intermediaries reach Dock workers, best first" in first
    assert "Showing 1 to 20 of 45 intermediaries" in first and 'class="govuk-pagination"' in first
    assert 'href="/publics/dock-workers?page=2#ranked-list" rel="next"' in first and 'rel="prev"' not in first
    assert '<a class="govuk-link govuk-pagination__link" href="/publics/dock-workers?page=1#ranked-list" ' \
           'aria-label="Page 1" aria-current="page">1</a>' in first
    last = client.get("/publics/dock-workers?page=3").get_data(as_text=True)
    assert [(i, int(r)) for i, r in _rows(last)] == [(f"dock-group-{n:02d}", n) for n in range(41, 46)]
    assert "Showing 41 to 45 of 45 intermediaries" in last and 'rel="next"' not in last
    assert 'href="/publics/dock-workers?page=2#ranked-list" rel="prev"' in last
    # A page number that is not one shows the nearest page, never an error.
    for asked, shown in (("0", "1 to 20"), ("-4", "1 to 20"), ("two", "1 to 20"), ("", "1 to 20"),
                         ("2", "21 to 40"), ("99", "41 to 45"), ("1e9", "1 to 20")):
        response = client.get(f"/publics/dock-workers?page={asked}")
        assert response.status_code == 200 and f"Showing {shown} of 45" in response.get_data(as_text=True), asked
    # The filters stay in the pagination links, and page the filtered list.
    topic = client.get("/publics/dock-workers?topic=shipping&page=2").get_data(as_text=True)
    assert "23 intermediaries reach Dock workers, working on Shipping, best first" in topic
    assert [i for i, _r in _rows(topic)] == ["dock-group-41", "dock-group-43", "dock-group-45"]
    assert 'href="/publics/dock-workers?topic=shipping&amp;page=1#ranked-list" rel="prev"' in topic
    asking = client.get("/publics/dock-workers?producer=ports-stats&nation=england").get_data(as_text=True)
    assert _rows(asking)[0] == ("dock-group-45", "1")  # its partner first
    assert 'href="/publics/dock-workers?producer=ports-stats&amp;nation=england&amp;page=2#ranked-list"' in asking
    # The downloads give the whole list, whatever the page.
    csv_text = client.get("/publics/dock-workers?page=2&format=csv").get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 1 + 45
    assert len(client.get("/publics/dock-workers?page=2&format=json").get_json()["intermediaries"]) == 45


def test_a_short_list_has_one_page_and_no_pagination(app_store, client):
    transfer.import_document(app_store, transfer.document_from_data(TINY))
    page = client.get("/publics/carers?page=5").get_data(as_text=True)
    whole = [c["id"] for c in client.get("/api/v1/publics/carers/intermediaries").get_json()["intermediaries"]]
    assert _rows(page) == [(i, str(n)) for n, i in enumerate(whole, 1)] and len(whole) == len(TINY_ORDER)
    assert "govuk-pagination" not in page and "Showing" not in page


def test_the_page_size_is_a_setting(tmp_path):
    from registry import create_app
    from registry.store import store_for
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "t",
                      "ALGORITHMS": {"discovery": {"page_size": 10}}})
    transfer.import_document(store_for(app), transfer.read_document(MANY))
    page = app.test_client().get("/publics/dock-workers?page=5").get_data(as_text=True)
    assert "Showing 41 to 45 of 45 intermediaries" in page and len(_rows(page)) == 5
    assert 'aria-label="Page 4"' in page and 'aria-label="Page 2"' not in page  # an ellipsis between 1 and 4
    assert "govuk-pagination__item--ellipses" in page


def test_the_apis_intermediaries_are_the_schemas_dump_kept_through_writes(app_store, client, app):
    """GET /api/v1/publics/<id>/intermediaries keeps its dumped list beside the ranking
    (registry.rankings.beside_ranking); the body is still exactly DiscoverySchema's dump of the
    answer, and a change to an intermediary on the list is in the next answer."""
    from graph.stores import Change
    from registry.api.discovery import DiscoverySchema, discovery_json
    from registry.rankings import ranking
    from registry.store import get_graph, get_settings
    transfer.import_document(app_store, transfer.read_document(MANY))

    def expected(**filters):
        with app.test_request_context("/"):
            found = ranking("dock-workers", **filters)
            return DiscoverySchema().dump(discovery_json(found, D.public_burden(get_graph(), "dock-workers",
                                                                                get_settings())))
    for query, filters in (("", {}), ("?nation=wales", {"nation": "wales"})):
        response = client.get(f"/api/v1/publics/dock-workers/intermediaries{query}")
        first = response.get_json()
        assert first == expected(**filters) and first["intermediaries"], query
        with app.app_context():
            assert response.get_data() == app.json.response(expected(**filters)).get_data()  # byte for byte
    assert first["nation"] == "wales" and len(expected()["intermediaries"]) == 45
    assert client.get("/api/v1/publics/dock-workers/intermediaries").get_json() == expected()
    renamed = {k: v for k, v in app_store.get_node("dock-group-07").items() if k != "version"}
    app_store.apply(Change(put_nodes=[{**renamed, "name": "Renamed dockers' group"}]))
    again = client.get("/api/v1/publics/dock-workers/intermediaries").get_json()
    assert again == expected() and "Renamed dockers' group" in [c["name"] for c in again["intermediaries"]]
