"""The /map page for a large generated view in headless chromium: time until a person can use it.

    nice -n 19 .venv/bin/python -m bench.map_page [--nodes 10000] [--seed 1] [--view umbrella|whole] [--runs 3]

A synthetic system (``graph.generate``) is imported into a scratch embedded store, the app is
served by waitress on a free 127.0.0.1 port and the map is opened in Debian's chromium:
``--view umbrella`` is the benchmark's view (the busiest umbrella body, depth 2, bounded at
2,000 records: a pathway view); ``--view whole`` is the whole registry in clusters, every cluster
open (``open=all``; use ``--nodes 2000``); ``--view clusters`` the same as it first opens, clusters
closed (the click goes to the biggest cluster's bubble, which opens it).

*Interactive* is measured as a person would find it: from the request until the map says it has
settled, a click on the best-connected record's drawn position has shown that record's card, and
the main thread answers the next frame. Also reported: the server's time for the page (first
byte), the HTML's size, DOMContentLoaded, the layout's cold time (once per revision and filters),
and how many nodes and edges were drawn. One JSON line per run on stdout.
"""
from __future__ import annotations

import argparse
import collections
import json
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from .common import emit, machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CLICK_AND_WAIT = """async id => {
    const map = window.pathwaysMap, network = map.network
    network.focus(id, {scale: 1.5, animation: false})
    network.redraw()
    const p = network.canvasToDOM(network.getPositions([id])[id])
    return p
}"""


def run_once(browser, url: str, focus_id: str) -> dict:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def guard(route):
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()
    context.route("**/*", guard)
    page.add_init_script("window.__longTasks = []; new PerformanceObserver(l => l.getEntries().forEach("
                         "e => window.__longTasks.push([Math.round(e.startTime), Math.round(e.duration)])))"
                         ".observe({entryTypes: ['longtask']})")
    start = time.perf_counter()
    response = page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    dom = time.perf_counter() - start
    html_bytes = len(response.body())
    timing = page.evaluate("() => { const t = performance.getEntriesByType('navigation')[0];"
                           " return {ttfb: t.responseStart - t.requestStart, response_end: t.responseEnd,"
                           " dom_interactive: t.domInteractive, dcl_end: t.domContentLoadedEventEnd} }")
    page.wait_for_selector('#map[data-state="settled"]', timeout=120_000)
    settled = time.perf_counter() - start
    steps = {}
    page.locator("#map").scroll_into_view_if_needed()
    steps["scrolled_ms"] = round((time.perf_counter() - start) * 1000)
    point = page.evaluate(CLICK_AND_WAIT, focus_id)
    steps["focused_ms"] = round((time.perf_counter() - start) * 1000)
    box = page.locator("#map canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    steps["clicked_ms"] = round((time.perf_counter() - start) * 1000)
    page.wait_for_function("id => id.startsWith('cluster:') ? window.pathwaysMap.clusters()"
                           ".find(c => 'cluster:' + c.id === id).open"
                           " : document.getElementById('map-card').getAttribute('data-node') === id",
                           arg=focus_id, timeout=20_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(1)))")
    interactive = time.perf_counter() - start
    marks = page.evaluate("() => Object.fromEntries(performance.getEntriesByType('mark')"
                          ".filter(m => m.name.startsWith('map-')).map(m => [m.name + '_ms', Math.round(m.startTime)]))")
    marks["long_tasks"] = page.evaluate("() => window.__longTasks")
    drawn = page.evaluate("() => [window.pathwaysMap.records, window.pathwaysMap.relationships]")
    context.close()
    return {"interactive_ms": round(interactive * 1000), "settled_ms": round(settled * 1000), **steps,
            "dom_content_loaded_ms": round(dom * 1000), "server_ms": round(timing["ttfb"]),
            "response_end_ms": round(timing["response_end"]), "dom_interactive_ms": round(timing["dom_interactive"]),
            "dcl_end_ms": round(timing["dcl_end"]), **marks, "html_bytes": html_bytes, "drawn_nodes": drawn[0], "drawn_edges": drawn[1],
            "console_errors": errors[:3], "requests_outside": outside[:3]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--view", choices=("umbrella", "whole", "clusters"), default="umbrella")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright
    from waitress.server import create_server

    from graph import transfer
    from graph.generate import generate
    from registry import create_app
    from registry.store import store_for

    doc = generate(args.nodes, seed=args.seed)
    reach = collections.Counter(e["from"] for e in doc.edges if e["type"] == "REACHES")
    umbrella = reach.most_common(1)[0][0]
    folder = Path(tempfile.mkdtemp(prefix="map-bench-"))
    app = create_app({"REGISTRY_STORE": f"sqlite:///{folder / 'map.db'}", "SECRET_KEY": "bench"})
    store = store_for(app)
    transfer.import_document(store, doc)
    del doc
    query = {"umbrella": f"?focus={umbrella}&depth=2", "whole": "?open=all", "clusters": ""}[args.view]
    base = {"measure": "map_page_browser", "nodes": args.nodes, "view": args.view, "load_average": machine()["load_average"]}
    with app.test_client() as client:  # the layout's cold cost, once per revision and filters
        started = time.perf_counter()
        client.get("/map" + query)
        base["cold_page_ms"] = round((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        body = client.get("/api/v1/map" + query).get_json()
        base["warm_data_ms"] = round((time.perf_counter() - started) * 1000)
    best = max(body["nodes"], key=lambda n: (n["importance"], n["id"]))["id"]
    if args.view == "clusters":
        best = "cluster:" + max(body["clusters"], key=lambda c: (c["count"], c["id"]))["id"]
    port = _free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                               "--disable-background-networking", "--disable-sync"])
            for i in range(args.runs):
                emit({**base, "run": i + 1, "clicked": best,
                      **run_once(browser, f"http://127.0.0.1:{port}/map{query}", best)})
            browser.close()
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
