"""A coordinator opens the map of the whole seed registry, chooses a record and reads its card."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)> href"
SETTLE_SECONDS = 10


def _settle(page) -> float:
    started = time.perf_counter()
    page.wait_for_selector('#map[data-state="settled"]', timeout=SETTLE_SECONDS * 1000)
    return time.perf_counter() - started


def _click_node(page, node_id: str) -> None:
    """Click where vis-network drew the node, as a person would."""
    page.locator("#map").scroll_into_view_if_needed()
    page.evaluate("id => window.pathwaysMap.network.focus(id, {scale: 1.5, animation: false})", node_id)
    page.evaluate("() => window.pathwaysMap.network.redraw()")
    point = page.evaluate("""id => {
        const network = window.pathwaysMap.network
        return network.canvasToDOM(network.getPositions([id])[id])
    }""", node_id)
    box = page.locator("#map canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_whole_seed_map_settles_and_a_node_shows_its_card(live, page):
    page.goto(live.url + "/map")
    seconds = _settle(page)
    assert seconds < SETTLE_SECONDS
    count = page.evaluate("() => window.pathwaysMap.network.body.data.nodes.length")
    assert count == live.store.count_nodes()
    assert page.locator("#map-nodes tbody tr").count() == count  # the table beside the map
    _click_node(page, "ons")
    card = page.locator("#map-card")
    card.wait_for(state="visible")
    assert card.locator("h2").inner_text() == live.store.get_node("ons")["name"]
    assert card.get_by_role("link", name="Open the record").get_attribute("href") == "/records/ons"
    assert "Contact" in card.inner_text()
    page.get_by_label("Find a record on this map").fill("carers")
    page.get_by_role("button", name="Find", exact=True).click()
    assert "match" in page.locator("#map-status").inner_text()
    assert page.locator("#map-search-results button").count() >= 1
    assert page.problems == []


def test_a_hostile_name_is_shown_as_text(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-map-xss", "label": "Public", "name": XSS, "description": XSS},
        {"id": "e2e-map-friend", "label": "Intermediary", "name": f"Friends of {XSS}",
         "contact": {"note": XSS, "url": "https://example.org/?q=<script>"}}], "edges": [
        {"type": "REACHES", "from": "e2e-map-friend", "to": "e2e-map-xss", "strength": 0.8}]})
    page.goto(live.url + "/map?focus=e2e-map-xss")
    _settle(page)
    _click_node(page, "e2e-map-xss")
    card = page.locator("#map-card")
    card.wait_for(state="visible")
    assert card.locator("h2").inner_text() == XSS
    assert page.locator("#map-card img").count() == 0 and page.locator("#map img").count() == 0
    _click_node(page, "e2e-map-friend")
    page.wait_for_function("() => document.querySelector('#map-card h2').textContent.startsWith('Friends of')")
    assert XSS in page.locator("#map-card").inner_text()
    assert page.locator("#map-card script, #map-card img").count() == 0
    page.locator("#map-card").get_by_role("link", name="https://example.org/?q=<script>").wait_for()
    page.mouse.move(10, 10)
    assert page.locator(".vis-tooltip:visible").count() == 0
    assert page.locator("#map-nodes").get_by_role("link", name=XSS, exact=True).count() == 1
    assert page.problems == []
