"""Someone says whether a signpost answer helped; an editor accepts the suggested referral in one click."""
from __future__ import annotations

import pytest

from registry.auth import hash_token, new_token
from tests.e2e.test_accessibility import assert_accessible, assert_titled_and_headed

pytestmark = pytest.mark.e2e


def test_feedback_on_an_answer_becomes_a_referral_an_editor_accepts(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-rr-first", "label": "Producer", "name": "Ferry statistics team",
         "contact": {"email": "ferries@example.org"}},
        {"id": "e2e-rr-next", "label": "Producer", "name": "Harbour analysis unit",
         "contact": {"email": "harbours@example.org"}},
        {"id": "e2e-rr-stat", "label": "Statistic", "name": "Ferry passengers e2e"}],
        "edges": [{"type": "PRODUCES", "from": "e2e-rr-first", "to": "e2e-rr-stat"},
                  {"type": "PART_OF", "from": "e2e-rr-first", "to": "e2e-rr-next"}]})
    page.goto(live.url + "/records/e2e-rr-stat")
    assert page.locator("#first-contact-name").inner_text() == "Ferry statistics team"
    form = page.locator("#did-this-help")
    form.get_by_label("I was passed on to someone else").check()
    assert_accessible(page, "a statistic's page with Did this help?")
    form.get_by_label("Who were you passed on to? (optional)").select_option("e2e-rr-next")
    form.get_by_label("How many times were you passed on? (optional)").select_option("2")
    form.get_by_label("Anything else? (optional)").fill("They said <harbours> deal with it")
    page.wait_for_timeout(3200)  # the form refuses a report sent sooner than a person could
    form.get_by_role("button", name="Send").click()
    banner = page.locator(".govuk-notification-banner")
    banner.wait_for()
    assert "Thank you" in banner.inner_text()
    [report] = live.store.reports(contact="e2e-rr-first")
    assert (report["passed_to"], report["times_passed_on"], report["status"]) == ("e2e-rr-next", 2, "held")

    value = new_token()
    live.store.add_token("e2e-rr-editor", "editor", hash_token(value))
    page.goto(live.url + "/account/sign-in?next=/route-reports")
    page.get_by_label("Your token").fill(value)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="Route reports").wait_for()
    row = page.locator("#report-" + report["id"])
    assert "They said <harbours> deal with it" in row.inner_text()  # shown as text
    row.get_by_role("button", name="Release").click()  # held (markup-like text) until an editor releases it
    page.locator(".govuk-notification-banner").wait_for()
    suggestion = page.locator('[data-suggestion="e2e-rr-first:e2e-rr-next"]')
    assert "Harbour analysis unit" in suggestion.inner_text()
    assert_titled_and_headed(page, "route reports queue")
    assert_accessible(page, "route reports queue")
    suggestion.get_by_role("button", name="Accept").click()
    banner = page.locator(".govuk-notification-banner")
    banner.wait_for()
    assert "Ferry statistics team refers enquiries to Harbour analysis unit" in banner.inner_text()
    [edge] = live.store.edges_of("e2e-rr-first", "out", ["REFERS_TO"])
    assert edge["to"] == "e2e-rr-next" and edge["source"].startswith("Pathways route reports: 1 person")
    assert live.store.get_report(report["id"])["status"] == "fixed"

    page.goto(live.url + "/route-health")
    assert "Ferry passengers e2e → Ferry statistics team" in page.locator("#route-table").inner_text()
    assert_titled_and_headed(page, "route health")
    assert_accessible(page, "route health")
    page.goto(live.url + "/records/e2e-rr-stat")
    assert page.locator("#first-contact-name").inner_text() == "Harbour analysis unit"
    assert page.problems == []
