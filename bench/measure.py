"""One store, already loaded: every read measured through the Flask test client.

Run by :mod:`bench.run` in its own process, so its peak memory is the app's
(store, caches, requests), not the generator's. Prints one JSON line per
measurement. An endpoint the app does not route (not built yet) is reported as
skipped, never timed.
"""
from __future__ import annotations

import argparse
import json
import random
import time

from werkzeug.exceptions import MethodNotAllowed, NotFound

from .common import emit, peak_rss_mib, summary_ms

# name, method, url template (filled from the targets), samples factor (1: the full count)
ENDPOINTS = (
    ("search", "GET", "/api/v1/search?q={words}", 1.0),
    ("signpost", "GET", "/api/v1/signpost?statistic={statistic}", 1.0),
    ("intermediaries", "GET", "/api/v1/publics/{public}/intermediaries", 1.0),
    ("burden_check", "POST", "/api/v1/burden/check", 1.0),
    ("record_page", "GET", "/records/{any}", 0.5),
    ("burden_all", "GET", "/api/v1/burden?as_of={as_of}", 0.05),
    ("gaps", "GET", "/api/v1/gaps", 0.05),
    ("gaps_page", "GET", "/gaps", 0.05),
    ("gaps_rule_page", "GET", "/gaps/stale_records?page=3", 0.05),
    ("gaps_csv", "GET", "/gaps?format=csv", 0.05),
    ("gaps_json", "GET", "/gaps?format=json", 0.05),
    ("map_data", "GET", "/api/v1/map?focus={umbrella}&depth=2", 0.05),
    ("map_page", "GET", "/map?focus={umbrella}&depth=2", 0.05),
)
MIN_SAMPLES = 5


