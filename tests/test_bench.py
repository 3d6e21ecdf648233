"""The benchmark runs end to end at a tiny size and prints every speed goal of issue 14.

Not a timed test: the numbers at 300 records on a shared machine mean nothing; what is
checked is that each goal is measured and reported with "met" or "not met". The Neo4j
half is run without NEO4J_URI (the benchmark wipes its database), so it must say so.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.run import GOALS

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_prints_every_goal(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "NEO4J_PASSWORD")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--store", "both", "--out", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.split("\nGoals (issue 14):\n", 1)[1].splitlines()
    goal_lines = [line for line in lines if line.startswith(("sqlite 300: ", "neo4j 300: "))]
    for measure, field, direction, limit, only, text in GOALS:
        for store in ("sqlite", "neo4j"):
            if only and only != store:
                continue
            found = [line for line in goal_lines if line.startswith(f"{store} 300: {text}: ")]
            assert len(found) == 1, (store, text, goal_lines)
            if store == "neo4j":
                assert found[0].endswith(": not measured")
            elif measure != "map_page_browser":  # --quick skips the browser
                assert found[0].endswith((" — met", " — not met")), found[0]
    results = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    measured = {r["measure"] for r in results if r.get("store") == "sqlite" and "failed" not in r}
    assert {"import", "signpost", "bare_page_throughput", "record_page_throughput",
            "public_page_throughput", "statistic_page_throughput", "catch_up",
            "second_app", "load", "load_read_only", "memory"} <= measured
    load = next(r for r in results if r["measure"] == "load")
    assert load["acknowledged_writes"] > 0 and load["lost_writes"] == 0
    second = next(r for r in results if r["measure"] == "second_app")
    assert second["seen"] is True
    assert "## Goals" in (tmp_path / "results.md").read_text()
