"""Import and export: all-or-nothing, located messages, and round trips."""
from __future__ import annotations

import io
import json

import networkx as nx
import pytest

from graph import transfer
from graph.errors import InvalidRecord
from graph.stores import open_store
from tests.provenance import CITED


def doc(nodes, edges=()):
    return {"format": "pathways-graph", "version": 1, "nodes": list(nodes), "edges": list(edges)}


def topics(n):
    return [{"id": f"t{i}", "label": "Topic", "name": f"Topic {i}", "tags": [f"tag{i}"]} for i in range(n)]


def test_bad_record_at_the_end_of_a_large_file_writes_nothing(store, tmp_path):
    nodes = topics(5000) + [{"id": "last", "label": "Topic", "name": "Last", "verified": "yesterday"}]
    edges = [{"type": "BROADER", "from": f"t{i}", "to": f"t{i + 1}"} for i in range(4999)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc(nodes, edges)))
    with pytest.raises(InvalidRecord) as info:
        transfer.import_document(store, transfer.read_document(path))
    assert [str(p) for p in info.value.problems] == ["node 'last': verified: must be a date as YYYY-MM-DD"]
    assert store.count_nodes() == 0 and store.counts()["edges"] == {}


def test_ten_bad_records_give_ten_located_messages(store):
    bad = [{"id": f"b{i}", "label": "Public", "name": f"B{i}", "kind": "aliens"} for i in range(10)]
    with pytest.raises(InvalidRecord) as info:
        transfer.import_document(store, transfer.document_from_data(doc(topics(3) + bad)))
    assert [(p.record, p.field) for p in info.value.problems] == [(f"node 'b{i}'", "kind") for i in range(10)]
    assert store.count_nodes() == 0


def test_edges_may_point_at_records_already_stored(store):
    transfer.import_document(store, transfer.document_from_data(doc(topics(2))))
    result = transfer.import_document(store, transfer.document_from_data(
        doc([], [{"type": "BROADER", "from": "t0", "to": "t1"}])))
    assert result.edges_written == 1


def test_reimport_changes_nothing(store, tmp_path):
    data = doc(topics(20), [{"type": "BROADER", "from": "t1", "to": "t0"}])
    first = transfer.import_document(store, transfer.document_from_data(data))
    rev = store.revision()
    again = transfer.import_document(store, transfer.document_from_data(data))
    assert (first.created, again.created, again.updated, again.unchanged, again.edges_written) == (20, 0, 0, 20, 0)
    assert store.revision() == rev


def test_dry_run_writes_nothing(store):
    transfer.import_document(store, transfer.document_from_data(doc(topics(3))), dry_run=True)
    assert store.count_nodes() == 0


