"""Issue 14's read-model measurements on one loaded store, in its own process.

Run by :mod:`bench.run` after the import. Prints one JSON line per measurement:

- ``*_page_throughput``: requests/s of a bare Flask page rendered from a small template
  and of a record page, a public's page and a statistic's page, each sent back to back
  to the same app for the same time budget, and each page's share of the bare page
  (the issue's goal: at least 0.4). Ratios, not absolute times: the machine is noisy.
- ``catch_up``: a second read model (its own store connection, as a second app server
  has) warmed, then 100 changes committed through the first; the time of the second
  model's next ``current()`` (goal ≤ 50 ms).
- ``second_app``: a record written through one app's API is read from a second app,
  on its own connection, at its next request (goal: seen, 200).
"""
from __future__ import annotations

import argparse
import json
import random
import time

from .common import emit

BARE_TEMPLATE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></main></body></html>"""

PAGES = (("bare_page_throughput", None), ("record_page_throughput", "/records/{any}"),
         ("public_page_throughput", "/publics/{public}"), ("statistic_page_throughput", "/records/{statistic}"))


def make_app(url: str):
    """A Pathways app on the store at ``url``, with the bare comparison page routed at /_bench/bare."""
    from flask import render_template_string

    from registry import create_app
    app = create_app({"REGISTRY_STORE": url, "SECRET_KEY": "bench", "RATELIMIT_WRITES_PER_MINUTE": 10**9})
    app.add_url_rule("/_bench/bare", "bench_bare", lambda: render_template_string(
        BARE_TEMPLATE, title="A bare page", items=["one", "two", "three"]))
    return app


def throughput(client, paths: list[str], seconds: float) -> dict:
    """Requests/s of GETs of ``paths`` in turn for ``seconds`` (after one warm-up request)."""
    client.get(paths[0])
    statuses: dict[str, int] = {}
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or n < 3:
        response = client.get(paths[n % len(paths)])
        response.get_data()
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        n += 1
    return {"requests": n, "requests_per_s": round(n / elapsed, 1), "statuses": statuses,
            "errors": sum(c for s, c in statuses.items() if int(s) >= 400)}


def page_throughput(app, base: dict, targets: dict, seconds: float, rng: random.Random) -> list[dict]:
    from urllib.parse import quote
    client = app.test_client()
    out, bare = [], None
    for name, template in PAGES:
        if template is None:
            paths = ["/_bench/bare"]
        else:
            key = template[template.index("{") + 1:template.index("}")]
            ids = rng.sample(targets[key], min(200, len(targets[key])))
            paths = [template.format(**{key: quote(i, safe="")}) for i in ids]
        record = {**base, "measure": name, **throughput(client, paths, seconds)}
        if template is None:
            bare = record["requests_per_s"]
        else:
            record["share_of_bare"] = round(record["requests_per_s"] / bare, 3)
        out.append(record)
        emit(record)
    return out


def catch_up(url: str, store_options: dict, base: dict, changes: int = 100) -> dict:
    """Time a warm second read model's catch-up on ``changes`` single-record commits."""
    from graph.stores import Change, open_store
    from graph.readmodel import ReadModel
    writer, reader = open_store(url, **store_options), open_store(url, **store_options)
    try:
        model = ReadModel(reader)
        before = model.current().revision
        stamp = time.time_ns()
        started = time.perf_counter()
        for i in range(changes):
            writer.apply(Change(put_nodes=[{"id": f"bench-catchup-{stamp}-{i}", "label": "Public",
                                            "name": f"Catch-up public {i}", "kind": "citizens"}]))
        write_seconds = time.perf_counter() - started
        started = time.perf_counter()
        snapshot = model.current()
        seconds = time.perf_counter() - started
        seen = all(f"bench-catchup-{stamp}-{i}" in snapshot.graph for i in range(changes))
        return {**base, "measure": "catch_up", "changes": changes, "revisions": snapshot.revision - before,
                "catch_up_ms": round(seconds * 1000, 2), "all_seen": seen,
                "write_ms_each": round(write_seconds * 1000 / changes, 2)}
    finally:
        writer.close()
        reader.close()


def second_app(url: str, base: dict) -> dict:
    """Write through one app's API; read the record back from a second app at its next request."""
    from registry.auth import hash_token, new_token
    from registry.store import store_for
    first, second = make_app(url), make_app(url)
    token = new_token()
    store_for(first).add_token(f"bench-{time.time_ns()}", "editor", hash_token(token))
    reader = second.test_client()
    reader.get("/api/v1/nodes/bench-not-a-record")  # a 404 from the second app's read model: loaded and current
    record = {"id": f"bench-second-{time.time_ns()}", "label": "Public", "name": "Second app public",
              "kind": "citizens"}
    wrote = first.test_client().post("/api/v1/nodes", json=record, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    read = reader.get(f"/api/v1/nodes/{record['id']}")
    return {**base, "measure": "second_app", "write_status": wrote.status_code, "read_status": read.status_code,
            "seen": wrote.status_code == 201 and read.status_code == 200,
            "next_request_ms": round((time.perf_counter() - started) * 1000, 2)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--targets", required=True, help="JSON file of ids to sample from")
    parser.add_argument("--seconds", type=float, default=10, help="time budget per page throughput")
    parser.add_argument("--base", default="{}", help="JSON fields to put on every line")
    args = parser.parse_args(argv)
    base = json.loads(args.base)
    with open(args.targets) as handle:
        targets = json.load(handle)
    options = {}
    if not args.store.startswith("sqlite"):
        import os
        options = {"user": os.environ.get("NEO4J_USER", "neo4j"), "password": os.environ.get("NEO4J_PASSWORD"),
                   "database": os.environ.get("NEO4J_DATABASE")}
    page_throughput(make_app(args.store), base, targets, args.seconds, random.Random(2026))
    emit(catch_up(args.store, options, base))
    emit(second_app(args.store, base))


if __name__ == "__main__":
    main()
