"""Every validation rule of the model, each with a bad input that breaks it."""
from __future__ import annotations

import pytest

from graph import model
from tests.provenance import CITED

GOOD = {
    "Producer": {"id": "ons", "label": "Producer", "name": "ONS", "kind": "department",
                 "contact": {"email": "info@ons.gov.uk", "url": "https://www.ons.gov.uk", "phone": "0300", "note": "x"},
                 "tags": ["ONS"], "source": "https://www.ons.gov.uk", "verified": "2026-11-01", "description": "d"},
    "Statistic": {"id": "hbai", "label": "Statistic", "name": "HBAI", "status": "accredited_official",
                  "url": "https://www.gov.uk/hbai", "release": "annual"},
    "Topic": {"id": "poverty", "label": "Topic", "name": "Poverty"},
    "Public": {"id": "carers", "label": "Public", "name": "Unpaid carers", "kind": "identity_group",
               "geography": "UK", "seldom_heard": True, "capacity": 8, "rest_until": "2027-01-01"},
    "Intermediary": {"id": "carers-uk", "label": "Intermediary", "name": "Carers UK", "kind": "civil_society",
                     "geography": "UK", "volunteer_led": False, "capacity": 12.5},
    "UserGroup": {"id": "statsusernet", "label": "UserGroup", "name": "StatsUserNet", "remit": "r",
                  "cadence": "ongoing", "membership": "open", "how_to_join": "sign up"},
    "Engagement": {"id": "bar-consultation", "label": "Engagement", "name": "BAR consultation",
                   "method": "consultation", "iap2": "consult", "start": "2024-01-18", "end": "2024-04-11",
                   "status": "reported", "participants": 35, "hours_per_participant": 1.5, "remunerated": False,
                   "you_said": "a", "we_did": "b", "feedback_published": "2024-07-01",
                   "feedback_url": "https://www.gov.uk/x"},
    "Need": {"id": "need-1", "label": "Need", "statement": "As a journalist, I need one contact, so that I am not passed around",
             "name": "One contact", "status": "not_taken_forward", "priority": 2, "decision_reason": "r",
             "response": "x", "raised": "2026-01-01"},
}


@pytest.mark.parametrize("label", sorted(GOOD))
def test_good_records_pass(label):
    assert model.validate_node(GOOD[label]) == []


BAD = [
    ({"id": "Bad Id"}, "id", "lower-case"),
    ({"id": "-x"}, "id", "lower-case"),
    ({"id": "x" * 101}, "id", "at most 100"),
    ({"name": ""}, "name", "is required"),
    ({"name": "a\nb"}, "name", "one line"),
    ({"colour": "red"}, "colour", "unknown property"),
    ({"kind": "ministry"}, "kind", "must be one of"),
    ({"verified": "2026-13-01"}, "verified", "YYYY-MM-DD"),
    ({"verified": "01/01/2026"}, "verified", "YYYY-MM-DD"),
    ({"tags": "ons"}, "tags", "list"),
    ({"contact": {"fax": "1"}}, "contact", "unknown field"),
    ({"contact": {"email": "not-an-email"}}, "contact", "email"),
    ({"contact": {"url": "javascript:alert(1)"}}, "contact", "web address"),
    ({"contact": {}}, "contact", "object"),
    ({"description": 5}, "description", "text"),
]


@pytest.mark.parametrize("change,field,message", BAD)
def test_each_bad_value_names_the_record_and_field(change, field, message):
    record = {**GOOD["Producer"], **change}
    problems = model.validate_node(record)
    assert problems, f"{change} should be refused"
    assert any(p.field == field and message in p.message for p in problems), problems
    assert all(p.record.startswith("node") for p in problems)


