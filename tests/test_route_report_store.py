"""The route-report part of the store contract, run against every backend."""
from __future__ import annotations

import pytest

from graph.errors import InvalidRecord, NodeNotFound
from graph.stores import Change

NODES = [{"id": "ons", "label": "Producer", "name": "ONS", "contact": {"email": "info@ons.example"}},
         {"id": "moj", "label": "Producer", "name": "MoJ", "contact": {"email": "stats@moj.example"}},
         {"id": "cpi", "label": "Statistic", "name": "CPI"},
         {"id": "people", "label": "Public", "name": "People"}]


def seed(store):
    store.apply(Change(put_nodes=NODES, put_edges=[{"type": "PRODUCES", "from": "ons", "to": "cpi"}]))


def test_reports_read_back_as_written_newest_first(store):
    seed(store)
    stamp = store.reports_stamp()
    revision = store.revision()
    a = store.add_report({"statistic": "cpi", "contact": "ons", "outcome": "passed_on", "passed_to": "moj",
                          "times_passed_on": 2, "comment": "Sent on to MoJ"}, at="2026-01-02T10:00:00+00:00")
    b = store.add_report({"contact": "moj", "outcome": "wrong_details", "passed_to_text": None},
                         at="2026-02-03T10:00:00+00:00")
    assert store.reports_stamp() > stamp
    assert store.revision() == revision  # reports are not registry changes
    assert [r["id"] for r in store.reports()] == [b["id"], a["id"]]
    got = store.get_report(a["id"])
    assert got == a
    assert got["times_passed_on"] == 2 and got["status"] == "open"
    assert "passed_to_text" not in store.get_report(b["id"])
    assert [r["id"] for r in store.reports(since="2026-02-01")] == [b["id"]]
    assert [r["id"] for r in store.reports(contact="ons")] == [a["id"]]
    assert store.reports(statuses=["held"]) == []
    assert store.get_report("nope") is None


def test_a_report_breaking_a_rule_is_not_stored(store):
    seed(store)
    for bad in ({"contact": "people", "outcome": "answered"}, {"contact": "ons", "outcome": "maybe"},
                {"contact": "ghost", "outcome": "answered"}, {"contact": "ons", "outcome": "answered", "ip": "1.2.3.4"},
                {"contact": "ons", "outcome": "passed_on", "passed_to": "cpi"}):
        with pytest.raises(InvalidRecord):
            store.add_report(bad)
    assert store.reports() == []


def test_a_link_is_held_for_review(store):
    seed(store)
    r = store.add_report({"contact": "ons", "outcome": "no_reply", "comment": "see www.cheap-pills.example now"})
    assert store.get_report(r["id"])["status"] == "held"
    assert store.reports(statuses=["open"]) == []


def test_resolutions_are_audited_and_all_or_nothing(store):
    seed(store)
    a = store.add_report({"contact": "ons", "outcome": "no_reply"})
    b = store.add_report({"contact": "moj", "outcome": "wrong_details"})
    with pytest.raises(NodeNotFound):
        store.resolve_reports([a["id"], "missing"], "fixed", "token:alice")
    assert store.get_report(a["id"])["status"] == "open"
    with pytest.raises(InvalidRecord):
        store.resolve_reports([a["id"]], "deleted", "token:alice")
    stamp = store.reports_stamp()
    done = store.resolve_reports([a["id"], b["id"]], "not_a_problem", "token:alice", note="checked the site")
    assert [d["status"] for d in done] == ["not_a_problem"] * 2
    assert store.reports_stamp() > stamp
    got = store.get_report(b["id"])
    assert (got["status"], got["resolved_by"], got["resolution_note"]) == ("not_a_problem", "token:alice",
                                                                          "checked the site")
    [entry] = store.audit_entries(target=f"route-report:{b['id']}")
    assert (entry["actor"], entry["action"]) == ("token:alice", "resolve route report: not_a_problem")
    assert entry["before"] == {"status": "open"} and entry["after"]["note"] == "checked the site"


def test_reports_are_not_in_exports_and_go_with_wipe(store):
    seed(store)
    store.add_report({"contact": "ons", "outcome": "answered", "comment": "thanks"})
    assert len(list(store.iter_nodes())) == len(NODES)
    assert not any(n.get("label") not in ("Producer", "Statistic", "Public") for n in store.iter_nodes())
    store.wipe()
    assert store.reports() == []
