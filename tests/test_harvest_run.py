"""Merging a harvest into a store (graph.harvest.run) and the ``pathways harvest`` command.

Store tests run on the embedded store and on Neo4j (the ``store`` fixture); the CLI tests
too (``BOTH_STORES``). Harvests are small hand-made ones, or the GOV.UK fixture
(tests/fixtures/harvest/govuk/); nothing here reads the network.
"""
from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from graph.errors import InvalidRecord
from graph.harvest import fetch, govuk
from graph.harvest.base import Conflict, Harvest, fingerprint
from graph.harvest.run import run
from graph.stores import open_store
from graph.stores.base import Change

BOTH_STORES = True  # the CLI tests run on both stores too

FIXTURES = Path(__file__).parent / "fixtures" / "harvest" / "govuk"
CASSETTE = FIXTURES / "moj-search-content.yaml"
CATALOGUE = FIXTURES / "justice-data-publications.yaml"
SEARCH = govuk.search_url("ministry-of-justice")
DAY1, DAY2 = "2024-01-10", "2024-02-10"


# -- a small harvest ---------------------------------------------------------------

def producer(pid="ons", name="Office for National Statistics", **more):
    return {"id": pid, "label": "Producer", "name": name, "kind": "public_body", **more}


def statistic(sid="cpi", name="Consumer price inflation", **more):
    return {"id": sid, "label": "Statistic", "name": name, "status": "accredited_official",
            "url": f"https://www.ons.gov.uk/{sid}", **more}


def produces(pid, sid):
    return {"type": "PRODUCES", "from": pid, "to": sid}


def prices(recorded=DAY1, source="t", **cpi):
    """ONS, two statistics and a topic, as source ``source`` lists them on ``recorded``."""
    fields = {"release": "monthly", "description": "Prices of goods", **cpi}
    nodes = [producer(), statistic(**{k: v for k, v in fields.items() if v is not None}),
             statistic("rpi", "Retail prices index"), {"id": "topic.prices", "label": "Topic", "name": "Prices"}]
    edges = [produces("ons", "cpi"), produces("ons", "rpi"), {"type": "ABOUT", "from": "cpi", "to": "topic.prices"}]
    return Harvest(source, recorded, nodes=nodes, edges=edges, scope={"ons"})


def by_hand(store, *records, delete_edges=()):
    """An editor's change, as the web app writes it."""
    return store.apply(Change(put_nodes=list(records), delete_edges=list(delete_edges), actor="web",
                              action="edit"))


def edited(store, node_id, **fields):
    """The stored record with ``fields`` set (None: removed), without its version."""
    record = {k: v for k, v in store.get_node(node_id).items() if k != "version"}
    for key, value in fields.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def edge_triples(store, node_id):
    return {(e["type"], e["from"], e["to"]) for e in store.edges_of(node_id)}


# -- 1. create, then a rerun changes nothing ------------------------------------------------

def test_a_harvest_into_an_empty_store_creates_everything_with_fingerprints(store):
    plan, result = run(store, prices())
    assert result.created == 4 and result.edges_written == 3
    assert sorted(r["id"] for r in plan.creates) == ["cpi", "ons", "rpi", "topic.prices"]
    cpi = store.get_node("cpi")
    fields = {k: v for k, v in prices().nodes[1].items() if k not in ("id", "label")}
    assert cpi["harvested"] == {"by": "t", "at": DAY1, "fields": {k: fingerprint(v) for k, v in fields.items()}}
    assert all(store.get_node(i)["harvested"]["by"] == "t" for i in ("ons", "rpi", "topic.prices"))
    assert ("PRODUCES", "ons", "cpi") in edge_triples(store, "cpi")


def test_the_same_harvest_again_changes_nothing(store):
    run(store, prices())
    revision = store.revision()
    plan, result = run(store, prices())
    assert store.revision() == revision
    assert sorted(plan.unchanged) == ["cpi", "ons", "rpi", "topic.prices"]
    assert plan.creates == plan.updates == plan.edges == plan.conflicts == plan.withdrawn == []
    assert all(c == {"created": 0, "updated": 0, "unchanged": c["unchanged"]} for c in plan.counts().values())


def test_the_govuk_fixture_twice_changes_nothing_the_second_time(store):
    found = govuk.from_recorded([CASSETTE, CATALOGUE])
    plan, _ = run(store, found)
    assert len(plan.creates) == len(found.nodes) and store.count_nodes() == len(found.nodes)
    revision = store.revision()
    again, _ = run(store, govuk.from_recorded([CASSETTE, CATALOGUE]))
    assert store.revision() == revision
    assert sorted(again.unchanged) == sorted(n["id"] for n in found.nodes) and not again.changed


