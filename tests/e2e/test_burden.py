"""A producer checks before consulting an over-consulted public, and sees why not to."""
from __future__ import annotations

import datetime as dt

import pytest
from tests.provenance import CITED

pytestmark = pytest.mark.e2e


def _days_ago(n: int) -> str:
    return (dt.date.today() - dt.timedelta(days=n)).isoformat()


def _in_days(n: int) -> str:
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


def test_producer_checks_an_over_consulted_public(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-burden-public", "label": "Public", "name": "Kinship carers in Wales", "capacity": 6},
        {"id": "e2e-burden-topic", "label": "Topic", "name": "Kinship care"},
        {"id": "e2e-burden-busy", "label": "Intermediary", "name": "Kinship Cymru", "volunteer_led": True},
        {"id": "e2e-burden-calm", "label": "Intermediary", "name": "Grandparents Plus Wales"},
        {"id": "e2e-burden-jury", "label": "Engagement", "name": "Kinship carers citizens' jury",
         "method": "citizens_jury", "start": _days_ago(40), "end": _days_ago(30), "status": "reported",
         "feedback_published": _days_ago(5), "feedback_url": "https://example.org/kinship-findings"},
        {"id": "e2e-burden-groups", "label": "Engagement", "name": "Kinship carers focus groups",
         "method": "focus_group", "start": _days_ago(20), "status": "held"},
        {"id": "e2e-burden-planned", "label": "Engagement", "name": "Kinship care survey pilot",
         "method": "survey", "start": _in_days(20), "status": "planned"}], "edges": [
        {"type": "INVOLVED", "from": "e2e-burden-jury", "to": "e2e-burden-public"},
        {"type": "INVOLVED", "from": "e2e-burden-groups", "to": "e2e-burden-public"},
        {"type": "INVOLVED", "from": "e2e-burden-planned", "to": "e2e-burden-public"},
        {"type": "ON", "from": "e2e-burden-jury", "to": "e2e-burden-topic"},
        {"type": "VIA", "from": "e2e-burden-jury", "to": "e2e-burden-busy"},
        {"type": "REACHES", "from": "e2e-burden-busy", "to": "e2e-burden-public", **CITED},
        {"type": "REACHES", "from": "e2e-burden-calm", "to": "e2e-burden-public", **CITED},
        {"type": "RAN", "from": "ons", "to": "e2e-burden-jury"},
        {"type": "RAN", "from": "ons", "to": "e2e-burden-groups"}]})
    start = dt.date.today() + dt.timedelta(days=10)

    page.goto(live.url + "/burden")
    row = page.locator("#burden-publics tr", has_text="Kinship carers in Wales")
    assert "Over capacity" in row.inner_text()
    page.get_by_role("button", name="Check before you consult").click()
    assert page.locator("h1").inner_text() == "Check before you consult"

    page.get_by_label("Method").select_option("workshop")
    page.locator("#start-day").fill(str(start.day))
    page.locator("#start-month").fill(str(start.month))
    page.locator("#start-year").fill(str(start.year))
    page.get_by_label("Kinship carers in Wales").check()
    page.get_by_label("Which statistic or topic is it about? (optional)").select_option("e2e-burden-topic")
    page.get_by_label("Who is running it? (optional)").select_option("dhsc")
    page.get_by_role("button", name="Check").click()

    assert "What your engagement would add" in page.locator("#check-result").inner_text()
    warnings = page.locator("#warnings ~ .pathways-check-warning")
    text = " ".join(warnings.all_inner_texts())
    assert "Over capacity." in text and "Kinship carers in Wales would be over capacity" in text
    assert "Join up." in text and "Kinship care survey pilot" in page.content()
    suggestions = page.locator(".pathways-check-suggestion")
    assert suggestions.filter(has_text="Use existing evidence").get_by_role(
        "link", name="Kinship carers citizens' jury").is_visible()
    assert suggestions.filter(has_text="less-loaded intermediary").get_by_role(
        "link", name="Grandparents Plus Wales").is_visible()
    assert suggestions.filter(has_text="Offer something back").count() == 1
    table = page.locator("#check-publics").inner_text()
    assert "Over capacity" in table
    assert page.problems == []

    # nothing was saved: the public's page still shows two engagements
    page.goto(live.url + "/records/e2e-burden-public")
    assert "2 by 1 producer" in page.locator("#burden-gauge").inner_text()
    assert page.locator("#burden-contributions tbody tr").count() == 2
    assert page.problems == []
