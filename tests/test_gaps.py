"""Each gap rule on a tiny graph made to have (and not have) that gap, and the page, API and CLI."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from graph import gaps
from graph.gaps import GapContext
from graph.settings import DEFAULTS
from graph.stores.base import graph_from_records
from tests.provenance import cited

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

TODAY = dt.date(2026, 11, 21)
CONTACT = {"email": "enquiries@example.org"}


def node(id_, label, **props):
    return {"id": id_, "label": label, "name": props.pop("name", id_.upper()), **props}


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **cited(type_, props)}


def graph(nodes, edges=()):
    return graph_from_records(nodes, edges)


def ids(items):
    return [item["id"] for item in items]


def ctx(**kw):
    return GapContext(as_of=TODAY, settings=kw.pop("settings", DEFAULTS), **kw)


def test_publics_without_route_and_single_route():
    g = graph([node("p1", "Public", seldom_heard=True), node("p2", "Public", seldom_heard=True),
               node("p3", "Public"), node("p4", "Public"),
               node("i1", "Intermediary"), node("i2", "Intermediary")],
              [edge("REACHES", "i1", "p1"), edge("REACHES", "i1", "p2"), edge("REACHES", "i2", "p2"),
               edge("REACHES", "i1", "p4")])
    assert ids(gaps.publics_without_route(g, ctx())) == ["p3"]
    single = gaps.single_route_publics(g, ctx())
    # p2 has two routes; p4 has one but is not seldom heard
    assert ids(single) == ["p1"]
    assert single[0]["only_route"] == "i1" and "second" in single[0]["close"]


def test_statistics_without_contact_walks_producers_and_referrals():
    g = graph([node("s-own", "Statistic", contact=CONTACT), node("s-team", "Statistic"),
               node("s-none", "Statistic"), node("s-orphan", "Statistic"), node("s-ref", "Statistic"),
               node("team", "Producer"), node("dept", "Producer", contact=CONTACT),
               node("lonely", "Producer"), node("refd", "Producer", contact=CONTACT), node("sink", "Producer")],
              [edge("PRODUCES", "team", "s-team"), edge("PART_OF", "team", "dept"),
               edge("PRODUCES", "lonely", "s-none"),
               edge("PRODUCES", "refd", "s-ref"), edge("REFERS_TO", "refd", "sink")])
    found = {item["id"]: item for item in gaps.statistics_without_contact(g, ctx())}
    assert sorted(found) == ["s-none", "s-orphan", "s-ref"]
    assert "No producer" in found["s-orphan"]["detail"]
    assert found["s-ref"]["end"] == "sink" and "SINK" in found["s-ref"]["detail"]


def test_referral_loops_and_dead_ends():
    g = graph([node("a", "Producer"), node("b", "Producer", contact=CONTACT), node("c", "UserGroup"),
               node("d", "Intermediary"), node("e", "Producer", contact=CONTACT)],
              [edge("REFERS_TO", "b", "a"), edge("REFERS_TO", "a", "b"), edge("REFERS_TO", "e", "d")])
    loops = gaps.referral_loops(g, ctx())
    assert [item["cycle"] for item in loops] == [["a", "b"]]
    assert "A → B → A" in loops[0]["detail"]
    dead = gaps.referral_dead_ends(g, ctx())
    # a has no contact but refers on (a loop, reported above); d has none and refers nobody
    assert [(item["id"], item["referred_by"]) for item in dead] == [("d", "e")]


def test_topics_without_user_group_counts_broader_topics():
    g = graph([node("health", "Topic"), node("mental", "Topic"), node("crime", "Topic"),
               node("ug", "UserGroup"), node("s", "Statistic")],
              [edge("BROADER", "mental", "health"), edge("COVERS", "ug", "health"), edge("ABOUT", "s", "crime")])
    items = gaps.topics_without_user_group(g, ctx())
    assert ids(items) == ["crime"]
    assert items[0]["statistics"] == 1


def test_overlapping_user_groups_uses_jaccard_threshold():
    topics = [node(t, "Topic") for t in ("t1", "t2", "t3", "t4")]
    g = graph(topics + [node("a", "UserGroup"), node("b", "UserGroup"), node("c", "UserGroup")],
              [edge("COVERS", "a", t) for t in ("t1", "t2", "t3")]
              + [edge("COVERS", "b", t) for t in ("t1", "t2", "t3", "t4")]
              + [edge("COVERS", "c", t) for t in ("t1", "t4")])
    items = gaps.overlapping_user_groups(g, ctx())
    assert [(i["id"], i["other"], i["overlap"]) for i in items] == [("a", "b", 0.75)]
    looser = ctx(settings={**DEFAULTS, "gaps": {"overlap_threshold": 0.2, "overlap_min_shared": 1}})
    assert len(gaps.overlapping_user_groups(g, looser)) == 3


def test_brokers_find_articulation_points_that_cut_off_a_public():
    # hub links two halves; bridge is the only way to p-cut
    g = graph([node("t1", "Topic"), node("t2", "Topic"), node("t3", "Topic"), node("t4", "Topic"),
               node("hub", "Intermediary"), node("bridge", "Intermediary"), node("side", "Intermediary"),
               node("p-cut", "Public"), node("p-safe", "Public")],
              [edge("WORKS_ON", "hub", "t1"), edge("WORKS_ON", "hub", "t2"), edge("WORKS_ON", "side", "t1"),
               edge("WORKS_ON", "side", "t2"), edge("BROADER", "t3", "t1"), edge("BROADER", "t4", "t2"),
               edge("WORKS_ON", "bridge", "t3"), edge("REACHES", "bridge", "p-cut"),
               edge("REACHES", "hub", "p-safe"), edge("REACHES", "side", "p-safe")])
    found = {item["id"]: item for item in gaps.brokers(g, ctx())}
    assert found["bridge"]["cuts_off"] == ["p-cut"]
    assert "would be cut off" in found["bridge"]["detail"]
    assert found["hub"]["cuts_off"] == [] and found["hub"]["betweenness"] > 0
    assert all(item["label"] in ("Intermediary", "UserGroup") for item in found.values())


def test_over_consulted_uses_the_burden_model():
    from graph.burden import burden_index
    engagements = [node(f"e{i}", "Engagement", method="deliberation", start="2026-11-01", status="held",
                        feedback_published="2026-11-10") for i in range(3)]
    g = graph([node("tired", "Public"), node("fresh", "Public")] + engagements,
              [edge("INVOLVED", f"e{i}", "tired") for i in range(3)])
    items = gaps.over_consulted(g, ctx(burden_index=burden_index))
    assert ids(items) == ["tired"] and items[0]["status"] == "over"
    assert gaps.over_consulted(g, ctx()) == []  # no burden model given: nothing claimed


def test_stale_records():
    g = graph([node("old", "Topic", verified="2025-01-01"), node("new", "Topic", verified="2026-10-01"),
               node("never", "Topic")])
    assert ids(gaps.stale_records(g, ctx())) == ["never", "old"]
    shorter = ctx(settings={**DEFAULTS, "stale_after_days": 30})
    assert ids(gaps.stale_records(g, shorter)) == ["never", "new", "old"]


def test_find_gaps_has_every_contract_key():
    report = gaps.find_gaps(graph([node("p", "Public")]), ctx()).as_dict()
    for key in ("publics_without_route", "single_route_publics", "statistics_without_contact", "referral_loops",
                "topics_without_user_group", "overlapping_user_groups", "brokers", "over_consulted",
                "stale_records"):
        assert key in report and report["counts"][key] == len(report[key])
    assert report["counts"]["publics_without_route"] == 1
    with pytest.raises(ValueError, match="no gap rule"):
        gaps.find_gaps(graph([]), ctx(), only="nonsense")


# -- the API, page and command ------------------------------------------------

DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    node("lonely-public", "Public", name="<b>Lonely</b> public", verified="2026-11-01"),
    node("ons", "Producer", kind="department", contact=CONTACT, verified="2026-11-01")], "edges": []}


def _load(store):
    from graph import transfer
    transfer.import_document(store, transfer.document_from_data(DOC))


def test_api_gaps(client, app_store):
    _load(app_store)
    body = client.get("/api/v1/gaps").get_json()
    assert [i["id"] for i in body["publics_without_route"]] == ["lonely-public"]
    assert body["counts"]["publics_without_route"] == 1
    assert client.get("/api/v1/gaps?as_of=2026-13-01").status_code == 400


def test_gaps_page_lists_every_rule_with_counts(client, app_store):
    _load(app_store)
    html = client.get("/gaps").get_data(as_text=True)
    for rule in gaps.RULES:
        assert rule.title in html
    assert "&lt;b&gt;Lonely&lt;/b&gt; public" in html and "<b>Lonely" not in html
    assert 'href="/records/lonely-public"' in html


def test_cli_gaps(cli, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOC))
    assert cli("import", path)[0] == 0
    code, out, _err = cli("gaps", "--json")
    assert code == 0 and json.loads(out)["counts"]["publics_without_route"] == 1
    code, out, _err = cli("gaps")
    assert code == 0 and "Publics with no route (1)" in out and "lonely-public" in out