def test_progress_is_reported(store):
    seen = []
    transfer.import_document(store, transfer.document_from_data(doc(topics(12000))),
                             progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert ("checking", 12000, 12000) in seen and ("writing", 12000, 12000) in seen
    assert any(stage == "writing" and 0 < done < 12000 for stage, done, _ in seen)


RICH = doc([
    {"id": "ons", "label": "Producer", "name": "ONS, the “national” statistician’s office", "kind": "department",
     "contact": {"email": "info@ons.gov.uk", "url": "https://www.ons.gov.uk"}, "tags": ["ONS", "stats, uk"],
     "verified": "2026-11-01", "source": "https://www.ons.gov.uk", "description": "Line one\nline two, \"quoted\""},
    {"id": "census", "label": "Statistic", "name": "Census 2021", "status": "accredited_official"},
    {"id": "carers", "label": "Public", "name": "Unpaid carers", "seldom_heard": True, "capacity": 7.5},
    {"id": "carers-uk", "label": "Intermediary", "name": "Carers UK", "volunteer_led": False, "capacity": 12},
    {"id": "e1", "label": "Engagement", "name": "Focus groups", "method": "focus_group", "start": "2024-01-01",
     "participants": 41, "remunerated": True},
], [
    {"type": "PRODUCES", "from": "ons", "to": "census"},
    {"type": "REACHES", "from": "carers-uk", "to": "carers", **CITED, "strength": 0.75, "trust": "high"},
    {"type": "PARTNERS_WITH", "from": "ons", "to": "carers-uk", **CITED, "since": "2020-01-01"},
    {"type": "RAN", "from": "ons", "to": "e1"},
    {"type": "INVOLVED", "from": "e1", "to": "carers", "participants": 41},
])


def exported_json(store) -> dict:
    out = io.StringIO()
    transfer.export_json(store, out)
    return json.loads(out.getvalue())


def canonical(data: dict) -> tuple:
    return (sorted(json.dumps(n, sort_keys=True) for n in data["nodes"]),
            sorted(json.dumps(e, sort_keys=True) for e in data["edges"]))


def test_json_round_trip(store, tmp_path):
    transfer.import_document(store, transfer.document_from_data(RICH))
    exported = exported_json(store)
    assert canonical(exported) == canonical(RICH)
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    transfer.import_document(other, transfer.parse_json(json.dumps(exported)))
    assert canonical(exported_json(other)) == canonical(RICH)


def test_csv_round_trip(store, tmp_path):
    transfer.import_document(store, transfer.document_from_data(RICH))
    transfer.export_csv(store, tmp_path / "csv")
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    transfer.import_document(other, transfer.read_document(tmp_path / "csv"))
    assert canonical(exported_json(other)) == canonical(RICH)


def test_csv_errors_name_the_line(tmp_path, sqlite_store):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "nodes.csv").write_text("id,label,name,kind,seldom_heard\n"
                                      "ok,Public,OK,citizens,true\n"
                                      ",Public,No id,citizens,\n"
                                      "p2,Public,P2,citizens,maybe\n")
    with pytest.raises(InvalidRecord) as info:
        transfer.import_document(sqlite_store, transfer.read_document(folder))
    messages = [str(p) for p in info.value.problems]
    assert messages[0].startswith("node at line 3: id:")
    assert messages[1] == "node 'p2' (line 4): seldom_heard: must be true or false"
    assert sqlite_store.count_nodes() == 0


def test_csv_missing_key_column(tmp_path):
    (tmp_path / "nodes.csv").write_text("id,name\nx,X\n")
    with pytest.raises(InvalidRecord, match="label: column is missing"):
        transfer.read_document(tmp_path)


@pytest.mark.parametrize("text,message", [
    ("{not json", "is not valid JSON"),
    ("[]", "must be a JSON object"),
    ('{"format": "pathways-graph", "version": 2}', "version: must be 1"),
    ('{"format": "pathways-graph", "version": 1, "nodes": {}}', "nodes: must be a list"),
    ('{"format": "pathways-graph", "version": 1, "records": []}', "records: unknown key"),
])
def test_document_envelope(text, message):
    with pytest.raises(InvalidRecord, match=message):
        transfer.parse_json(text)


def test_graphml_opens_in_networkx(store, tmp_path):
    transfer.import_document(store, transfer.document_from_data(RICH))
    path = tmp_path / "registry.graphml"
    assert transfer.export_graphml(store, str(path)) == (5, 5)
    graph = nx.read_graphml(path)
    assert graph.nodes["ons"]["label"] == "Producer"
    assert json.loads(graph.nodes["ons"]["tags"]) == ["ONS", "stats, uk"]
    assert graph.number_of_edges() == 5


def test_a_new_held_engagement_must_involve_a_public(store):
    engagement = {"id": "e9", "label": "Engagement", "name": "Jury", "method": "citizens_jury",
                  "start": "2024-01-01", "status": "held"}
    public = {"id": "p9", "label": "Public", "name": "Residents"}
    with pytest.raises(InvalidRecord, match="INVOLVED: a held or reported engagement must involve"):
        transfer.import_document(store, transfer.document_from_data(doc([engagement, public])))
    assert store.count_nodes() == 0
    transfer.import_document(store, transfer.document_from_data(
        doc([engagement, public], [{"type": "INVOLVED", "from": "e9", "to": "p9"}])))
    assert store.count_nodes() == 2
