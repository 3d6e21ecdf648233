"""The benchmark: generate a synthetic national system, import it, measure every read.

    nice -n 19 .venv/bin/python -m bench.run --nodes 10000 [--nodes 100000] [--store sqlite|neo4j|both]

For each size and store: generate (seeded), import (records/s and peak memory, in
its own process), then measure search, signpost, intermediaries, the burden check,
a record page, burden for all publics, gaps, and map data and page for a 2,000-node
view through the Flask test client (median and p95 over random targets; the first,
cold call apart), the app's peak memory, and on Neo4j the raw Cypher of the same
reads. One JSON line per measurement on stdout (also kept in OUT/results.jsonl) and
a Markdown table in OUT/results.md. Neo4j needs NEO4J_URI (and NEO4J_PASSWORD):
``eval "$(scripts/neo4j-local env)"``; its database is wiped first.
"""
from __future__ import annotations

import argparse
import collections
import datetime as _dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from .common import ROOT, emit, machine, peak_rss_mib

SEED = 2026
TARGETS_PER_LABEL = 2000

# (measure, field, "max" or "min", limit, which store, what the issue asks)
GOALS = (
    ("signpost", "p95_ms", "max", 20, "sqlite", "embedded signpost p95 ≤ 20 ms"),
    ("intermediaries", "p95_ms", "max", 20, "sqlite", "embedded intermediaries p95 ≤ 20 ms"),
    ("raw_cypher_signpost", "overhead_ratio", "max", 1.5, "neo4j", "Neo4j signpost within 1.5× of raw Cypher"),
    ("raw_cypher_intermediaries", "overhead_ratio", "max", 1.5, "neo4j",
     "Neo4j intermediaries within 1.5× of raw Cypher"),
    ("burden_all", "median_ms", "max", 2000, None, "burden for all publics ≤ 2 s"),
    ("import", "records_per_s", "min", 20_000, "sqlite", "embedded import ≥ 20,000 records/s"),
    ("import", "records_per_s", "min", 10_000, "neo4j", "Neo4j import ≥ 10,000 records/s"),
    ("map_page_browser", "interactive_ms", "max", 3000, None, "2,000-node map page interactive ≤ 3 s"),
    ("memory", "peak_rss_mib", "max", 1024, "sqlite", "embedded app under 1 GiB"),
)