def routed(app, method: str, path: str) -> bool:
    """Whether the app has a route for this method and path."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path.split("?", 1)[0], method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


def fill(template: str, targets: dict, rng: random.Random) -> tuple[str, dict | None]:
    values = {key: rng.choice(targets[key]) for key in ("statistic", "public", "any", "words") if targets.get(key)}
    values.update(as_of=targets["as_of"], umbrella=targets["umbrella"])
    body = None
    if template == "/api/v1/burden/check":
        body = {"method": "workshop", "start": targets["as_of"], "name": "Benchmark draft",
                "publics": rng.sample(targets["public"], 2)}
    from urllib.parse import quote
    return template.format(**{k: quote(str(v), safe="") for k, v in values.items()}), body


def measure_endpoint(client, app, base: dict, name: str, method: str, template: str, samples: int,
                     targets: dict, rng: random.Random) -> dict:
    path, _ = fill(template, targets, rng)
    if not routed(app, method, path):
        return {**base, "measure": name, "skipped": "endpoint not available (404)"}
    durations, statuses, first_error, sizes = [], {}, None, []
    cold = None
    for i in range(samples + 1):  # the first call is the cold one (caches built), reported apart
        path, body = fill(template, targets, rng)
        start = time.perf_counter()
        response = client.open(path, method=method, json=body)
        # read as a client does, a piece at a time: get_data() would hold a streamed body twice over
        size = sum(len(piece) for piece in response.iter_encoded())
        response.close()
        elapsed = time.perf_counter() - start
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        if response.status_code >= 400 and first_error is None:
            first_error = f"{method} {path} -> {response.status_code}: {response.get_data()[:300].decode('utf-8', 'replace')}"
        if i == 0:
            cold = elapsed
            continue
        durations.append(elapsed)
        sizes.append(size)
    record = {**base, "measure": name, **summary_ms(durations), "cold_ms": round(cold * 1000, 2),
              "statuses": statuses, "errors": sum(n for s, n in statuses.items() if int(s) >= 400),
              "mean_bytes": round(sum(sizes) / len(sizes)), "peak_rss_mib": peak_rss_mib()}
    if name == "map_data" and statuses.get("200"):
        payload = client.get(path).get_json()
        record["map_nodes"] = len(payload.get("nodes", []))
        record["map_edges"] = len(payload.get("edges", []))
    if first_error:
        record["first_error"] = first_error
    return record


def raw_cypher(store, base: dict, targets: dict, samples: int, rng: random.Random, app_medians: dict) -> list[dict]:
    """The same neighbourhood reads as signpost and intermediaries, as raw Cypher alone."""
    queries = {
        # The owner chain (PRODUCES, PART_OF upward), its REFERS_TO chain, and the topics' user groups
        # and intermediaries that reach the publics the statistic describes: what signposting reads.
        "signpost": ("statistic", """
            MATCH (s:Node {id: $id})
            OPTIONAL MATCH (s)<-[:PRODUCES]-(p)-[:PART_OF*0..4]->(owner)
            OPTIONAL MATCH (owner)-[:REFERS_TO*1..6]->(ref)
            OPTIONAL MATCH (s)-[:ABOUT]->(t)-[:BROADER*0..3]->(bt)<-[:COVERS]-(ug)
            OPTIONAL MATCH (s)-[:DESCRIBES]->(pub)<-[:REACHES]-(i)-[:WORKS_ON]->(t)
            RETURN count(DISTINCT owner) + count(DISTINCT ref) + count(DISTINCT ug) + count(DISTINCT i) AS n"""),
        # Up to three hops from the public: who reaches it, their umbrellas, and their load (VIA).
        "intermediaries": ("public", """
            MATCH (pub:Node {id: $id})<-[r:REACHES]-(i)
            OPTIONAL MATCH (i)-[:MEMBER_OF*1..2]->(u:Intermediary)
            OPTIONAL MATCH (i)<-[:VIA]-(e:Engagement)
            RETURN count(DISTINCT i) + count(DISTINCT u) + count(DISTINCT e) AS n"""),
    }
    out = []
    for name, (kind, query) in queries.items():
        def work(tx, node_id, query=query):
            return tx.run(query, id=node_id).single()["n"]
        durations = []
        for i in range(samples + 1):
            node_id = rng.choice(targets[kind])
            start = time.perf_counter()
            store._read(work, node_id)  # the store's own managed read transaction
            if i:
                durations.append(time.perf_counter() - start)
        record = {**base, "measure": f"raw_cypher_{name}", **summary_ms(durations)}
        if app_medians.get(name):
            record["overhead_ratio"] = round(app_medians[name] / record["median_ms"], 2)
        out.append(record)
    return out


def browser_map(app, base: dict, targets: dict) -> dict:
    """The /map page for a 2,000-node view in headless chromium: time until it is interactive."""
    import shutil
    import socket
    import threading

    from playwright.sync_api import sync_playwright
    from waitress.server import create_server

    if not routed(app, "GET", "/map"):
        return {**base, "measure": "map_page_browser", "skipped": "endpoint not available (404)"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            url = f"http://127.0.0.1:{port}/map?focus={targets['umbrella']}&depth=2"
            start = time.perf_counter()
            page.goto(url, wait_until="load", timeout=60_000)
            page.wait_for_load_state("networkidle", timeout=60_000)
            # Interactive: the main thread answers and the page has drawn its map or its list.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(1)))")
            elapsed = time.perf_counter() - start
            browser.close()
        return {**base, "measure": "map_page_browser", "n": 1, "interactive_ms": round(elapsed * 1000),
                "console_errors": errors[:3]}
    finally:
        server.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", required=True)
    parser.add_argument("--targets", required=True, help="JSON file of ids to sample from")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--browser", action="store_true", help="also time the map page in headless chromium")
    parser.add_argument("--base", default="{}", help="JSON fields to put on every line")
    args = parser.parse_args(argv)
    base = json.loads(args.base)
    with open(args.targets) as handle:
        targets = json.load(handle)
    from registry import create_app
    from registry.store import store_for
    app = create_app({"REGISTRY_STORE": args.store, "SECRET_KEY": "bench", "RATELIMIT_WRITES_PER_MINUTE": 10**9})
    store = store_for(app)
    rng = random.Random(2026)
    client = app.test_client()
    medians = {}
    for name, method, template, factor in ENDPOINTS:
        samples = max(MIN_SAMPLES, int(args.samples * factor))
        record = measure_endpoint(client, app, base, name, method, template, samples, targets, rng)
        medians[name] = record.get("median_ms") if not record.get("errors") else None
        emit(record)
    if store.url.split("://", 1)[0] != "sqlite":
        for record in raw_cypher(store, base, targets, args.samples, rng, medians):
            emit(record)
    # The app's peak, before the browser step: its driver (playwright's client, about 20 MiB in this
    # process) is the benchmark's own, not the app's; the peak with it is reported beside.
    app_peak = peak_rss_mib()
    if args.browser:
        try:
            emit(browser_map(app, base, targets))
        except Exception as exc:  # a browser that cannot start is reported, not hidden
            emit({**base, "measure": "map_page_browser", "skipped": f"browser failed: {exc}"[:300]})
    emit({**base, "measure": "memory", "peak_rss_mib": app_peak, "with_browser_driver_mib": peak_rss_mib(),
          "note": "peak resident memory of the app process after every request above, before the browser "
                  "step loads its driver into this process"})


if __name__ == "__main__":
    main()
