"""An editor adds a relationship to a record from its page, then removes it."""
from __future__ import annotations

import pytest

from registry.auth import hash_token, new_token
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e


def test_editor_adds_then_removes_a_relationship(live, page):
    value = new_token()
    live.store.add_token("e2e-rel-editor", "editor", hash_token(value))
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-rel-public", "label": "Public", "name": "Boat dwellers of e2e canal"},
        {"id": "e2e-rel-int-1", "label": "Intermediary", "name": "Canal boaters trust north", "kind": "civil_society"},
        {"id": "e2e-rel-int-2", "label": "Intermediary", "name": "Canal boaters trust south", "kind": "civil_society"}],
        "edges": []})
    page.goto(live.url + "/account/sign-in?next=/records/e2e-rel-public")
    page.get_by_label("Your token").fill(value)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="Boat dwellers of e2e canal").wait_for()
    page.get_by_role("button", name="Add a relationship").click()
    page.locator("h1", has_text="What kind of relationship do you want to add?").wait_for()
    assert_accessible(page, "choose a kind of relationship")
    page.get_by_label("Reached by").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("The other record").fill("canal boaters trust")
    page.get_by_label("Strength (optional)").fill("2")
    page.get_by_role("button", name="Add relationship").click()
    page.locator("legend", has_text="Which record do you mean?").wait_for()
    assert_accessible(page, "which record do you mean")
    page.get_by_label("Canal boaters trust south").check()
    page.get_by_role("button", name="Add relationship").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert "Strength must be at most 1" in summary.inner_text()
    assert_accessible(page, "relationship form with errors")
    summary.get_by_role("link", name="Strength must be at most 1").click()
    assert page.evaluate("document.activeElement.id") == "strength"
    page.get_by_label("Strength (optional)").fill("0.7")
    page.get_by_label("Trust (optional)").select_option("high")
    # A strength is an editor's judgement: it must say what it rests on (graph.model.SOURCED_TYPES).
    page.get_by_label("Source", exact=True).fill("https://example.org/canal-boaters-trust/who-we-help")
    page.get_by_label("Date of the source", exact=True).fill("2026-10-01")
    page.get_by_role("button", name="Add relationship").click()
    banner = page.locator(".govuk-notification-banner")
    banner.wait_for()
    assert "Relationship added" in banner.inner_text()
    table = page.locator("#relationships-table")
    assert "Canal boaters trust south" in table.inner_text() and "Strength: 0.7; Trust: high" in table.inner_text()
    assert_accessible(page, "record page with its relationships to change")
    assert [(e["from"], e.get("strength")) for e in live.store.edges_of("e2e-rel-public")] == [("e2e-rel-int-2", 0.7)]

    table.get_by_role("link", name="Remove reached by Canal boaters trust south").click()
    page.locator("h1", has_text="Are you sure you want to remove this relationship?").wait_for()
    assert_accessible(page, "remove a relationship")
    page.get_by_role("button", name="Yes, remove it").click()
    page.locator(".govuk-notification-banner", has_text="Relationship removed").wait_for()
    assert live.store.edges_of("e2e-rel-public") == []
    assert "This record has no relationships yet." in page.locator("main").inner_text()
    assert page.problems == []
