"""The import's fast paths keep every rule and every located message (issue 14, import speed).

Validation names a record only when it has a problem, and the held-engagement rule asks the
store only about engagements that are stored; these tests check that what is refused, and
how it is named, did not change.
"""
from __future__ import annotations

import pytest

from graph import model
from graph.errors import InvalidRecord
from graph.stores.base import Change, rule_problems, validate_change

SOURCED = {"source": "https://example.org/about", "verified": "2025-01-01"}


def test_bad_edges_are_named_by_triple_and_csv_line():
    change = Change(put_nodes=[{"id": "ons", "label": "Producer", "name": "ONS"},
                               {"id": "t", "label": "Topic", "name": "T"}],
                    put_edges=[{"type": "PRODUCES", "from": "ons", "to": "t"},
                               {"type": "REACHES", "from": "x" * 90, "to": "t", "strength": 0.4},
                               {"type": "BROADER", "from": "t", "to": "t"}],
                    node_lines=[2, 3], edge_lines=[2, 3, 4])
    problems = [str(p) for p in validate_change(change, lambda ids: {})]
    assert problems[0] == "edge PRODUCES ons -> t (line 2): to: a PRODUCES edge must end at a Statistic, not a Topic"
    long_name = "x" * 80 + "…"
    assert f"edge REACHES {long_name} -> t (line 3): from: no record with id '{'x' * 90}'" in problems
    assert f"edge REACHES {long_name} -> t (line 3): source: is required" in problems
    assert "edge BROADER t -> t (line 4): to: must be another record: a BROADER relationship from a record " \
           "to itself means nothing" in problems


def test_bad_nodes_are_named_by_id_and_line_and_good_ones_give_nothing():
    assert model.validate_node({"id": "t", "label": "Topic", "name": "T"}) == []
    assert model.validate_edge({"type": "REACHES", "from": "a", "to": "b", **SOURCED},
                               {"a": "Intermediary", "b": "Public"}) == []
    problems = [str(p) for p in model.validate_node({"id": "Bad Id", "label": "Topic", "name": "T",
                                                     "colour": "red"}, line=9)]
    assert problems[0].startswith("node 'Bad Id' (line 9): id: must be lower-case letters")
    assert "node 'Bad Id' (line 9): colour: unknown property; allowed here: " in problems[1]
    unconverted = model.Unconverted("two", "must be a whole number")
    assert [str(p) for p in model.validate_node({"id": "p", "label": "Public", "name": "P",
                                                 "capacity": unconverted})] == \
        ["node 'p': capacity: must be a whole number"]


def test_duplicate_edges_in_one_change_are_still_refused():
    nodes = [{"id": "a", "label": "Topic", "name": "A"}, {"id": "b", "label": "Topic", "name": "B"}]
    edge = {"type": "BROADER", "from": "a", "to": "b"}
    problems = validate_change(Change(put_nodes=nodes, put_edges=[edge, dict(edge)], edge_lines=[5, 6]),
                               lambda ids: {})
    assert [str(p) for p in problems] == ["edge BROADER a -> b (line 6): appears more than once in this import"]


HELD = {"label": "Engagement", "name": "E", "method": "survey", "start": "2024-01-01", "status": "held"}


def test_the_held_engagement_rule_asks_the_store_only_about_stored_engagements():
    asked: list[set] = []

    def involved(ids):
        asked.append(set(ids))
        return [("old", "p")] if "old" in ids else []
    new, old = {"id": "new", **HELD}, {"id": "old", **HELD}
    change = Change(put_nodes=[new, old], put_edges=[{"type": "INVOLVED", "from": "new", "to": "p"}])
    assert rule_problems(change, {"old": dict(old, version=1)}, lambda ids: {}, involved) == []
    assert asked == [{"old"}]
    # the rule itself still holds for a new engagement with no public
    lonely = Change(put_nodes=[{"id": "lonely", **HELD}])
    assert [str(p) for p in rule_problems(lonely, {}, lambda ids: {}, involved)] == \
        [f"node 'lonely': INVOLVED: {model.ENGAGEMENT_NEEDS_PUBLIC}"]


def test_the_store_refuses_a_bad_import_whole_with_the_located_message(store):
    from graph import transfer
    doc = transfer.Document(nodes=[{"id": "a", "label": "Topic", "name": "A"}],
                            edges=[{"type": "BROADER", "from": "a", "to": "missing"}])
    with pytest.raises(InvalidRecord) as caught:
        transfer.import_document(store, doc)
    assert [str(p) for p in caught.value.problems] == ["edge BROADER a -> missing: to: no record with id 'missing'"]
    assert store.get_node("a") is None
