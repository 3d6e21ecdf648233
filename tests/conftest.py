"""Shared fixtures: a store of each backend, an app, a client and a CLI runner.

The ``store`` fixture is parametrised over the embedded store and a real Neo4j
server. Neo4j tests need ``NEO4J_URI`` (``scripts/neo4j-local start`` gives
one); without it they skip, unless ``REQUIRE_NEO4J=1``, when they fail.
"""
from __future__ import annotations

import os

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


@pytest.fixture
def app(tmp_path):
    """An app on a fresh embedded store in a temporary folder."""
    from registry import create_app
    return create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'app.db'}",
                       "SECRET_KEY": "test-secret"})


@pytest.fixture
def app_store(app):
    from registry.store import store_for
    return store_for(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run ``pathways`` in-process against a fresh embedded store; returns (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from registry.cli import main
    monkeypatch.setenv("REGISTRY_STORE", f"sqlite:///{tmp_path / 'cli.db'}")

    def run(*args, input=None):
        result = CliRunner().invoke(main, list(map(str, args)), input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr
    return run
