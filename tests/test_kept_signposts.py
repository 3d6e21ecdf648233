"""Signpost answers kept through writes (registry.rankings.signpost, graph.footprint): after any
sequence of writes, every kept answer is the one a fresh signpost of the registry as it now is gives
(property-based), for each asker's public and nation."""
from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import signpost as S
from graph.stores import Change
from tests.conftest import make_store
from tests.test_kept_rankings import fresh_after_each
from tests.provenance import CITED, cited

RECENT = (_dt.date.today() - _dt.timedelta(days=40)).isoformat()
LABELS = {"s1": "Statistic", "s2": "Statistic", "o1": "Producer", "o2": "Producer", "o3": "Producer",
          "t1": "Topic", "t2": "Topic", "g1": "UserGroup", "g2": "UserGroup", "i1": "Intermediary",
          "i2": "Intermediary", "p1": "Public", "p2": "Public", "e1": "Engagement"}
EDGES = [("PRODUCES", "o2", "s1"), ("PRODUCES", "o3", "s1"), ("PRODUCES", "o3", "s2"), ("PART_OF", "o2", "o1"),
         ("REFERS_TO", "o1", "o3"), ("REFERS_TO", "o3", "o1"), ("ABOUT", "s1", "t1"), ("ABOUT", "s2", "t2"),
         ("BROADER", "t1", "t2"), ("COVERS", "g1", "t1"), ("COVERS", "g2", "t2"), ("CONVENES", "o1", "g1"),
         ("WORKS_ON", "i1", "t1"), ("WORKS_ON", "i2", "t2"), ("REACHES", "i1", "p1"), ("REACHES", "i2", "p1"),
         ("REACHES", "i2", "p2"), ("DESCRIBES", "s1", "p1"), ("DESCRIBES", "s2", "p2"), ("VIA", "e1", "i1"),
         ("INVOLVED", "e1", "p1")]
NAMES = ["Alpha", "Bravo", "Charlie"]
ASKERS = [(None, None), ("p1", None), ("p2", "wales"), (None, "scotland")]


def _record(node_id: str, name: str, variant: int) -> dict:
    """A record of ``node_id``'s label; ``variant`` gives organisations a contact route (1) or a
    nation (2), and makes the engagement held."""
    record = {"id": node_id, "label": LABELS[node_id], "name": name}
    label = record["label"]
    if label == "Engagement":
        record.update(method="survey", start=RECENT, status="held" if variant else "planned")
    elif label in ("Producer", "Statistic", "UserGroup", "Intermediary") and variant == 1:
        record.update(contact={"email": f"{node_id}@example.org"}, **CITED)
    elif label in ("UserGroup", "Intermediary") and variant == 2:
        record["nations"] = ["wales"]
    return record


write = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(sorted(LABELS)), st.sampled_from(NAMES), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.sampled_from(sorted(LABELS))),
    st.tuples(st.just("link"), st.sampled_from(EDGES)),
    st.tuples(st.just("unlink"), st.sampled_from(EDGES)))


def _change(step) -> Change:
    change = Change()
    for op in step:
        if op[0] == "put":
            change.put_nodes.append(_record(op[1], op[2], op[3]))
        elif op[0] == "delete":
            change.delete_nodes.append(op[1])
        elif op[0] == "link":
            change.put_edges.append({"type": op[1][0], "from": op[1][1], "to": op[1][2], **cited(op[1][0], {})})
        else:
            change.delete_edges.append(op[1])
    return change


@pytest.mark.parametrize("backend_name", ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.lists(write, min_size=1, max_size=3), min_size=1, max_size=8))
def test_after_any_writes_every_kept_signpost_is_a_fresh_one(backend_name, tmp_path_factory, steps):
    """Each step is one Change the store accepts (a refused one is skipped); after each, each
    statistic's answer for each asker is what signposting the registry afresh gives."""
    from registry import create_app, rankings
    store = make_store(backend_name, tmp_path_factory.mktemp("ks"))
    app = create_app({"TESTING": True, "REGISTRY_STORE": store.url, "SECRET_KEY": "test"})
    try:
        from registry.store import store_for
        live = store_for(app)
        live.apply(Change(put_nodes=[_record(i, i.upper(), 1 if i in ("o3", "g2", "i2") else 0) for i in sorted(LABELS)],
                          put_edges=_change([("link", e) for e in EDGES]).put_edges))
        for graph in fresh_after_each(live, (_change(step) for step in steps)):
            with app.test_request_context():
                settings_ = app.extensions["pathways.settings"]
                for statistic in ("s1", "s2"):
                    if statistic not in graph or graph.nodes[statistic]["label"] != "Statistic":
                        continue
                    for public, nation in ASKERS:
                        if public is not None and public not in graph:
                            continue
                        kept = rankings.signpost(statistic, public, nation)
                        fresh = S.signpost(graph, statistic, public, settings_, nation)
                        assert kept.as_dict() == fresh.as_dict(), (statistic, public, nation, steps)
    finally:
        app.extensions["pathways.store"].close()
        store.close()


def test_a_kept_signpost_is_dropped_by_a_write_near_it_and_kept_through_one_elsewhere(tmp_path):
    """The answer is the same object while writes land elsewhere, and a new one once its owner changes."""
    from registry import create_app, rankings
    from registry.store import store_for
    store = make_store("sqlite", tmp_path)
    app = create_app({"TESTING": True, "REGISTRY_STORE": store.url, "SECRET_KEY": "test"})
    try:
        live = store_for(app)
        live.apply(Change(put_nodes=[_record(i, i.upper(), 0 if i == "s2" else 1) for i in sorted(LABELS)],
                          put_edges=_change([("link", e) for e in EDGES]).put_edges))
        with app.test_request_context():
            first = rankings.signpost("s2")
        assert first.first_contact.id == "o1"  # s2's producer o3 refers enquiries to o1
        live.apply(Change(put_nodes=[{"id": "far", "label": "Public", "name": "Far away"}]))
        with app.test_request_context():
            assert rankings.signpost("s2") is first
        live.apply(Change(put_nodes=[_record("o1", "O1", 0)]))  # the end of the referral has no contact now
        with app.test_request_context():
            again = rankings.signpost("s2")
        assert again.first_contact.id == "o3"
    finally:
        app.extensions["pathways.store"].close()
        store.close()
