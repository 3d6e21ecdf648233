"""The benchmark: generate a synthetic national system, import it, measure every read.

    nice -n 19 .venv/bin/python -m bench.run [--nodes 100000] [--store sqlite|neo4j|both] [--quick]

For each size and store: generate (seeded), import (records/s and peak memory, in
its own process), then measure search, signpost, intermediaries, the burden check,
a record page, burden for all publics, the gaps (API, the /gaps page, a page of one rule
and the /gaps downloads), and map data and page for a 2,000-node
view through the Flask test client (median and p95 over random targets; the first,
cold call apart), the app's peak memory, and on Neo4j the raw Cypher of the same
reads. One JSON line per measurement on stdout (also kept in OUT/results.jsonl) and
a Markdown table in OUT/results.md. Then (bench.readmodel) page throughput beside a bare
Flask page, a second read model's catch-up on 100 changes and a second app seeing a write,
and (bench.load) the app under waitress read-only and with one request in five a write.
At the end every goal of issue 14 is printed beside its target with "met" or "not met";
progress goes to stderr. Neo4j needs NEO4J_URI (and NEO4J_PASSWORD):
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

# (measure, field, "max", "min" or "true", limit, which store (None: both), what issue 14 asks)
GOALS = (
    ("record_page_throughput", "share_of_bare", "min", 0.4, None,
     "record page ≥ 40% of a bare Flask page's throughput"),
    ("public_page_throughput", "share_of_bare", "min", 0.4, None,
     "public's page ≥ 40% of a bare Flask page's throughput"),
    ("statistic_page_throughput", "share_of_bare", "min", 0.4, None,
     "statistic's page ≥ 40% of a bare Flask page's throughput"),
    ("signpost", "p95_ms", "max", 20, None, "signpost through the API p95 ≤ 20 ms"),
    ("intermediaries", "p95_ms", "max", 20, None, "a public's intermediaries through the API p95 ≤ 20 ms"),
    ("raw_cypher_signpost", "overhead_ratio", "max", 1.5, "neo4j", "Neo4j signpost within 1.5× of raw Cypher"),
    ("raw_cypher_intermediaries", "overhead_ratio", "max", 1.5, "neo4j",
     "Neo4j intermediaries within 1.5× of raw Cypher"),
    ("load", "read_share", "min", 0.8, None, "1 in 5 a write: read throughput ≥ 80% of read-only"),
    ("load", "read_p99_ms", "max", 250, None, "1 in 5 a write: read p99 ≤ 250 ms"),
    ("load", "lost_writes", "max", 0, None, "1 in 5 a write: 0 lost writes"),
    ("load", "errors", "max", 0, None, "1 in 5 a write: 0 errors"),
    ("catch_up", "catch_up_ms", "max", 50, None, "catching up on 100 changes ≤ 50 ms"),
    ("second_app", "seen", "true", True, None, "a write seen by a second app at its next request"),
    ("memory", "peak_rss_mib", "max", 600, None, "app with the registry loaded < 600 MiB (peak RSS)"),
    ("import", "records_per_s", "min", 50_000, "sqlite", "embedded import ≥ 50,000 records/s"),
    ("import", "records_per_s", "min", 10_000, "neo4j", "Neo4j import ≥ 10,000 records/s"),
    ("burden_all", "median_ms", "max", 2000, None, "burden for all publics ≤ 2 s"),
    ("map_page_browser", "interactive_ms", "max", 3000, None, "2,000-node map page interactive ≤ 3 s"),
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


def progress(text: str) -> None:
    """A progress line on stderr (stdout is the JSON lines), with the time."""
    print(f"[{_dt.datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def load_phase(url: str, targets_path: Path, base: dict, out: Path, seconds: float) -> list[dict]:
    """Read-only load, then one request in five a write, against the loaded store; the mixed
    run's read throughput as a share of the read-only run's."""
    records = []
    for every in (0, 5):
        progress(f"{base['store']} {base['nodes']:,}: load, {'reads only' if not every else '1 in 5 a write'}, "
                 f"{seconds:g} s")
        records += [r for r in child("bench.load", "--use-store", url, "--targets", str(targets_path),
                                     "--nodes", str(base["nodes"]), "--seconds", str(seconds),
                                     "--write-every", str(every), "--out", str(out), base=base)
                    if r.get("measure", "").startswith("load")]
    by = {r["measure"]: r for r in records if "failed" not in r}
    for r in by.values():
        r.update(base)
        reads = r.get("reads") or {}
        r["read_per_s"] = round(reads.get("n", 0) / r["seconds"], 1) if r.get("seconds") else 0
        r["read_p99_ms"] = reads.get("p99_ms")
    if "load" in by and by.get("load_read_only", {}).get("read_per_s"):
        by["load"]["read_share"] = round(by["load"]["read_per_s"] / by["load_read_only"]["read_per_s"], 3)
    return records


def goal_lines(results: list[dict]) -> list[str]:
    """Every goal, for every store and size measured, beside its target with "met" or "not met".

    >>> lines = goal_lines([{"store": "sqlite", "nodes": 10, "measure": "catch_up", "catch_up_ms": 75.0}])
    >>> for line in lines:
    ...     if "catching" in line or "signpost" in line:
    ...         print(line)
    sqlite 10: signpost through the API p95 ≤ 20 ms: not measured
    sqlite 10: catching up on 100 changes ≤ 50 ms: 75.0 — not met
    """
    columns = list(dict.fromkeys((r["store"], r["nodes"]) for r in results if "store" in r))
    lines = []
    for s, n in columns:
        for measure, field, direction, limit, only, text in GOALS:
            if only and s != only:
                continue
            r = next((x for x in results if x.get("store") == s and x.get("nodes") == n
                      and x["measure"] == measure and field in x and x[field] is not None), None)
            if r is None:
                lines.append(f"{s} {n:,}: {text}: not measured")
                continue
            value = r[field]
            ok = (value is limit if direction == "true" else
                  value <= limit if direction == "max" else value >= limit)
            shown = f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
            lines.append(f"{s} {n:,}: {text}: {shown} — {'met' if ok else 'not met'}")
    return lines


def run(sizes: list[int], stores: list[str], out: Path, samples: int, browser: bool,
        page_seconds: float = 10, load_seconds: float = 20) -> list[dict]:
    from graph.generate import DEFAULT_UNTIL, generate, write_json
    out.mkdir(parents=True, exist_ok=True)
    results = [{"measure": "machine", **machine(), "at": _dt.datetime.now().isoformat(timespec="seconds")}]
    emit(results[0])
    for n in sizes:
        progress(f"generating {n:,} records")
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
            progress(f"{kind} {n:,}: importing")
            results += child("bench.load_phase", "--store", url, "--doc", str(doc_path), base=base)
            progress(f"{kind} {n:,}: reads through the API ({samples} samples each)")
            args = ["--store", url, "--targets", str(targets_path), "--samples", str(samples)]
            results += child("bench.measure", *args, *(["--browser"] if browser else []), base=base)
            progress(f"{kind} {n:,}: page throughput ({page_seconds:g} s each), catch-up, second app")
            results += child("bench.readmodel", "--store", url, "--targets", str(targets_path),
                             "--seconds", str(page_seconds), base=base)
            results += load_phase(url, targets_path, base, out, load_seconds)
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    (out / "results.md").write_text(markdown(results))
    print("\nGoals (issue 14):", flush=True)
    for line in goal_lines(results):
        print(line, flush=True)
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
        beside = record.get("with_browser_driver_mib")
        return f"{record['peak_rss_mib']:,} MiB peak" + (f" ({beside:,} with the browser's driver loaded)"
                                                           if beside and beside != record["peak_rss_mib"] else "")
    if m.endswith("_page_throughput"):
        share = f"; {record['share_of_bare']:.0%} of the bare page" if "share_of_bare" in record else ""
        return f"{record['requests_per_s']:,} requests/s{share}"
    if m == "catch_up":
        return f"{record['catch_up_ms']} ms for {record['changes']} changes (all seen: {record['all_seen']})"
    if m == "second_app":
        return f"seen at next request: {record['seen']} ({record['next_request_ms']} ms)"
    if m in ("load", "load_read_only"):
        text = (f"{record.get('read_per_s')} reads/s, read p99 {record.get('read_p99_ms')} ms, "
                f"{record.get('errors')} errors, {record.get('lost_writes')} lost writes")
        return text + (f"; {record['read_share']:.0%} of read-only" if "read_share" in record else "")
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
                      and x["measure"] == measure and field in x), None)
            if (only and s != only) or r is None:
                row.append("—")
            else:
                ok = (r[field] is limit if direction == "true" else
                      r[field] <= limit if direction == "max" else r[field] >= limit)
                row.append(("met" if ok else "not met") + f" ({r[field]})")
        lines.append(f"| {text} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, action="append", help="size(s) to measure (default 100000)")
    parser.add_argument("--store", choices=("sqlite", "neo4j", "both"), default="both")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--samples", type=int, default=200, help="requests per latency measurement")
    parser.add_argument("--no-browser", action="store_true", help="skip timing the map page in chromium")
    parser.add_argument("--page-seconds", type=float, default=10, help="time budget per page throughput")
    parser.add_argument("--load-seconds", type=float, default=20, help="length of each load run")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 300 records, 10 samples, 1 s budgets, no browser (numbers meaningless)")
    args = parser.parse_args(argv)
    stores = ["sqlite", "neo4j"] if args.store == "both" else [args.store]
    if args.quick:
        run(args.nodes or [300], stores, args.out, 10, False, 1, 2)
    else:
        run(args.nodes or [100_000], stores, args.out, args.samples, not args.no_browser,
            args.page_seconds, args.load_seconds)


if __name__ == "__main__":
    main()
