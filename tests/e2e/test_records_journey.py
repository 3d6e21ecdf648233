"""A person searches the registry and opens a record."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


def test_search_then_record_page(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-topic", "label": "Topic", "name": "Household income journeys", "verified": "2026-11-01"},
        {"id": "e2e-xss", "label": "Topic", "name": XSS, "description": XSS}], "edges": [
        {"type": "BROADER", "from": "e2e-xss", "to": "e2e-topic"}]})
    page.goto(live.url + "/search")
    page.get_by_label("Search the registry").fill("household income journeys")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Household income journeys").click()
    assert page.locator("h1").inner_text() == "Household income journeys"
    page.get_by_role("link", name=XSS).click()
    assert page.locator("h1").inner_text() == XSS
    assert page.problems == []