def test_a_later_recording_of_the_same_values_only_moves_verified(store):
    run(store, prices())
    plan, _ = run(store, prices(DAY2, verified=DAY2))
    assert [r["id"] for r in plan.updates] == ["cpi"] and plan.conflicts == []
    assert store.get_node("cpi")["verified"] == DAY2 and store.get_node("cpi")["harvested"]["at"] == DAY2


# -- 2, 3. an editor's changes are kept ------------------------------------------------

def test_a_field_an_editor_changed_is_kept_and_reported_others_are_updated(store):
    run(store, prices())
    by_hand(store, edited(store, "cpi", release="monthly, second Wednesday"))
    plan, _ = run(store, prices(DAY2, release="quarterly", description="Prices of goods and services"))
    cpi = store.get_node("cpi")
    assert cpi["release"] == "monthly, second Wednesday"
    assert cpi["description"] == "Prices of goods and services", "a field the editor left alone is updated"
    assert plan.conflicts == [Conflict("cpi", "release", "monthly, second Wednesday", "quarterly")]
    assert "node 'cpi': release: kept the registry's 'monthly, second Wednesday'" in str(plan.conflicts[0])


def test_the_editors_value_is_kept_on_every_later_harvest_too(store):
    run(store, prices())
    by_hand(store, edited(store, "cpi", release="fortnightly"))
    run(store, prices(DAY2, release="quarterly"))
    revision = store.revision()
    plan, _ = run(store, prices(DAY2, release="quarterly"))
    assert store.revision() == revision and store.get_node("cpi")["release"] == "fortnightly"
    assert [(c.id, c.field) for c in plan.conflicts] == [("cpi", "release")]


def test_a_field_an_editor_deleted_stays_deleted_and_is_reported(store):
    run(store, prices())
    by_hand(store, edited(store, "cpi", description=None))
    plan, _ = run(store, prices(DAY2))
    assert "description" not in store.get_node("cpi")
    assert plan.conflicts == [Conflict("cpi", "description", None, "Prices of goods")]
    assert str(plan.conflicts[0]) == "node 'cpi': description: kept it deleted; the source now says 'Prices of goods'"


def test_a_field_an_editor_added_that_the_source_now_gives_is_kept(store):
    run(store, prices(release=None))
    by_hand(store, edited(store, "cpi", release="monthly, by hand"))
    plan, _ = run(store, prices(DAY2, release="monthly"))
    assert store.get_node("cpi")["release"] == "monthly, by hand"
    assert [(c.id, c.field) for c in plan.conflicts] == [("cpi", "release")]


# -- 4. another source's record ------------------------------------------------

def test_a_record_harvested_by_another_source_is_only_filled_in(store):
    run(store, prices(source="a", release=None))
    plan, _ = run(store, prices(DAY2, source="b", release="monthly", description="B's description"))
    cpi = store.get_node("cpi")
    assert cpi["description"] == "Prices of goods", "source a's value stands"
    assert cpi["release"] == "monthly", "a gap is filled"
    assert cpi["harvested"]["by"] == "a" and cpi["harvested"]["at"] == DAY1
    assert ("cpi", "description") in [(c.id, c.field) for c in plan.conflicts]
    revision = store.revision()
    run(store, prices(source="a", release=None))
    assert store.revision() == revision, "source a's next run leaves the filled gap alone"


# -- 5. reconcile: the registry's record for the same thing ------------------------------------------------

def test_a_producer_with_the_same_govuk_identifier_is_merged_into_it(store):
    by_hand(store, producer("justice", "Justice ministry", kind="department",
                            identifiers={"govuk": "ministry-of-justice"}))
    found = Harvest("govuk", DAY1, nodes=[
        producer("moj", "Ministry of Justice", kind="department", identifiers={"govuk": "ministry-of-justice"}),
        statistic("legal-aid-statistics", "Legal aid statistics")],
        edges=[produces("moj", "legal-aid-statistics")], scope={"moj"})
    run(store, found)
    assert store.get_node("moj") is None and store.count_nodes("Producer") == 1
    assert store.get_node("justice")["name"] == "Justice ministry", "the editor's name is kept"
    assert edge_triples(store, "legal-aid-statistics") == {("PRODUCES", "justice", "legal-aid-statistics")}


