"""Shared helpers for the benchmark: timing statistics, JSON lines, memory, subprocesses."""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by nearest rank.

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), percentile([3.0], 50)
    (10, 3.0)
    """
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceiling
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict:
    """Median, p95, p99 and max of durations in seconds, as milliseconds.

    >>> summary_ms([0.001, 0.002, 0.003])
    {'n': 3, 'median_ms': 2.0, 'p95_ms': 3.0, 'p99_ms': 3.0, 'max_ms': 3.0}
    """
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(max(ms), 2)}


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(record: dict) -> None:
    """Print one measurement as a JSON line (flushed, so a parent can relay it at once)."""
    sys.stdout.write(json.dumps(record, sort_keys=False) + "\n")
    sys.stdout.flush()


@contextmanager
def timer():
    box = {}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start


def machine() -> dict:
    """What the numbers were measured on."""
    import platform
    mem_kib = 0
    try:
        with open("/proc/meminfo") as handle:
            mem_kib = int(handle.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "system": platform.platform(terse=True),
            "load_average": [round(x, 2) for x in os.getloadavg()]}
