"""A user opens the waiting list, filters it by topic, opens a need and sees its history."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from graph import needs
from graph.stores import Change

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


def test_waiting_list_filter_open_need_see_history(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-need-rent", "label": "Need", "name": "E2E poverty figures for renters " + XSS,
         "statement": "As a tenants' adviser, I need poverty figures for renters, so that I can target help.",
         "status": "captured", "priority": 1, "raised": "2026-01-15"}], "edges": [
        {"type": "CONCERNS", "from": "e2e-need-rent", "to": "topic.poverty"},
        {"type": "OWNED_BY", "from": "e2e-need-rent", "to": "dwp"}]})
    current = live.store.get_node("e2e-need-rent")
    live.store.apply(Change(put_nodes=[needs.change_status(current, "under_review", response="Looking at FRS")],
                            expect={"e2e-need-rent": current["version"]}, actor="token:e2e"))

    page.goto(live.url + "/")
    page.get_by_role("link", name="Waiting list").first.click()
    expect(page.locator("h1")).to_have_text("Waiting list of user needs")
    assert page.locator("#waiting-list > li").count() > 5  # the seed registry's open needs
    page.get_by_label("Topic").select_option(label="Poverty")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/needs?*topic=topic.poverty*")
    expect(page.locator("#results-heading")).to_contain_text("matching your filters")
    cards = page.locator("#waiting-list > li")
    titles = cards.locator("h3").all_inner_texts()
    assert any("E2E poverty figures for renters " + XSS in t for t in titles)
    assert any("Finding and navigating poverty data" in t for t in titles)  # a seed need on the topic
    assert not any("single first point of contact" in t.lower() for t in titles)  # not about poverty

    page.get_by_role("link", name="E2E poverty figures for renters " + XSS).click()
    page.wait_for_url("**/records/e2e-need-rent")
    expect(page.locator("h1")).to_have_text("E2E poverty figures for renters " + XSS)
    history = page.locator("#need-history")
    assert "Moved from captured to under review." in history.inner_text()
    assert "Raised. Status when added to the registry: captured." in history.inner_text()  # imported
    assert "Looking at FRS" in history.inner_text()
    assert page.problems == []
