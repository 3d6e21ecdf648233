"""The synthetic national system: valid, deterministic, heavy-tailed, with loops."""
from __future__ import annotations

import collections
import json

import networkx as nx
import pytest

from graph import model, transfer
from graph.generate import generate


@pytest.fixture(scope="module")
def doc():
    return generate(3000, seed=11)


def test_every_record_is_valid_and_imports_cleanly(doc, sqlite_store):
    labels = {n["id"]: n["label"] for n in doc.nodes}
    assert all(n["id"].startswith("gen-") for n in doc.nodes)
    assert [p for n in doc.nodes for p in model.validate_node(n)] == []
    assert [p for e in doc.edges for p in model.validate_edge(e, labels)] == []
    result = transfer.import_document(sqlite_store, doc)
    assert result.created == len(doc.nodes)
    assert sum(sqlite_store.counts()["edges"].values()) == len(doc.edges)
    again = transfer.import_document(sqlite_store, generate(3000, seed=11))
    assert again.created == 0 and again.unchanged == len(doc.nodes) and not again.changed


def test_size_is_near_n_with_about_five_edges_per_node(doc):
    assert abs(len(doc.nodes) - 3000) <= 30
    assert 4.5 <= len(doc.edges) / len(doc.nodes) <= 5.5
    present = {n["label"] for n in doc.nodes}
    assert present == set(model.LABELS)
    assert {e["type"] for e in doc.edges} == set(model.RELATIONSHIPS)


def test_same_seed_gives_the_same_document_and_another_seed_does_not(doc):
    again = generate(3000, seed=11)
    assert again.nodes == doc.nodes and again.edges == doc.edges
    other = generate(3000, seed=12)
    assert other.edges != doc.edges


def test_reach_is_heavy_tailed(doc):
    reach = collections.Counter(e["from"] for e in doc.edges if e["type"] == "REACHES")
    intermediaries = [n["id"] for n in doc.nodes if n["label"] == "Intermediary"]
    ranked = sorted((reach[i] for i in intermediaries), reverse=True)
    top = ranked[: max(1, len(ranked) // 100)]
    assert sum(top) > 0.10 * sum(ranked)
    assert ranked[len(ranked) // 2] <= 3  # most are small groups
    strengths = {e["strength"] for e in doc.edges if e["type"] == "REACHES"}
    trusts = {e["trust"] for e in doc.edges if e["type"] == "REACHES"}
    assert len(strengths) > 20 and trusts == {"low", "medium", "high"}


def test_some_publics_are_far_more_consulted(doc):
    involved = collections.Counter(e["to"] for e in doc.edges if e["type"] == "INVOLVED")
    counts = sorted(involved.values(), reverse=True)
    assert counts[0] >= 10 * counts[len(counts) // 2]


def test_engagements_span_five_years(doc):
    years = {n["start"][:4] for n in doc.nodes if n["label"] == "Engagement"}
    assert {"2022", "2023", "2024", "2025", "2026"} <= years
    statuses = collections.Counter(n.get("status") for n in doc.nodes if n["label"] == "Engagement")
    assert statuses["planned"] and statuses["held"] and statuses["reported"]


def test_referral_chains_and_a_few_loops(doc):
    refers = nx.DiGraph((e["from"], e["to"]) for e in doc.edges if e["type"] == "REFERS_TO")
    cycles = list(nx.simple_cycles(refers, length_bound=4))
    assert 1 <= len(cycles) < refers.number_of_edges() // 4
    longest = max(len(nx.descendants(refers, n)) for n in refers)
    assert longest >= 2


def test_cli_writes_a_byte_identical_file_for_a_seed(cli, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    code, _, err = cli("generate", "--nodes", 400, "--seed", 5, first)
    assert code == 0, err
    assert "generated 400 records" in err
    assert cli("generate", "--nodes", 400, "--seed", 5, second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert data["format"] == "pathways-graph" and len(data["nodes"]) == 400
    code, out, err = cli("import", first, "--json")
    assert code == 0, err
    assert json.loads(out)["created"] == 400


def test_cli_refuses_too_few_nodes(cli):
    code, _, err = cli("generate", "--nodes", 10)
    assert code == 2 and "--nodes" in err