@pytest.mark.parametrize("stored, harvested", [
    (producer("justice", "Ministry of Justice"), producer("moj", "Ministry of Justice")),
    (producer("justice", "Justice ministry", aliases=["MoJ"]), producer("moj", "MOJ")),
    (producer("justice", "Ministry of Justice"),
     producer("moj", "Ministry for Justice", aliases=["Ministry of Justice"])),
], ids=["name", "stored-alias", "harvested-alias"])
def test_a_producer_with_the_same_name_or_alias_is_merged_into_it(store, stored, harvested):
    by_hand(store, stored)
    run(store, Harvest("govuk", DAY1, nodes=[harvested, statistic("s")], edges=[produces("moj", "s")]))
    assert store.get_node("moj") is None and store.count_nodes("Producer") == 1
    assert edge_triples(store, "s") == {("PRODUCES", "justice", "s")}


def test_a_statistic_with_the_same_web_page_is_merged_into_it(store):
    page = "https://www.gov.uk/government/collections/proven-reoffending-statistics"
    by_hand(store, producer("moj", "Ministry of Justice"),
            statistic("reoffending", "Reoffending (MoJ)", url=page + "/"))
    run(store, Harvest("govuk", DAY1, nodes=[producer("moj", "Ministry of Justice"),
                                             statistic("proven-reoffending-statistics", "Proven reoffending statistics",
                                                       url=page, release="quarterly")],
                       edges=[produces("moj", "proven-reoffending-statistics")]))
    assert store.get_node("proven-reoffending-statistics") is None and store.count_nodes("Statistic") == 1
    assert store.get_node("reoffending")["release"] == "quarterly"
    assert edge_triples(store, "reoffending") == {("PRODUCES", "moj", "reoffending")}


def test_a_statistic_with_the_same_name_under_the_same_producer_is_merged(store):
    by_hand(store, producer("justice", "Justice", identifiers={"govuk": "ministry-of-justice"}),
            statistic("legal-aid", "Legal Aid Statistics", url="https://example.org/legal-aid"))
    store.apply(Change(put_edges=[produces("justice", "legal-aid")], actor="web"))
    run(store, Harvest("govuk", DAY1, nodes=[
        producer("moj", "Ministry of Justice", identifiers={"govuk": "ministry-of-justice"}),
        statistic("legal-aid-statistics", "Legal aid statistics")], edges=[produces("moj", "legal-aid-statistics")]))
    assert store.count_nodes("Statistic") == 1 and store.get_node("legal-aid-statistics") is None
    assert edge_triples(store, "legal-aid") == {("PRODUCES", "justice", "legal-aid")}


def test_a_statistic_with_the_same_name_under_another_producer_is_not_merged(store):
    by_hand(store, producer("hmrc", "HM Revenue and Customs"), statistic("hmrc-annual-report", "Annual report"))
    store.apply(Change(put_edges=[produces("hmrc", "hmrc-annual-report")], actor="web"))
    run(store, Harvest("govuk", DAY1, nodes=[producer("moj", "Ministry of Justice"),
                                             statistic("moj-annual-report", "Annual report")],
                       edges=[produces("moj", "moj-annual-report")]))
    assert store.count_nodes("Statistic") == 2
    assert edge_triples(store, "hmrc-annual-report") == {("PRODUCES", "hmrc", "hmrc-annual-report")}
    assert edge_triples(store, "moj-annual-report") == {("PRODUCES", "moj", "moj-annual-report")}


def test_a_statistic_whose_id_another_producers_statistic_has_is_not_merged(store):
    hmrc = "https://www.gov.uk/government/collections/hmrc-annual-report"
    moj = "https://www.gov.uk/government/collections/moj-annual-report"
    run(store, Harvest("govuk", DAY1, nodes=[producer("hmrc", "HM Revenue and Customs"),
                                             statistic("annual-report", "Annual report", url=hmrc)],
                       edges=[produces("hmrc", "annual-report")], scope={"hmrc"}))
    found = Harvest("govuk", DAY2, nodes=[producer("moj", "Ministry of Justice"),
                                          statistic("annual-report", "Annual report", url=moj)],
                    edges=[produces("moj", "annual-report")], scope={"moj"})
    plan, _ = run(store, found)
    assert store.get_node("annual-report")["url"] == hmrc, "HMRC's statistic is left as it was"
    assert edge_triples(store, "annual-report") == {("PRODUCES", "hmrc", "annual-report")}
    [created] = [r for r in plan.creates if r["label"] == "Statistic"]
    assert created["url"] == moj and edge_triples(store, created["id"]) == {("PRODUCES", "moj", created["id"])}
    revision = store.revision()
    again, _ = run(store, found)
    assert store.revision() == revision and store.count_nodes("Statistic") == 2, "a rerun finds it again"


