"""Neo4j failure modes: a server that is down, and a crash in the middle of an import.

These tests stop and kill -9 a real server, so they run their own instance
(``scripts/neo4j-local`` on ``NEO4J_FAULT_PORT``, default 7697, with its own
data directory) rather than the shared one ``NEO4J_URI`` names. Like every
Neo4j test they skip without ``NEO4J_URI`` and fail under ``REQUIRE_NEO4J=1``.
"""
from __future__ import annotations

import os
import threading
import time

import pytest

from graph.errors import PathwaysError, StoreUnavailable
from graph.stores import Change
from graph.stores.neo4j import Neo4jStore

from neo4j_server import LocalNeo4j

pytestmark = pytest.mark.neo4j
IMPORT_SIZE = 50_000


@pytest.fixture(scope="module")
def server():
    if not os.environ.get("NEO4J_URI"):
        if os.environ.get("REQUIRE_NEO4J") == "1":
            pytest.fail("REQUIRE_NEO4J=1 but NEO4J_URI is not set: start one with scripts/neo4j-local start")
        pytest.skip("no Neo4j server: set NEO4J_URI (scripts/neo4j-local start) to run the Neo4j tests")
    local = LocalNeo4j(int(os.environ.get("NEO4J_FAULT_PORT", "7697")))
    local.start()
    yield local
    local.stop()


def open_fault_store(server: LocalNeo4j, **config) -> Neo4jStore:
    creds = server.credentials()
    return Neo4jStore(creds["url"], user=creds["user"], password=creds["password"], database="neo4j",
                      max_transaction_retry_time=2.0, connection_timeout=3.0, **config)


def test_stopped_server_is_store_unavailable_with_one_line(server):
    server.start()
    store = open_fault_store(server)
    try:
        server.stop()
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as read_error:
            store.revision()
        assert time.monotonic() - started < 30
        with pytest.raises(StoreUnavailable) as open_error:
            open_fault_store(server)
    finally:
        store.close()
        server.start()
    for error in (read_error.value, open_error.value):
        message = str(error)
        assert "\n" not in message and "unavailable" in message and str(server.port) in message


def test_kill_during_large_import_keeps_all_or_nothing(server):
    server.start()
    store = open_fault_store(server)
    store.wipe()
    nodes = [{"id": f"t{i:06d}", "label": "Topic", "name": f"Topic {i}", "tags": ["bulk"]}
             for i in range(IMPORT_SIZE)]
    outcome: dict = {}

    def run_import():
        try:
            outcome["result"] = store.apply(Change(put_nodes=nodes, audit="summary", action="import"))
        except PathwaysError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run_import)
    worker.start()
    time.sleep(float(os.environ.get("NEO4J_FAULT_KILL_AFTER", "2.5")))  # validation done, writes under way
    server.kill()
    worker.join(timeout=120)
    assert not worker.is_alive()
    store.close()
    server.start()
    store = open_fault_store(server)
    try:
        count = store.count_nodes("Topic")
        if "error" in outcome:
            assert isinstance(outcome["error"], StoreUnavailable)
            assert "\n" not in str(outcome["error"])
        assert count in (0, IMPORT_SIZE), f"a crash left a partial import of {count} nodes"
        if "result" in outcome:  # the commit beat the kill: it must have survived it
            assert count == IMPORT_SIZE
        store.wipe()
    finally:
        store.close()


def test_api_and_cli_report_a_stopped_server(server, tmp_path):
    """The API answers 503 in the error envelope, the CLI exits 3 with one line; nothing leaks."""
    import subprocess
    import sys

    from registry import create_app
    server.start()
    creds = server.credentials()
    app = create_app({"REGISTRY_STORE": creds["url"], "NEO4J_USER": creds["user"],
                      "NEO4J_PASSWORD": creds["password"], "SECRET_KEY": "t", "TESTING": True})
    client = app.test_client()
    assert client.get("/api/v1/nodes").status_code == 200  # opened while the server is up
    env = {**os.environ, "REGISTRY_STORE": creds["url"], "NEO4J_USER": creds["user"],
           "NEO4J_PASSWORD": creds["password"]}
    try:
        server.stop()
        response = client.get("/api/v1/nodes")
        body = response.get_json()
        assert response.status_code == 503
        assert set(body) == {"code", "status", "message", "errors"} and body["code"] == 503
        assert "Traceback" not in response.get_data(as_text=True)
        page = client.get("/records/ons")
        assert page.status_code == 503 and "the registry is unavailable" in page.get_data(as_text=True)
        proc = subprocess.run([sys.executable, "-m", "registry", "export"], capture_output=True, text=True,
                              env=env, timeout=120)
        assert proc.returncode == 3
        assert len(proc.stderr.strip().splitlines()) == 1 and "unavailable" in proc.stderr
    finally:
        app.extensions["pathways.store"].close()
        server.start()
