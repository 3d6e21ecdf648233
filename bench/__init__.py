"""Benchmarks at scale: ``python -m bench.run`` (measurements) and ``python -m bench.load`` (a load test).

Not part of the test run: they take minutes and need the machine to themselves.
"""
