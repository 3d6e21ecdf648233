"""A harvested consultation's proposed publics, as a person reads them on the record pages."""
from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


def test_proposed_publics_are_plainly_not_confirmed(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-con-ofqual", "label": "Producer", "name": "Ofqual e2e", "kind": "department"},
        {"id": "e2e-con-pupils", "label": "Public", "name": "Pupils of e2e schools"},
        {"id": "e2e-con-staff", "label": "Public", "name": "Staff of e2e schools"},
        {"id": "e2e-con-gcse", "label": "Engagement", "name": "E2e GCSE grading consultation",
         "method": "consultation", "start": "2016-04-22", "end": "2016-06-17", "status": "reported",
         "feedback_published": "2016-09-07"}], "edges": [
        {"type": "RAN", "from": "e2e-con-ofqual", "to": "e2e-con-gcse"},
        {"type": "INVOLVED", "from": "e2e-con-gcse", "to": "e2e-con-pupils", "confirmed": False},
        {"type": "INVOLVED", "from": "e2e-con-gcse", "to": "e2e-con-staff", "confirmed": True}]})
    page.goto(live.url + "/records/e2e-con-gcse")
    pupils = page.locator("li", has_text="Pupils of e2e schools (public")  # under Connections
    assert "Proposed, not confirmed" in pupils.inner_text()
    assert "Proposed, not confirmed" not in page.locator("li", has_text="Staff of e2e schools").inner_text()
    assert page.locator("#proposed-publics").get_by_text("Pupils of e2e schools").is_visible()
    assert page.get_by_text("does not count towards the burden on that public").is_visible()
    assert_accessible(page, "engagement with a proposed public")
    page.get_by_role("link", name="Pupils of e2e schools").first.click()
    row = page.locator("tr", has_text="E2e GCSE grading consultation")
    assert "Proposed, not confirmed" in row.inner_text()
    assert_accessible(page, "public with a proposed engagement")
    assert page.problems == []


def test_an_editor_confirms_one_proposed_public_and_removes_another(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-conf-dfe", "label": "Producer", "name": "Education e2e", "kind": "department"},
        {"id": "e2e-conf-pupils", "label": "Public", "name": "Pupils of e2e academies"},
        {"id": "e2e-conf-staff", "label": "Public", "name": "Staff of e2e academies"},
        {"id": "e2e-conf-eng", "label": "Engagement", "name": "E2e academies consultation",
         "method": "consultation", "start": "2026-05-01", "end": "2026-06-01", "status": "held"}], "edges": [
        {"type": "RAN", "from": "e2e-conf-dfe", "to": "e2e-conf-eng"},
        {"type": "INVOLVED", "from": "e2e-conf-eng", "to": "e2e-conf-pupils", "confirmed": False},
        {"type": "INVOLVED", "from": "e2e-conf-eng", "to": "e2e-conf-staff", "confirmed": False}]})
    page.goto(live.url + "/records/e2e-conf-eng")
    assert page.get_by_role("button", name="Confirm").count() == 0  # signed out: nothing to press
    sign_in(live, page, "e2e-confirmer")
    page.goto(live.url + "/records/e2e-conf-eng")
    box = page.locator("#proposed-publics")
    assert box.get_by_text("Proposed, not confirmed", exact=True).count() == 2
    assert_accessible(page, "engagement with Confirm and Remove")
    box.get_by_role("button",
                    name="Confirm that Pupils of e2e academies took part in E2e academies consultation").click()
    page.get_by_text("Pupils of e2e academies confirmed as taking part in E2e academies consultation").wait_for()
    assert page.locator("#proposal-e2e-conf-pupils").count() == 0
    page.get_by_role("button", name="Remove Staff of e2e academies from E2e academies consultation").click()
    page.get_by_text("Staff of e2e academies removed from E2e academies consultation").wait_for()
    assert page.locator("#proposed-publics").count() == 0
    edges = {e["to"]: e.get("confirmed") for e in live.store.edges_of("e2e-conf-eng", "out", ["INVOLVED"])}
    assert edges == {"e2e-conf-pupils": True}
    assert page.problems == []


def test_an_editor_records_a_consultation_from_its_gov_uk_address(live, page):
    from pathlib import Path

    from graph.harvest import fetch
    cassette = Path(__file__).parents[1] / "fixtures" / "harvest" / "govuk" / "consultations" / "consultations.yaml"
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-addr-ofqual", "label": "Producer", "name": "Ofqual (e2e)", "kind": "department",
         "identifiers": {"govuk": "ofqual"}},
        {"id": "e2e-addr-students", "label": "Public", "name": "E2e students taking GCSEs", "aliases": ["students"]}],
        "edges": []})
    live.app.config["GOVUK_READER"] = fetch.Cassette.open(cassette)
    try:
        sign_in(live, page, "e2e-from-address")
        page.goto(live.url + "/engagements/new")
        page.get_by_role("link", name="Record it from its address").click()
        page.get_by_label("Address of the consultation on GOV.UK").fill("www.gov.scot/publications/x")
        page.get_by_role("button", name="Read the consultation").click()
        assert "is on www.gov.scot, not GOV.UK" in page.locator(".govuk-error-summary").inner_text()
        page.get_by_label("Address of the consultation on GOV.UK").fill(
            "https://www.gov.uk/government/consultations/setting-the-grade-standards-of-new-gcses-in-england-2017-2018")
        page.get_by_role("button", name="Read the consultation").click()
        page.get_by_role("heading", name="Check and save: Setting the grade standards of new GCSEs in England: "
                                         "2017 & 2018").wait_for()
        assert_accessible(page, "a consultation read from GOV.UK, to check and save")
        page.get_by_label("E2e students taking GCSEs took part").check()
        page.get_by_role("button", name="Save engagement").click()
        page.get_by_text("saved from GOV.UK").wait_for()
        engagement = "eng.govuk.setting-the-grade-standards-of-new-gcses-in-england-2017-2018"
        assert page.url.endswith("/records/" + engagement)
        edges = {e["to"]: e.get("confirmed") for e in live.store.edges_of(engagement, "out", ["INVOLVED"])}
        assert edges.get("e2e-addr-students") is True
    finally:
        live.app.config["GOVUK_READER"] = None
    assert [p for p in page.problems if "status of 400" not in p] == []
