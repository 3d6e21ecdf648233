"""Search against a reference revision, side by side: index build and query times, and their ratios.

    nice -n 19 .venv/bin/python -m bench.search_ratio --nodes 100000 [--reference dc2f73d] [--rounds 3]

Builds the search index of a generated registry with this checkout's ``graph/search.py``
and with the reference revision's (read with ``git show``), then times the same queries
(words of records' names, and the same with a typo) on both, alternating rounds so a
noisy machine slows both alike. Prints one JSON line per measurement and the ratio
(this ÷ reference): below 1 is faster. Also times :func:`graph.asking.decide`, which the
reference did not have, beside the reference's plain search.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graph import asking, generate
from graph import search as current

from .common import ROOT, emit


def reference_module(revision: str):
    """The reference revision's graph/search.py, loaded as a module of its own."""
    source = subprocess.run(["git", "show", f"{revision}:graph/search.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="search-ref-"))
    path = folder / "search_reference.py"
    path.write_text(source, "utf-8")
    spec = importlib.util.spec_from_file_location("search_reference", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--reference", default="dc2f73d")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    doc = generate.generate(args.nodes, seed=2026)
    rng = random.Random(7)
    words = [" ".join(n["name"].split()[:2]) for n in rng.sample(doc.nodes, args.queries)]
    words += [w[:3] + w[4:] for w in words[: len(words) // 4] if len(w) > 6]
    reference = reference_module(args.reference)
    builds = {"this": [], "reference": []}
    queries = {"this": [], "reference": [], "decide": []}
    for _ in range(args.rounds):
        started = time.perf_counter()
        ref_index = reference.SearchIndex(doc.nodes)
        builds["reference"].append(time.perf_counter() - started)
        started = time.perf_counter()
        index = current.SearchIndex(doc.nodes, edges=doc.edges)
        builds["this"].append(time.perf_counter() - started)
        queries["reference"] += timed(ref_index.search, words)
        queries["this"] += timed(index.search, words)
        queries["decide"] += timed(lambda w: _decide(index, w), words)
    base = {"nodes": len(doc.nodes), "reference": args.reference}
    build = {k: round(statistics.median(v), 2) for k, v in builds.items()}
    emit({**base, "measure": "search_index_build_s", **build,
          "ratio": round(build["this"] / build["reference"], 2)})
    ref, this, decide = (summary(queries[k]) for k in ("reference", "this", "decide"))
    emit({**base, "measure": "search_query", "reference": ref, "this": this,
          "ratio_median": round(this["median_ms"] / ref["median_ms"], 2),
          "ratio_p95": round(this["p95_ms"] / ref["p95_ms"], 2)})
    emit({**base, "measure": "asking_decide", "reference_search": ref, "this": decide,
          "ratio_median": round(decide["median_ms"] / ref["median_ms"], 2),
          "ratio_p95": round(decide["p95_ms"] / ref["p95_ms"], 2)})


def _decide(index, text):
    try:
        return asking.decide(index, text)
    except asking.NoMatch:
        return None


if __name__ == "__main__":
    sys.exit(main())