# -- 6. withdrawn ------------------------------------------------

def test_a_statistic_no_longer_listed_is_reported_withdrawn_not_deleted(store):
    run(store, prices())
    found = prices(DAY2)
    found.nodes = [n for n in found.nodes if n["id"] != "rpi"]
    found.edges = [e for e in found.edges if e["to"] != "rpi"]
    plan, _ = run(store, found)
    assert plan.withdrawn == [{"id": "rpi", "name": "Retail prices index"}]
    assert store.get_node("rpi")["name"] == "Retail prices index"
    assert ("PRODUCES", "ons", "rpi") in edge_triples(store, "rpi")


def test_only_statistics_of_this_source_and_producers_in_scope_are_withdrawn(store):
    run(store, prices())
    run(store, Harvest("other", DAY1, nodes=[statistic("hpi", "House price index")], edges=[produces("ons", "hpi")]))
    run(store, Harvest("t", DAY1, nodes=[producer("hmrc", "HMRC"), statistic("vat", "VAT receipts")],
                       edges=[produces("hmrc", "vat")], scope={"hmrc"}))
    found = prices(DAY2)
    found.nodes = [n for n in found.nodes if n["id"] != "rpi"]
    found.edges = [e for e in found.edges if e["to"] != "rpi"]
    plan, _ = run(store, found)
    assert [w["id"] for w in plan.withdrawn] == ["rpi"], "not hpi (another source's) nor vat (hmrc not in scope)"


# -- 7. dry run and all-or-nothing ------------------------------------------------

def test_a_dry_run_writes_nothing_but_plans_everything(store):
    revision = store.revision()
    plan, result = run(store, prices(), dry_run=True)
    assert result is None and store.revision() == revision and store.count_nodes() == 0
    assert len(plan.creates) == 4 and len(plan.edges) == 3


def test_a_dry_run_refuses_a_bad_record_naming_it_and_the_field(store):
    with pytest.raises(InvalidRecord) as caught:
        run(store, prices(release=["monthly"]), dry_run=True)
    assert [(p.record, p.field) for p in caught.value.problems] == [("node 'cpi'", "release")]
    assert store.count_nodes() == 0


def test_a_bad_record_writes_nothing_at_all(store):
    run(store, prices())
    revision = store.revision()
    found = prices(DAY2, description="Changed")
    found.nodes.append(statistic("bad", "Bad", status="great"))
    found.edges.append(produces("ons", "bad"))
    with pytest.raises(InvalidRecord) as caught:
        run(store, found)
    assert [(p.record, p.field) for p in caught.value.problems] == [("node 'bad'", "status")]
    assert store.revision() == revision and store.get_node("bad") is None
    assert store.get_node("cpi")["description"] == "Prices of goods"


# -- 8. audit ------------------------------------------------

def test_the_audit_trail_names_the_harvest_and_its_date(store):
    run(store, prices())
    entries = store.audit_entries()
    mine = [e for e in entries if e["actor"] == "harvest:t"]
    assert {e["target"] for e in mine} >= {"cpi", "ons", "rpi", "topic.prices"}
    assert all(DAY1 in e["action"] and "harvest t" in e["action"] for e in mine)
    by_hand(store, edited(store, "cpi", release="weekly"))
    run(store, prices(DAY2, description="New"))
    latest = store.audit_entries(target="cpi")[0]
    assert latest["actor"] == "harvest:t" and DAY2 in latest["action"] and latest["after"]["release"] == "weekly"


# -- 9. the command ------------------------------------------------

def recorded(*paths):
    return [a for p in paths for a in ("--recorded", p)]


def exported(cli):
    code, out, _ = cli("export")
    assert code == 0
    return json.loads(out)


def test_cli_dry_run_lists_series_with_mailboxes_and_counts_and_writes_nothing(cli):
    code, out, err = cli("harvest", "govuk", *recorded(CASSETTE, CATALOGUE), "--dry-run")
    assert code == 0, err
    assert "dry run: nothing written" in out
    assert "  Statistic: 5 to create, 0 to update, 0 unchanged" in out
    assert "  Producer: 3 to create, 0 to update, 0 unchanged" in out
    assert "  Legal aid statistics (legal-aid-statistics): statistics@justice.gov.uk" in out
    assert "  Proven reoffending statistics (proven-reoffending-statistics): " \
        "reoffendingstatistics@justice.gov.uk" in out
    assert "  Prisons and probation statistics (prisons-and-probation-statistics)\n" in out
    assert exported(cli)["nodes"] == []