@pytest.mark.parametrize("label,change,field", [
    ("Public", {"seldom_heard": "yes"}, "seldom_heard"),
    ("Public", {"capacity": -1}, "capacity"),
    ("Public", {"capacity": True}, "capacity"),
    ("Statistic", {"url": "ftp://x"}, "url"),
    ("Statistic", {"status": "national"}, "status"),
    ("Engagement", {"method": None}, "method"),
    ("Engagement", {"participants": 3.5}, "participants"),
    ("Engagement", {"participants": -3}, "participants"),
    ("Engagement", {"end": "2024-01-01"}, "end"),
    ("Engagement", {"start": "2024-02-30"}, "start"),
    ("Need", {"priority": 6}, "priority"),
    ("Need", {"priority": 0}, "priority"),
    ("Need", {"decision_reason": None}, "decision_reason"),
    ("Need", {"statement": "Please publish more data"}, "statement"),
    ("Need", {"status": "done"}, "status"),
    ("Topic", {"contact": {"url": "https://x.org"}}, "contact"),
])
def test_label_specific_rules(label, change, field):
    record = {**GOOD[label], **change}
    record = {k: v for k, v in record.items() if v is not None}
    assert field in {p.field for p in model.validate_node(record)}


def test_required_property_missing():
    record = {k: v for k, v in GOOD["Engagement"].items() if k != "start"}
    assert [(p.field, p.message) for p in model.validate_node(record)] == [("start", "is required")]


def test_unknown_label():
    assert [p.field for p in model.validate_node({"id": "x", "label": "Person", "name": "X"})] == ["label"]


def test_not_an_object():
    assert model.validate_node(["x"])[0].message == "must be an object"


LABELS = {"ons": "Producer", "hbai": "Statistic", "poverty": "Topic", "carers": "Public", "carers-uk": "Intermediary"}


def test_good_edges():
    assert model.validate_edge({"type": "PRODUCES", "from": "ons", "to": "hbai"}, LABELS) == []
    assert model.validate_edge({"type": "REACHES", "from": "carers-uk", "to": "carers", **CITED, "strength": 0.9,
                                "trust": "high", "role": "represents"}, LABELS) == []


@pytest.mark.parametrize("edge,field,message", [
    ({"type": "LIKES", "from": "ons", "to": "hbai"}, "type", "must be one of"),
    ({"type": "PRODUCES", "from": "hbai", "to": "ons"}, "from", "must start at a Producer"),
    ({"type": "PRODUCES", "from": "ons", "to": "poverty"}, "to", "must end at a Statistic"),
    ({"type": "PRODUCES", "from": "ons", "to": "missing"}, "to", "no record with id 'missing'"),
    ({"type": "PRODUCES", "from": "ons"}, "to", "must be the id"),
    ({"type": "REACHES", "from": "carers-uk", "to": "carers", **CITED, "strength": 1.2}, "strength", "at most 1"),
    ({"type": "REACHES", "from": "carers-uk", "to": "carers", **CITED, "trust": "total"}, "trust", "must be one of"),
    ({"type": "PRODUCES", "from": "ons", "to": "hbai", "weight": 1}, "weight", "unknown property"),
])
def test_bad_edges_name_the_triple_and_field(edge, field, message):
    problems = model.validate_edge(edge, LABELS)
    assert any(p.field == field and message in p.message for p in problems), problems
    assert problems[0].record.startswith("edge ")


def test_csv_cells_round_trip():
    for value in (True, False, ["a", "b"], {"url": "https://x.org"}, 3, 0.25, "text"):
        prop = model.Prop({bool: "bool", list: "tags", dict: "contact", int: "int", float: "number",
                           str: "str"}[type(value)])
        assert model.value_from_text(prop, model.cell_text(value)) == value


def test_label_and_type_of_the_wrong_shape_are_refused_not_crashed():
    assert [p.field for p in model.validate_node({"id": "x", "label": ["Topic"], "name": "X"})] == ["label"]
    assert [p.field for p in model.validate_edge({"type": {"a": 1}, "from": "x", "to": "y"})] == ["type"]
