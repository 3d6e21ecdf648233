"""The gap report is the same in every process, whatever order Python's string hashing gives sets.

``PYTHONHASHSEED`` changes the order a set of ids is walked in; two processes with different
seeds must still find the same referral loops (only ``gaps.max_loops`` of them are kept, so
the order they are found in decides which) and the same everything else.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A tangle of referrals with far more loops than max_loops keeps, and a few other gaps besides.
SCRIPT = r"""
import datetime as dt, json, random
from graph import gaps
from graph.settings import DEFAULTS, merge
from graph.stores.base import graph_from_records
from tests.provenance import cited
rng = random.Random(7)
ids = [f"producer-{i:02d}" for i in range(30)]
nodes = [{"id": i, "label": "Producer", "name": i.title()} for i in ids]
nodes += [{"id": f"public-{i}", "label": "Public", "name": f"Public {i}", "seldom_heard": True} for i in range(5)]
pairs = {(a, b) for a in ids for b in rng.sample(ids, 3) if a != b}
edges = [{"type": "REFERS_TO", "from": a, "to": b, **cited("REFERS_TO", {})} for a, b in sorted(pairs)]
settings = merge(DEFAULTS, {"gaps": {"max_loops": 7}})
report = gaps.find_gaps(graph_from_records(nodes, edges), gaps.GapContext(as_of=dt.date(2026, 1, 1), settings=settings))
print(json.dumps(report.as_dict(), sort_keys=True))
"""


def report_with_seed(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout


def test_two_processes_with_different_hash_seeds_give_the_same_report():
    import json
    first, second = report_with_seed("1"), report_with_seed("12345")
    assert json.loads(first)["counts"]["referral_loops"] == 7  # more loops than kept: the choice matters
    assert first == second