def test_cli_second_run_creates_and_updates_nothing(cli):
    code, out, err = cli("harvest", "govuk", *recorded(CASSETTE))
    assert code == 0, err
    assert "  Statistic: 5 created, 0 updated, 0 unchanged" in out
    code, out, err = cli("harvest", "govuk", *recorded(CASSETTE))
    assert code == 0, err
    counts = [line for line in out.splitlines() if " created, " in line]
    assert counts and all(" 0 created, 0 updated, " in line for line in counts), out
    assert "  Statistic: 0 created, 0 updated, 5 unchanged" in out and "  relationships: 0 added" in out
    assert len(exported(cli)["nodes"]) == len(govuk.from_recorded(CASSETTE).nodes)


def test_cli_json_has_counts_conflicts_and_withdrawn(cli):
    code, out, err = cli("harvest", "govuk", *recorded(CASSETTE), "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["counts"]["Statistic"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert first["conflicts"] == [] and first["withdrawn"] == [] and first["revision"]
    store = open_store(os.environ["REGISTRY_STORE"])
    try:
        by_hand(store, edited(store, "legal-aid-statistics", name="Legal aid statistics (quarterly)"),
                statistic("old-series", "An old series", harvested={"by": "govuk", "at": "2024-01-01", "fields": {}}))
        store.apply(Change(put_edges=[produces("moj", "old-series")], actor="web"))
    finally:
        store.close()
    code, out, err = cli("harvest", "govuk", *recorded(CASSETTE), "--json")
    assert code == 0, err
    second = json.loads(out)
    assert second["counts"]["Statistic"] == {"created": 0, "updated": 0, "unchanged": 5}
    assert second["conflicts"] == [{"id": "legal-aid-statistics", "field": "name",
                                    "kept": "Legal aid statistics (quarterly)", "offered": "Legal aid statistics"}]
    assert second["withdrawn"] == [{"id": "old-series", "name": "An old series"}]
    code, out, _ = cli("harvest", "govuk", *recorded(CASSETTE))
    assert "Kept 1 field(s) an editor changed" in out and "  An old series (old-series)" in out


def cassette_with_search_body(tmp_path, body) -> Path:
    data = yaml.safe_load(CASSETTE.read_text("utf-8"))
    first = data["interactions"][0]
    assert fetch.canonical(first["request"]["uri"]) == fetch.canonical(SEARCH)
    first["response"]["body"]["string"] = body
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


@pytest.mark.parametrize("body, words", [
    ('{"results": [{"title": "Proven reoffending', "truncated?"),
    ("<!DOCTYPE html><html><body>GOV.UK</body></html>", "is HTML, not JSON"),
], ids=["truncated", "html"])
def test_cli_a_bad_response_is_one_line_naming_the_url_and_field_and_writes_nothing(cli, tmp_path, body, words):
    code, out, err = cli("harvest", "govuk", *recorded(cassette_with_search_body(tmp_path, body)))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pathways: https://www.gov.uk/api/search.json?")
    assert ": body: " in lines[0] and words in lines[0]
    assert exported(cli)["nodes"] == []


def test_cli_a_recording_that_does_not_exist_is_refused(cli, tmp_path):
    code, _, err = cli("harvest", "govuk", "--recorded", tmp_path / "nope.yaml")
    assert code == 2 and "does not exist" in err and "nope.yaml" in err and "Traceback" not in err


def test_cli_a_response_missing_from_the_recording_is_one_line(cli, tmp_path):
    data = yaml.safe_load(CASSETTE.read_text("utf-8"))
    del data["interactions"][1:]
    (tmp_path / "search-only.yaml").write_text(yaml.safe_dump(data), "utf-8")
    code, _, err = cli("harvest", "govuk", "--recorded", tmp_path / "search-only.yaml")
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "is not in the recording" in lines[0]
    assert exported(cli)["nodes"] == []


def test_cli_ons_refuses_two_recordings(cli):
    code, _, err = cli("harvest", "ons", *recorded(CASSETTE, CATALOGUE))
    assert code == 2 and "harvest ons reads one recording" in err


def test_cli_offline_is_one_clear_line_quickly(cli, monkeypatch):
    asked = []

    def offline(request, timeout):
        asked.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    started = time.monotonic()
    code, out, err = cli("harvest", "govuk", "--pause", "0")
    assert time.monotonic() - started < 5
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1
    assert "www.gov.uk" in lines[0] and "--recorded" in lines[0] and "offline" in lines[0]
    assert len(asked) == 1, "a name that does not resolve is not asked again"
    assert exported(cli)["nodes"] == []
