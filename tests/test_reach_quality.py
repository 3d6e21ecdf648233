"""The discovery quality set (tests/relevance/intermediaries.yaml) asked of the seed registry.

For each public in the set, the intermediaries a producer would expect among the top five at
``/publics/<id>`` (written from the reference documents and the records' sources before the
ranking was looked at). The test prints how many appear and fails when fewer than 80% do, or
when the set names a record the seed does not hold (a renamed id must not pass silently).
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest
import yaml

from graph import discovery as D
from graph import transfer
from graph.settings import DEFAULTS
from graph.stores import open_store

ROOT = Path(__file__).resolve().parents[1]
SET = yaml.safe_load((ROOT / "tests" / "relevance" / "intermediaries.yaml").read_text("utf-8"))
SEED = ROOT / "seed" / "registry.json"
TOP = 5
FOUND_AT_LEAST = 0.8
# Ranked as of the day the set was written: recency decays with the calendar, so a fixed date keeps the
# result a property of the seed and the rules, not of the day CI happens to run.
AS_OF = _dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('reach') / 'registry.db'}")
    transfer.import_document(store, transfer.document_from_data(json.loads(SEED.read_text("utf-8"))))
    graph = store.graph()
    store.close()
    return graph


def test_the_set_is_big_enough_and_every_entry_cites_a_source():
    assert len(SET) >= 10
    for item in SET:
        assert item["expect"], item["public"]
        for entry in item["expect"]:
            assert entry.get("reason") and entry.get("source"), (item["public"], entry.get("id"))


def test_expected_intermediaries_are_in_the_top_five(seed_graph, capsys):
    today = AS_OF
    load = D.load_from_burden(seed_graph, DEFAULTS, today)
    found = missing_records = 0
    total = 0
    lines = []
    for item in SET:
        public = item["public"]
        assert public in seed_graph and seed_graph.nodes[public].get("label") == "Public", public
        ranked = D.discover(seed_graph, public, DEFAULTS, load_status=load, as_of=today).intermediaries
        top = [c.id for c in ranked[:TOP]]
        for entry in item["expect"]:
            total += 1
            if entry["id"] not in seed_graph:
                missing_records += 1
                lines.append(f"  {public}: {entry['id']} is not in the seed")
            elif entry["id"] in top:
                found += 1
            else:
                place = next((i for i, c in enumerate(ranked, 1) if c.id == entry["id"]), None)
                lines.append(f"  {public}: {entry['id']} is " + (f"#{place}" if place else "not reached")
                             + f"; top five: {', '.join(top)}")
    share = found / total
    with capsys.disabled():
        print(f"\ndiscovery quality set: {found} of {total} expected intermediaries in their public's top "
              f"{TOP} ({share:.0%}; at least {FOUND_AT_LEAST:.0%} needed)")
        for line in lines:
            print(line)
    assert missing_records == 0
    assert share >= FOUND_AT_LEAST