def targets_for(doc, as_of: _dt.date, rng: random.Random) -> dict:
    """Ids to sample from, and the busiest umbrella body (the focus of the 2,000-node map)."""
    by_label = collections.defaultdict(list)
    for node in doc.nodes:
        by_label[node["label"]].append(node["id"])
    reach = collections.Counter(e["from"] for e in doc.edges if e["type"] == "REACHES")
    words = [" ".join(n["name"].split()[:2]) for n in rng.sample(doc.nodes, min(TARGETS_PER_LABEL, len(doc.nodes)))]
    # Typos as well as exact words: search is meant to be typo-tolerant.
    words += [w[:3] + w[4:] for w in words[: len(words) // 4] if len(w) > 6]
    pick = lambda ids: rng.sample(ids, min(TARGETS_PER_LABEL, len(ids)))  # noqa: E731
    return {"statistic": pick(by_label["Statistic"]), "public": pick(by_label["Public"]),
            "any": pick([n["id"] for n in doc.nodes]), "words": words,
            "umbrella": reach.most_common(1)[0][0], "as_of": as_of.isoformat()}


def open_target(kind: str, out: Path, n: int) -> str:
    if kind == "sqlite":
        path = out / f"bench-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = os.environ.get("NEO4J_URI")
    if not url:
        return ""
    return url


def child(module: str, *args: str, base: dict) -> list[dict]:
    """Run a phase in its own process (its own peak memory); relay and collect its JSON lines."""
    cmd = [sys.executable, "-m", module, *args, "--base", json.dumps(base)]
    records = []
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            line = line.strip()
            if line.startswith("{"):
                record = json.loads(line)
                records.append(record)
                print(line, flush=True)
        code = proc.wait()
    if code:
        records.append({**base, "measure": module.rsplit(".", 1)[-1], "failed": f"exit {code}"})
        emit(records[-1])
    return records


def run(sizes: list[int], stores: list[str], out: Path, samples: int, browser: bool) -> list[dict]:
    from graph.generate import DEFAULT_UNTIL, generate, write_json
    out.mkdir(parents=True, exist_ok=True)
    results = [{"measure": "machine", **machine(), "at": _dt.datetime.now().isoformat(timespec="seconds")}]
    emit(results[0])
    for n in sizes:
        started = time.perf_counter()
        doc = generate(n, seed=SEED)
        gen_seconds = time.perf_counter() - started
        doc_path = out / f"generated-{n}.json"
        with open(doc_path, "w", encoding="utf-8") as handle:
            write_json(doc, handle)
        record = {"nodes": n, "measure": "generate", "records": len(doc), "node_records": len(doc.nodes),
                  "edge_records": len(doc.edges), "seconds": round(gen_seconds, 2),
                  "records_per_s": round(len(doc) / gen_seconds), "peak_rss_mib": peak_rss_mib()}
        emit(record)
        results.append(record)
        targets_path = out / f"targets-{n}.json"
        targets_path.write_text(json.dumps(targets_for(doc, DEFAULT_UNTIL, random.Random(SEED))))
        del doc
        for kind in stores:
            base = {"store": kind, "nodes": n}
            url = open_target(kind, out, n)
            if not url:
                record = {**base, "measure": "all", "skipped": "no Neo4j server: set NEO4J_URI "
                          "(eval \"$(scripts/neo4j-local env)\")"}
                emit(record)
                results.append(record)
                continue
            results += child("bench.load_phase", "--store", url, "--doc", str(doc_path), base=base)
            args = ["--store", url, "--targets", str(targets_path), "--samples", str(samples)]
            results += child("bench.measure", *args, *(["--browser"] if browser else []), base=base)
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    (out / "results.md").write_text(markdown(results))
    print(f"wrote {out / 'results.md'} and {out / 'results.jsonl'}", file=sys.stderr)
    return results


def _cell(record: dict) -> str:
    if "skipped" in record:
        return "skipped: " + record["skipped"]
    if "failed" in record:
        return "failed: " + record["failed"]
    m = record["measure"]
    if m == "import":
        return f"{record['records_per_s']:,} records/s ({record['records']:,} in {record['seconds']} s)"
    if m == "memory":
        return f"{record['peak_rss_mib']:,} MiB peak"
    if m == "map_page_browser":
        return f"{record['interactive_ms']:,} ms to interactive"
    text = f"{record['median_ms']} / {record['p95_ms']}"
    if "cold_ms" in record:
        text += f" (cold {record['cold_ms']})"
    if record.get("errors"):
        text += f"; {record['errors']} errors ({', '.join(f'{k}×{v}' for k, v in record['statuses'].items())})"
    if "map_nodes" in record:
        text += f"; {record['map_nodes']:,} nodes"
    if "overhead_ratio" in record:
        text += f"; app ÷ raw = {record['overhead_ratio']}×"
    return text


def markdown(results: list[dict]) -> str:
    """The results as a Markdown table: one row per measurement, one column per store and size."""
    columns = list(dict.fromkeys((r["store"], r["nodes"]) for r in results if "store" in r))
    rows = list(dict.fromkeys(r["measure"] for r in results if "store" in r))
    cells = {(r["measure"], r["store"], r["nodes"]): _cell(r) for r in results if "store" in r}
    machine_line = next((r for r in results if r["measure"] == "machine"), {})
    lines = [
        "# Benchmark results", "",
        f"Measured {machine_line.get('at', '')} on {machine_line.get('cpus')} CPUs ({machine_line.get('cpu')}), "
        f"{machine_line.get('memory_gib')} GiB, Python {machine_line.get('python')}; load average at start "
        f"{machine_line.get('load_average')}.", "",
        "Latencies are median / p95 in milliseconds over random targets, through the Flask test client; "
        "cold is the first call (caches built).", "",
        "| measurement | " + " | ".join(f"{s} {n:,}" for s, n in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(cells.get((row, s, n), "") for s, n in columns) + " |")
    gens = [r for r in results if r["measure"] == "generate"]
    if gens:
        lines += ["", "Generated: " + "; ".join(f"{g['nodes']:,} nodes → {g['node_records']:,} records and "
                                                 f"{g['edge_records']:,} relationships in {g['seconds']} s"
                                                 for g in gens) + "."]
    lines += ["", "## Goals", "", "| goal | " + " | ".join(f"{s} {n:,}" for s, n in columns) + " |",
              "|---|" + "---|" * len(columns)]
    for measure, field, direction, limit, only, text in GOALS:
        row = []
        for s, n in columns:
            r = next((x for x in results if x.get("store") == s and x.get("nodes") == n
                      and x["measure"] == measure), None)
            if (only and s != only) or r is None or field not in r:
                row.append("—")
            else:
                ok = r[field] <= limit if direction == "max" else r[field] >= limit
                row.append(("met" if ok else "not met") + f" ({r[field]:,})")
        lines.append(f"| {text} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, action="append", help="size(s) to measure (default 10000)")
    parser.add_argument("--store", choices=("sqlite", "neo4j", "both"), default="sqlite")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--samples", type=int, default=200, help="requests per latency measurement")
    parser.add_argument("--no-browser", action="store_true", help="skip timing the map page in chromium")
    args = parser.parse_args(argv)
    stores = ["sqlite", "neo4j"] if args.store == "both" else [args.store]
    run(args.nodes or [10_000], stores, args.out, args.samples, not args.no_browser)


if __name__ == "__main__":
    main()
