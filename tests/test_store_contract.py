"""The store contract, written once and run against every backend."""
from __future__ import annotations

import threading

import pytest

from graph.errors import DuplicateNode, EdgeNotFound, InvalidRecord, NodeNotFound, VersionConflict
from graph.stores import Change
from tests.provenance import CITED

ONS = {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department",
       "contact": {"email": "info@ons.gov.uk", "url": "https://www.ons.gov.uk"}, "tags": ["ONS"]}
CENSUS = {"id": "census-2021", "label": "Statistic", "name": "Census 2021", "status": "accredited_official"}
POP = {"id": "population", "label": "Topic", "name": "Population"}
DISABLED = {"id": "disabled-people", "label": "Public", "name": "Disabled people", "kind": "identity_group",
            "seldom_heard": True, "capacity": 8}
SCOPE = {"id": "scope", "label": "Intermediary", "name": "Scope", "kind": "civil_society"}


def seed_small(store):
    return store.apply(Change(
        put_nodes=[ONS, CENSUS, POP, DISABLED, SCOPE],
        put_edges=[{"type": "PRODUCES", "from": "ons", "to": "census-2021"},
                   {"type": "ABOUT", "from": "census-2021", "to": "population"},
                   {"type": "REACHES", "from": "scope", "to": "disabled-people", **CITED, "strength": 0.8, "trust": "high"},
                   {"type": "DESCRIBES", "from": "census-2021", "to": "disabled-people", "role": "about"}]))


def test_records_read_back_as_written(store):
    result = seed_small(store)
    assert (result.created, result.edges_written) == (5, 4)
    node = store.get_node("ons")
    assert {k: v for k, v in node.items() if k != "version"} == ONS
    assert node["version"] == 1
    assert store.get_node("disabled-people")["seldom_heard"] is True
    assert store.get_node("disabled-people")["capacity"] == 8
    assert store.get_node("nope") is None
    assert set(store.get_nodes(["ons", "nope", "scope"])) == {"ons", "scope"}
    assert store.labels_of(["ons", "census-2021", "x"]) == {"ons": "Producer", "census-2021": "Statistic"}


def test_edges_of_by_direction_and_type(store):
    seed_small(store)
    out = store.edges_of("census-2021", "out")
    assert [(e["type"], e["to"]) for e in out] == [("ABOUT", "population"), ("DESCRIBES", "disabled-people")]
    assert [e["from"] for e in store.edges_of("census-2021", "in")] == ["ons"]
    assert len(store.edges_of("census-2021")) == 3
    reach = store.edges_of("scope", "out", ["REACHES"])
    assert reach == [{"type": "REACHES", "from": "scope", "to": "disabled-people", **CITED, "strength": 0.8, "trust": "high"}]


def test_reimport_changes_nothing(store):
    seed_small(store)
    rev = store.revision()
    again = seed_small(store)
    assert (again.created, again.updated, again.unchanged, again.edges_written) == (0, 0, 5, 0)
    assert not again.changed
    assert store.revision() == rev
    assert store.get_node("ons")["version"] == 1


def test_update_replaces_properties_and_bumps_version(store):
    seed_small(store)
    rev = store.revision()
    result = store.apply(Change(put_nodes=[{"id": "ons", "label": "Producer", "name": "ONS"}]))
    assert result.updated == 1
    node = store.get_node("ons")
    assert node == {"id": "ons", "label": "Producer", "name": "ONS", "version": 2}
    assert store.revision() > rev


def test_edge_upsert_by_triple(store):
    seed_small(store)
    store.apply(Change(put_edges=[{"type": "REACHES", "from": "scope", "to": "disabled-people", **CITED, "strength": 0.3}]))
    edges = store.edges_of("scope", "out")
    assert edges == [{"type": "REACHES", "from": "scope", "to": "disabled-people", **CITED, "strength": 0.3}]


def test_invalid_change_writes_nothing(store):
    seed_small(store)
    before = store.counts()
    rev = store.revision()
    bad = Change(put_nodes=[{"id": "new-topic", "label": "Topic", "name": "New"},
                            {"id": "bad", "label": "Producer", "name": "Bad", "kind": "ministry"}],
                 put_edges=[{"type": "ABOUT", "from": "census-2021", "to": "new-topic"},
                            {"type": "PRODUCES", "from": "ons", "to": "missing"}])
    with pytest.raises(InvalidRecord) as info:
        store.apply(bad)
    fields = {(p.record, p.field) for p in info.value.problems}
    assert fields == {("node 'bad'", "kind"), ("edge PRODUCES ons -> missing", "to")}
    assert store.counts() == before
    assert store.revision() == rev
    assert store.get_node("new-topic") is None


