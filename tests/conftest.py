"""Shared fixtures: a store of each backend, an app, a client and a CLI runner.

The ``store`` fixture is parametrised over the embedded store and a real Neo4j
server. Neo4j tests need ``NEO4J_URI`` (``scripts/neo4j-local start`` gives
one); without it they skip, unless ``REQUIRE_NEO4J=1``, when they fail.
"""
from __future__ import annotations

import os
import sys

import pytest

from graph.stores import open_store

BACKENDS = ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


def neo4j_url_or_skip() -> str:
    url = os.environ.get("NEO4J_URI")
    if not url:
        if os.environ.get("REQUIRE_NEO4J") == "1":
            pytest.fail("REQUIRE_NEO4J=1 but NEO4J_URI is not set: start one with scripts/neo4j-local start")
        pytest.skip("no Neo4j server: set NEO4J_URI (scripts/neo4j-local start) to run the Neo4j tests")
    return url


def make_store(backend: str, tmp_path):
    if backend == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'registry.db'}")
    store = open_store(neo4j_url_or_skip())
    store.wipe()
    return store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """An empty store of each backend."""
    s = make_store(request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'registry.db'}")
    yield s
    s.close()


def pytest_generate_tests(metafunc):
    """Modules that set ``BOTH_STORES = True`` run their app, API and CLI tests on both backends."""
    if "backend" in metafunc.fixturenames and getattr(metafunc.module, "BOTH_STORES", False):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request):
    """Which store the app and CLI fixtures use: the embedded one unless the module asks for both."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def store_url(backend, tmp_path):
    """A fresh, empty store of the chosen backend, as a URL (Neo4j is wiped first)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    url = neo4j_url_or_skip()
    store = open_store(url)
    store.wipe()
    store.close()
    return url


@pytest.fixture
def app(store_url):
    """An app on a fresh store (embedded by default; both when the module sets BOTH_STORES)."""
    from registry import create_app
    app = create_app({"TESTING": True, "REGISTRY_STORE": store_url, "SECRET_KEY": "test-secret"})
    yield app
    if app.extensions.get("pathways.store") is not None:
        app.extensions["pathways.store"].close()


@pytest.fixture
def app_store(app):
    from registry.store import store_for
    return store_for(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(store_url, monkeypatch):
    """Run ``pathways`` in-process against a fresh store; returns (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from registry.cli import main
    monkeypatch.setenv("REGISTRY_STORE", store_url)

    def run(*args, input=None):
        result = CliRunner().invoke(main, list(map(str, args)), input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr
    return run


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran against a real Neo4j server, so CI shows the parity was checked."""
    counts = {outcome: sum(1 for r in terminalreporter.stats.get(outcome, [])
                           if "neo4j" in getattr(r, "keywords", {}))
              for outcome in ("passed", "failed", "error", "skipped")}
    if any(counts.values()):
        terminalreporter.write_line("Neo4j tests: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
    faults = sys.modules.get("test_faults") or sys.modules.get("tests.test_faults")
    if faults is not None and faults.TIMES:
        terminalreporter.write_line("Neo4j fault suite, times measured:")
        for line in faults.TIMES:
            terminalreporter.write_line("  " + line)
    relevance = sys.modules.get("test_relevance") or sys.modules.get("tests.test_relevance")
    if relevance is not None and relevance.SCORE.get("line"):
        terminalreporter.write_line(relevance.SCORE["line"])
