"""Several app servers on one store, as production runs them: two ``pathways serve`` processes,
each with its own store connection and read model. A write through one is read through the other
at its next request, with no reload and no waiting (issue 14), on both stores."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.stores import open_store
from registry.auth import hash_token, new_token

BOTH_STORES = True
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``pathways serve`` on a free port, its log in a file (a pipe nobody reads would fill)."""

    def __init__(self, url: str, log: Path):
        self.port, self.log = _free_port(), log
        env = {**os.environ, "SECRET_KEY": "app-servers-test", "RATELIMIT_WRITES_PER_MINUTE": "100000"}
        with open(log, "w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "registry", "--store", url, "serve", "--port",
                                          str(self.port), "--threads", "2"], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL, stderr=out)

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                if self.request("GET", "/api/v1/openapi.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"pathways serve did not answer within {timeout} s: {self.log.read_text()[-2000:]}")

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={**({"Content-Type": "application/json"} if body is not None else {}),
                                  **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def test_a_write_through_one_pathways_serve_is_read_through_another_at_its_next_request(store_url, tmp_path):
    store = open_store(store_url)
    token = new_token()
    store.add_token("app-servers", "admin", hash_token(token))
    store.close()
    auth = {"Authorization": f"Bearer {token}"}
    writer, reader = Server(store_url, tmp_path / "writer.log"), Server(store_url, tmp_path / "reader.log")
    try:
        writer.wait()
        reader.wait()
        assert reader.request("GET", "/api/v1/nodes/renters")[0] == 404  # its read model loaded, before the write
        record = {"id": "renters", "label": "Public", "name": "Private renters", "kind": "affected_community"}
        status, body = writer.request("POST", "/api/v1/nodes", record, auth)
        assert status == 201, body
        status, body = reader.request("GET", "/api/v1/nodes/renters")
        assert status == 200 and json.loads(body)["name"] == "Private renters"
        status, body = writer.request("PATCH", "/api/v1/nodes/renters", {"name": "Tenants renting privately"},
                                      {**auth, "If-Match": '"1"'})
        assert status == 200, body
        status, page = reader.request("GET", "/search?q=tenants")
        assert status == 200 and 'href="/records/renters"' in page
        assert json.loads(reader.request("GET", "/api/v1/nodes/renters")[1])["name"] == "Tenants renting privately"
        assert writer.request("DELETE", "/api/v1/nodes/renters", None, {**auth, "If-Match": '"2"'})[0] == 204
        assert reader.request("GET", "/records/renters")[0] == 404
        assert "loading the registry afresh" not in reader.log.read_text()  # caught up from the log each time
    finally:
        writer.stop()
        reader.stop()