def test_label_cannot_change(store):
    seed_small(store)
    with pytest.raises(InvalidRecord, match="already has 'ons' as a Producer"):
        store.apply(Change(put_nodes=[{"id": "ons", "label": "Topic", "name": "ONS"}]))


def test_duplicate_id_in_one_change(store):
    with pytest.raises(InvalidRecord, match="more than once"):
        store.apply(Change(put_nodes=[POP, POP]))


def test_create_expecting_absent_refuses_duplicate(store):
    seed_small(store)
    with pytest.raises(DuplicateNode):
        store.apply(Change(put_nodes=[POP], expect={"population": 0}))


def test_stale_version_is_refused_and_writes_nothing(store):
    seed_small(store)
    store.apply(Change(put_nodes=[{**POP, "description": "first editor"}], expect={"population": 1}))
    with pytest.raises(VersionConflict) as info:
        store.apply(Change(put_nodes=[{**POP, "description": "second editor"}], expect={"population": 1}))
    assert info.value.actual == 2
    assert store.get_node("population")["description"] == "first editor"


def test_concurrent_editors_one_wins(store):
    seed_small(store)
    outcomes = []

    def edit(text):
        try:
            store.apply(Change(put_nodes=[{**POP, "description": text}], expect={"population": 1}))
            outcomes.append("ok")
        except VersionConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(f"editor {i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert store.get_node("population")["version"] == 2


def test_delete_node_takes_its_edges(store):
    seed_small(store)
    result = store.apply(Change(delete_nodes=["census-2021"]))
    assert result.deleted == 1
    assert store.get_node("census-2021") is None
    assert store.edges_of("ons") == []
    assert store.counts()["edges"] == {"REACHES": 1}


def test_delete_missing(store):
    seed_small(store)
    with pytest.raises(NodeNotFound):
        store.apply(Change(delete_nodes=["nope"]))
    with pytest.raises(EdgeNotFound):
        store.apply(Change(delete_edges=[("PRODUCES", "ons", "population")]))
    store.apply(Change(delete_edges=[("PRODUCES", "ons", "census-2021")]))
    assert store.edges_of("ons") == []


def test_edge_cannot_point_at_node_deleted_in_same_change(store):
    seed_small(store)
    with pytest.raises(InvalidRecord):
        store.apply(Change(delete_nodes=["population"],
                           put_edges=[{"type": "ABOUT", "from": "census-2021", "to": "population"}]))
    assert store.get_node("population") is not None


def test_list_count_and_iterate(store):
    seed_small(store)
    assert [n["id"] for n in store.list_nodes()] == ["scope", "ons", "disabled-people", "census-2021", "population"]
    assert [n["id"] for n in store.list_nodes("Producer")] == ["ons"]
    assert [n["id"] for n in store.list_nodes(limit=2, offset=1)] == ["ons", "disabled-people"]
    assert store.count_nodes() == 5 and store.count_nodes("Topic") == 1
    assert [n["id"] for n in store.iter_nodes(batch=2)] == sorted(["ons", "census-2021", "population",
                                                                   "disabled-people", "scope"])
    assert all("version" not in n for n in store.iter_nodes())
    assert len(list(store.iter_edges(batch=3))) == 4
    assert store.counts() == {"nodes": {"Intermediary": 1, "Producer": 1, "Public": 1, "Statistic": 1, "Topic": 1},
                              "edges": {"ABOUT": 1, "DESCRIBES": 1, "PRODUCES": 1, "REACHES": 1}}


def test_search_text(store):
    seed_small(store)
    assert [n["id"] for n in store.search_text("national statistics")] == ["ons"]
    assert [n["id"] for n in store.search_text("census", label="Statistic")] == ["census-2021"]
    assert store.search_text("census", label="Producer") == []
    assert store.search_text("   ") == []


def test_neighbourhood_is_bounded(store):
    seed_small(store)
    one = store.neighbourhood(["census-2021"], depth=1)
    assert set(one.nodes) == {"census-2021", "ons", "population", "disabled-people"}
    assert one.nodes["ons"]["name"] == "Office for National Statistics"
    two = store.neighbourhood(["census-2021"], depth=2)
    assert "scope" in two.nodes
    assert two.number_of_edges() == 4
    typed = store.neighbourhood(["census-2021"], depth=2, types=["PRODUCES"])
    assert set(typed.nodes) == {"census-2021", "ons"}
    capped = store.neighbourhood(["census-2021"], depth=2, max_nodes=2)
    assert capped.number_of_nodes() == 2
    assert store.neighbourhood(["nope"]).number_of_nodes() == 0


def test_whole_graph_is_cached_until_a_write(store):
    seed_small(store)
    g1 = store.graph()
    assert store.graph() is g1
    assert g1.has_edge("ons", "census-2021", key="PRODUCES")
    assert g1.edges["scope", "disabled-people", "REACHES"]["strength"] == 0.8
    store.apply(Change(put_nodes=[{"id": "health", "label": "Topic", "name": "Health"}]))
    g2 = store.graph()
    assert g2 is not g1 and "health" in g2


def test_audit_records_who_what_before_after(store):
    seed_small(store)
    store.apply(Change(put_nodes=[{**POP, "description": "People"}], actor="token:alice", action="api"))
    entries = store.audit_entries(target="population")
    assert entries[0]["actor"] == "token:alice"
    assert entries[0]["before"] == POP and entries[0]["after"] == {**POP, "description": "People"}
    assert entries[1]["after"] == POP
    store.apply(Change(put_nodes=[POP, {"id": "x", "label": "Topic", "name": "X"}], audit="summary",
                       action="import"))
    summary = store.audit_entries(limit=1)[0]
    assert summary["action"] == "import" and summary["after"]["updated"] == 1 and summary["after"]["created"] == 1


def test_tokens(store):
    store.add_token("alice", "editor", "h1")
    with pytest.raises(DuplicateNode):
        store.add_token("alice", "admin", "h2")
    assert store.find_token("h1")["role"] == "editor"
    assert store.find_token("nope") is None
    assert [t["name"] for t in store.list_tokens()] == ["alice"]
    assert store.revoke_token("alice") and not store.revoke_token("alice")
    assert store.find_token("h1") is None


def test_sign_ins(store):
    store.add_token("alice", "editor", "h1")
    store.add_session("s1", "h1", started=1000.0, oldest=0.0)
    store.add_session("s2", "h1", started=2000.0, oldest=0.0)
    assert store.session_token("s1", "h1", oldest=500.0)["name"] == "alice"
    assert store.session_token("s1", "other-token", oldest=500.0) is None
    assert store.session_token("s1", "h1", oldest=1500.0) is None  # too old
    store.end_session("s1")
    store.end_session("s1")  # ending it twice is harmless
    assert store.session_token("s1", "h1", oldest=0.0) is None
    store.add_session("s3", "h1", started=3000.0, oldest=2500.0)  # forgets s2, started before
    assert store.session_token("s2", "h1", oldest=0.0) is None
    assert store.session_token("s3", "h1", oldest=0.0)["role"] == "editor"
    store.revoke_token("alice")
    assert store.session_token("s3", "h1", oldest=0.0) is None
    store.add_session("s4", "h1", started=4000.0, oldest=0.0)
    store.wipe()
    assert store.session_token("s4", "h1", oldest=0.0) is None


def test_wipe(store):
    seed_small(store)
    store.wipe()
    assert store.count_nodes() == 0 and store.counts()["edges"] == {}



def test_a_change_id_is_recorded_with_its_revision(store):
    """Each committed change can be found by its id (what a store reads back when the answer to a
    commit is lost); a change that wrote nothing, or was refused, has no revision."""
    from graph.errors import InvalidRecord
    change = Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "One"}])
    result = store.apply(change)
    assert store.change_saved(change.id) == result.revision
    again = Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "One"}])
    assert not store.apply(again).changed and store.change_saved(again.id) is None
    refused = Change(put_nodes=[{"id": "t2", "label": "Topic"}])
    with pytest.raises(InvalidRecord):
        store.apply(refused)
    assert store.change_saved(refused.id) is None and Change().id != Change().id
