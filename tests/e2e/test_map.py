"""A coordinator opens the map of the whole seed registry, chooses a record and reads its card."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from graph import transfer
from graph.settings import DEFAULTS

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
    page_size = DEFAULTS["map"]["table_page_size"]
    assert page.locator("#map-nodes tbody tr").count() == min(count, page_size)  # the table's first page
    if count > page_size:
        assert page.locator(".govuk-pagination").count() >= 1
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


@pytest.fixture(scope="module")
def generated_live(tmp_path_factory):
    """A server of its own on a generated registry of about 2,000 records (the seed server's
    whole-registry map must stay the seed)."""
    from waitress.server import create_server

    from graph.generate import generate
    from registry import create_app
    from registry.store import store_for
    folder = tmp_path_factory.mktemp("map2000")
    app = create_app({"REGISTRY_STORE": f"sqlite:///{folder / 'map.db'}", "SECRET_KEY": "e2e-secret"})
    store = store_for(app)
    transfer.import_document(store, generate(2000, seed=11))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    yield type("Live", (), {"url": f"http://127.0.0.1:{port}", "store": store})
    server.close()
    store.close()


def test_a_generated_2000_record_map_becomes_interactive(generated_live, page):
    started = time.perf_counter()
    page.goto(generated_live.url + "/map")
    _settle(page)
    drawn = page.evaluate("() => [window.pathwaysMap.records, window.pathwaysMap.relationships]")
    assert drawn[0] == 2000 and drawn[1] > 5000
    physics = page.evaluate("() => window.pathwaysMap.network.physics.options.enabled")
    assert physics is False  # positions come from the server's layout
    graph = generated_live.store.graph()
    hub = max(graph.nodes, key=lambda n: (graph.degree(n), n))
    _click_node(page, hub)
    page.wait_for_function("id => document.getElementById('map-card').getAttribute('data-node') === id", arg=hub)
    print(f"2,000-record map: a click on the best-connected record showed its card "
          f"{time.perf_counter() - started:.2f} s after the request")
    assert page.locator("#map-card h2").inner_text() == graph.nodes[hub]["name"]
    # a small record beside the hub is hit where it is drawn, not its big neighbour
    small = min((n for n in graph.nodes if graph.nodes[n].get("label") == "Public"), key=lambda n: (graph.degree(n), n))
    _click_node(page, small)
    page.wait_for_function("id => document.getElementById('map-card').getAttribute('data-node') === id", arg=small)
    assert page.locator("#map-card h2").inner_text() == graph.nodes[small]["name"]
    # the table beside the map is paged, so the page stays light
    assert page.locator("#map-nodes tbody tr").count() == 400
    assert page.get_by_role("navigation", name="Pages of the table of records").is_visible()
    assert page.problems == []
