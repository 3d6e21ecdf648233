"""Honest under failure, on a real Neo4j: crashes, lost commit answers, an outage and recovery.

These tests kill their server, so they start a throwaway instance of their own
(``scripts/neo4j-local`` on a free port, its data in a temporary folder), never the shared one
``NEO4J_URI`` names. Like every Neo4j test they skip without ``NEO4J_URI`` (and are reported as
skipped) and fail under ``REQUIRE_NEO4J=1``.

Every fault is set off at a known point of the Bolt protocol, never on a timer: the store talks
to the server through :class:`BoltProxy`, a real TCP proxy that reads the messages the driver
sends and, once armed, acts on one of them (closes the connection before a COMMIT reaches the
server; lets a COMMIT through and drops, or kills the server before it delivers, the answer;
kills the server once an import's second batch of records has reached it). An outage is the
proxy refusing connections and hanging up the open ones, which is what the app sees of a stopped
server (and what a restart of the app's server would not add to); the kills are real ``kill -9``
of the server and real restarts, after which the same app must answer again.

The times measured (answers during the outage, server restarts, read-backs) are printed at the
end of the run (``tests/conftest.py``), with the bounds they are checked against.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from graph.errors import StoreUnavailable
from graph.stores import Change
from graph.stores.neo4j import Neo4jStore
from neo4j_server import LocalNeo4j
from registry.auth import hash_token, new_token

pytestmark = pytest.mark.neo4j
RUN, BEGIN, COMMIT, ROLLBACK, RESET = 0x10, 0x11, 0x12, 0x13, 0x0F

# Bounds, generous for a loaded 2-core machine but each one the point of its test.
UNAVAILABLE_WITHIN = 3.0    # the bound: a page or API call answers 503 within 3 s
BREAKER_OPEN_WITHIN = 0.5   # once the breaker is open, a 503 costs nothing
STATIC_WITHIN = 1.0         # a static file during the outage
RECOVER_WITHIN = 30.0       # pages work again this long after the server is back
# The store's limits for the tests that use the app's store directly; the outage test uses the
# production defaults (graph/stores/neo4j.py TIMEOUTS). The read-back time is generous here: what
# these tests check is the answer (saved or not), and a loaded server may take seconds to roll
# back a transaction whose connection dropped and free the lock the read-back waits for.
FAST = {"connect_timeout": 3.0, "acquire_timeout": 3.0, "retry_time": 0.5, "readback_time": 15.0,
        "breaker_failures": 3, "breaker_reset": 2.0}

TIMES: list[str] = []  # printed in the terminal summary


def measured(what: str, seconds: float, bound: float | None = None) -> float:
    TIMES.append(f"{what}: {seconds:.2f} s" + (f" (bound {bound:g} s)" if bound is not None else ""))
    return seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            raise ConnectionError("closed")
        data += part
    return data


def _varint(sock: socket.socket) -> bytes:
    data = b""
    while True:
        byte = _exactly(sock, 1)
        data += byte
        if not byte[0] & 0x80:
            return data


def hang_up(*sockets: socket.socket) -> None:
    """Close at once, both ways. ``shutdown`` first: a bare ``close`` while another thread is
    blocked reading the socket sends nothing, and the peer would wait for its own timeout."""
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


class BoltProxy:
    """127.0.0.1:<port> forwarding to a Bolt server, able to break one chosen message.

    :meth:`arm` picks the ``nth`` client message with a signature (COMMIT, RUN …) from now on,
    holding the bytes ``containing``, in a transaction that has sent ``after`` (the COMMIT of
    the write, not of the token look-up before it), and what to do with it:

    - ``"close"``: hang up both sides instead of forwarding it;
    - ``"forward"``: forward it, then run ``then`` while the connection's traffic waits (so
      nothing the driver sends next, a COMMIT included, reaches the server first);
    - ``"drop-answer"``: forward it; when the server answers, run ``then`` if given and hang
      up both sides, so the answer never reaches the driver.

    ``fired`` is set when the message is seen, ``done`` when the action is over.
    :meth:`refuse` makes the port refuse connections and hangs up the open ones (a stopped
    server, as the app sees it); :meth:`resume` listens again on the same port.
    """

    def __init__(self, target_port: int):
        self.target = target_port
        self.port = free_port()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._armed: dict | None = None
        self.fired, self.done = threading.Event(), threading.Event()
        self.listener: socket.socket | None = None
        self.resume()

    # -- outage ---------------------------------------------------------------
    def resume(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR on POSIX
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def refuse(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            hang_up(listener)  # shutdown wakes the thread blocked in accept()
        with self._lock:
            sockets, self._open = list(self._open), set()
        hang_up(*sockets)

    def close(self) -> None:
        self.refuse()

    # -- faults ---------------------------------------------------------------
    def arm(self, signature: int, action: str, nth: int = 1, containing: bytes = b"", after: bytes = b"",
            then=None) -> None:
        assert action in ("close", "forward", "drop-answer")
        with self._lock:
            self._armed = {"signature": signature, "action": action, "nth": nth, "containing": containing,
                           "after": after, "then": then, "seen": 0}
            self.fired.clear()
            self.done.clear()

    def _match(self, message: bytes, sent: bytes) -> dict | None:
        signature = message[1] if len(message) > 1 else None
        with self._lock:
            armed = self._armed
            if armed and signature == armed["signature"] and armed["containing"] in message \
                    and armed["after"] in sent:
                armed["seen"] += 1
                if armed["seen"] == armed["nth"]:
                    self._armed = None
                    self.fired.set()
                    return armed
        return None

    def _finish(self, armed: dict) -> None:
        try:
            if armed["then"] is not None:
                armed["then"]()
        finally:
            self.done.set()

    # -- plumbing -------------------------------------------------------------
    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _track(self, *sockets: socket.socket) -> bool:
        with self._lock:
            if self.listener is None:  # refused meanwhile
                return False
            self._open.update(sockets)
            return True

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(("127.0.0.1", self.target), timeout=10)
            server.settimeout(None)
        except OSError:  # the server is down: the driver sees the connection closed
            hang_up(client)
            return
        if not self._track(client, server):
            hang_up(client, server)
            return
        try:  # the handshake: 20 bytes up, 4 down; for a manifest (v1) answer, its lists and the choice
            server.sendall(_exactly(client, 20))
            answer = _exactly(server, 4)
            client.sendall(answer)
            if answer[3] == 0xFF:
                count = _varint(server)
                n = 0
                for shift, byte in enumerate(count):
                    n |= (byte & 0x7F) << (7 * shift)
                client.sendall(count + _exactly(server, 4 * n) + _varint(server))
                server.sendall(_exactly(client, 4) + _varint(client))
        except (ConnectionError, OSError):
            hang_up(client, server)
            return
        state = {"drop": None}  # the armed trigger whose answer is to be dropped
        threading.Thread(target=self._down, args=(server, client, state), daemon=True).start()
        self._up(client, server, state)

    def _down(self, server, client, state) -> None:
        while True:
            try:
                data = server.recv(65536)
            except OSError:
                data = b""
            if state["drop"] is not None and data:  # the answer to the armed message
                try:
                    self._finish(state["drop"])
                finally:
                    hang_up(client, server)
                return
            if not data:
                hang_up(client, server)
                return
            try:
                client.sendall(data)
            except OSError:
                hang_up(client, server)
                return

    def _up(self, client, server, state) -> None:
        message, sent = b"", b""
        try:
            while True:
                size = struct.unpack(">H", _exactly(client, 2))[0]
                chunk = _exactly(client, size) if size else b""
                message += chunk
                raw = struct.pack(">H", size) + chunk
                if size or not message:  # a chunk of a message, or a no-op
                    server.sendall(raw)
                    continue
                signature = message[1] if len(message) > 1 else None
                if signature in (BEGIN, RESET):
                    sent = b""
                sent += message
                armed = self._match(message, sent)
                message = b""
                if armed and armed["action"] == "close":
                    self.done.set()
                    raise ConnectionError("closed on purpose")
                if armed and armed["action"] == "drop-answer":
                    state["drop"] = armed
                server.sendall(raw)
                if armed and armed["action"] == "forward":
                    self._finish(armed)
                if signature in (COMMIT, ROLLBACK):
                    sent = b""
        except (ConnectionError, OSError):
            hang_up(client, server)


@pytest.fixture(scope="module")
def neo(tmp_path_factory):
    """A throwaway Neo4j on a free port, its data in a temporary folder; stopped at the end.

    Its JVM skips the optimising compiler (``-XX:TieredStopAtLevel=1``): the server is
    restarted more than it is queried here, and that halves a start on a busy machine."""
    if not os.environ.get("NEO4J_URI"):
        if os.environ.get("REQUIRE_NEO4J") == "1":
            pytest.fail("REQUIRE_NEO4J=1 but NEO4J_URI is not set: start one with scripts/neo4j-local start")
        pytest.skip("no Neo4j server: set NEO4J_URI (scripts/neo4j-local start) to run the Neo4j tests")
    server = LocalNeo4j(free_port(), instance_dir=str(tmp_path_factory.mktemp("neo4j-faults")),
                        jvm_opts="-XX:TieredStopAtLevel=1", pagecache="64m")
    measured("first start of the throwaway server", server.start())
    yield server
    server.stop()


@pytest.fixture
def proxy(neo):
    neo.start()  # running already, unless a test before failed half-way
    p = BoltProxy(neo.port)
    yield p
    p.close()


def open_store(neo, port=None, **limits) -> Neo4jStore:
    """A store on the throwaway server (through the proxy's ``port`` if given)."""
    creds = neo.credentials()
    return Neo4jStore(f"bolt://127.0.0.1:{port or neo.port}", user=creds["user"], password=creds["password"],
                      database="neo4j", **{**FAST, **limits})


def make_app(neo, port, limits=FAST, **extra):
    """An app whose store is on ``port``, opened (so its read model is loaded) before it returns."""
    from registry import create_app
    from registry.store import store_for
    creds = neo.credentials()
    config = {"REGISTRY_STORE": f"bolt://127.0.0.1:{port}", "NEO4J_USER": creds["user"],
              "NEO4J_PASSWORD": creds["password"], "SECRET_KEY": "t", "TESTING": True,
              **{f"NEO4J_{k.upper()}": v for k, v in limits.items()}, **extra}
    app = create_app(config)
    store_for(app)
    return app


def close_app(app) -> None:
    if app.extensions.get("pathways.store") is not None:
        app.extensions["pathways.store"].close()


def admin(app) -> dict:
    from registry.store import store_for
    value = new_token()
    store_for(app).add_token(f"admin-{value[:6]}", "admin", hash_token(value))
    return {"Authorization": f"Bearer {value}"}


def fresh(neo) -> None:
    """An empty registry holding one producer."""
    store = open_store(neo)
    try:
        store.wipe()
        store.apply(Change(put_nodes=[{"id": "ons", "label": "Producer", "name": "Office for National Statistics",
                                       "kind": "department"}]))
    finally:
        store.close()


def topic(i) -> dict:
    return {"id": f"t{i:05d}", "label": "Topic", "name": f"Topic {i}"}


def no_infrastructure(text: str, neo) -> None:
    """Nothing about the server on a public answer (the log has it)."""
    for word in ("Neo4j", "neo4j", "bolt", "127.0.0.1", str(neo.port), "Traceback"):
        assert word not in text, word


def restart(neo, what: str) -> None:
    """Start the server again after a kill -9 (stale pid file, crash recovery) and time it."""
    measured(f"restart after kill -9 ({what})", neo.start())


def until_ok(client, path: str, what: str, headers=None) -> None:
    """The same app answers ``path`` again after the server is back (no restart of the app)."""
    started = time.monotonic()
    while (status := client.get(path, headers=headers).status_code) != 200:
        assert status == 503 and time.monotonic() - started < RECOVER_WITHIN, status
        time.sleep(0.25)
    measured(f"app answering again {what}", time.monotonic() - started, RECOVER_WITHIN)


# -- a lost answer to COMMIT (no kill: the proxy breaks the connection) ------------------------

def test_lost_commit_answer_is_read_back_as_saved(neo, proxy):
    """The server committed but its answer never came: the API says 201, and the record is there."""
    fresh(neo)
    app = make_app(neo, proxy.port)
    client = app.test_client()
    try:
        headers = admin(app)
        assert client.get("/api/v1/nodes/ons").status_code == 200  # the read model is loaded
        proxy.arm(COMMIT, "drop-answer", after=b"SET c.change_id")
        started = time.monotonic()
        response = client.post("/api/v1/nodes", json=topic(1), headers=headers)
        measured("API write whose COMMIT answer was dropped, read back as saved", time.monotonic() - started)
        assert proxy.done.wait(30), (response.status_code, response.get_data(as_text=True)[:500])  # the kill may still be finishing
        assert response.status_code == 201, response.get_json()
        assert client.get("/api/v1/nodes/t00001").status_code == 200  # the read model took it
        store = open_store(neo)
        try:
            assert store.get_node("t00001")["version"] == 1
            assert len(store.audit_entries(target="t00001")) == 1  # audited once, in the same transaction
        finally:
            store.close()
        again = client.post("/api/v1/nodes", json=topic(1), headers=headers)
        assert again.status_code == 409  # what a user retrying after a wrong "lost" would have met
    finally:
        close_app(app)


def test_connection_closed_before_commit_is_not_saved(neo, proxy):
    """The connection drops before COMMIT reaches the server: 503 "not saved", nothing written,
    and the user's retry succeeds."""
    fresh(neo)
    app = make_app(neo, proxy.port)
    client = app.test_client()
    try:
        headers = admin(app)
        proxy.arm(COMMIT, "close", after=b"SET c.change_id")
        started = time.monotonic()
        response = client.post("/api/v1/nodes", json=topic(2), headers=headers)
        measured("API write cut before COMMIT, read back as not saved", time.monotonic() - started)
        body = response.get_json()
        assert proxy.done.wait(30), (response.status_code, response.get_data(as_text=True)[:500])  # the kill may still be finishing
        assert response.status_code == 503, body
        assert body["errors"]["change"]["saved"] is False and "not saved" in body["message"]
        no_infrastructure(response.get_data(as_text=True), neo)
        store = open_store(neo)
        try:
            assert store.get_node("t00002") is None
            assert store.change_saved(body["errors"]["change"]["id"]) is None
        finally:
            store.close()
        assert client.post("/api/v1/nodes", json=topic(2), headers=headers).status_code == 201
    finally:
        close_app(app)


# -- the server stopped: refused connections, then back ----------------------------------------

def test_store_without_server_fails_fast_then_at_once_then_recovers(neo, proxy):
    """With no server: each call fails within the bound in one line that names the server (for
    the log), then at once while the breaker is open; a store cannot be opened; once the server
    is back, the same store works again."""
    store = open_store(neo, proxy.port)
    try:
        assert store.revision() >= 0
        proxy.refuse()
        times, errors = [], []
        for _ in range(5):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as failed:
                store.revision()
            times.append(time.monotonic() - started)
            errors.append(str(failed.value))
        measured("store call with no server (slowest of the first 3)", max(times[:3]), UNAVAILABLE_WITHIN)
        measured("store call with the breaker open (slowest)", max(times[3:]), 0.1)
        assert max(times) < UNAVAILABLE_WITHIN and max(times[3:]) < 0.1, times
        assert store.breaker.state == "open"
        assert all("\n" not in e and "unavailable" in e for e in errors), errors
        assert str(proxy.port) in errors[0]  # the log says which server
        with pytest.raises(StoreUnavailable) as write:
            store.apply(Change(put_nodes=[topic(9)]))
        assert write.value.outcome in (None, StoreUnavailable.NOT_SAVED)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as opening:
            open_store(neo, proxy.port)
        assert time.monotonic() - started < UNAVAILABLE_WITHIN and "\n" not in str(opening.value)
        proxy.resume()
        started = time.monotonic()
        while True:
            try:
                store.revision()
                break
            except StoreUnavailable:
                assert time.monotonic() - started < RECOVER_WITHIN
                time.sleep(0.25)
        measured("store answering again after the server is back", time.monotonic() - started, RECOVER_WITHIN)
        assert store.breaker.state == "closed"
    finally:
        store.close()


def _get(url: str) -> tuple[int, float, str]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            status, body = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, time.monotonic() - started, body


def test_outage_answers_503_fast_static_stays_fast_and_the_app_recovers(neo, proxy):
    """A real waitress server with 4 threads and the store's production limits: while the server
    is down, 12 page and API requests at once each get a 503 within 3 s (no infrastructure on
    it, the API's in the envelope), static files answered meanwhile stay fast, the CLI exits 3
    with one line; once the server is back, pages work without restarting the app."""
    from waitress.server import create_server
    fresh(neo)
    app = make_app(neo, proxy.port, limits={}, TESTING=False)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    try:
        assert _get(base + "/records/ons")[0] == 200
        proxy.refuse()
        pages = [base + "/records/ons", base + "/", base + "/api/v1/nodes"] * 4
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            pending = [pool.submit(_get, url) for url in pages]
            static = [pool.submit(_get, base + "/static/pathways.css") for _ in range(4)]
            answers = [f.result() for f in pending]
            static = [f.result() for f in static]
        slowest = max(seconds for _, seconds, _ in answers)
        measured("slowest of 12 requests at once during the outage", slowest, UNAVAILABLE_WITHIN)
        measured("slowest static file among the 12 requests", max(s for _, s, _ in static), UNAVAILABLE_WITHIN)
        for url, (status, seconds, body) in zip(pages, answers):
            assert status == 503 and seconds < UNAVAILABLE_WITHIN, (url, status, seconds)
            no_infrastructure(body, neo)
        # a static file waits only for a free thread, and no thread is held past the 503 bound
        assert all(status == 200 and seconds < UNAVAILABLE_WITHIN for status, seconds, _ in static), static
        assert "Sorry, the registry is unavailable" in answers[0][2]
        api = json.loads([body for url, (_, _, body) in zip(pages, answers) if "/api/" in url][0])
        assert set(api) == {"code", "status", "message", "errors"} and api["code"] == 503
        status, seconds, _ = _get(base + "/records/ons")
        measured("a page with the breaker open", seconds, BREAKER_OPEN_WITHIN)
        assert status == 503 and seconds < BREAKER_OPEN_WITHIN
        status, seconds, _ = _get(base + "/static/pathways.css")
        measured("a static file with the breaker open", seconds, STATIC_WITHIN)
        assert status == 200 and seconds < STATIC_WITHIN

        creds = neo.credentials()
        env = {**os.environ, "REGISTRY_STORE": f"bolt://127.0.0.1:{proxy.port}", "NEO4J_USER": creds["user"],
               "NEO4J_PASSWORD": creds["password"]}
        cli = subprocess.run([sys.executable, "-m", "registry", "export"], capture_output=True, text=True,
                             env=env, timeout=120)
        assert cli.returncode == 3, cli.stderr
        assert len(cli.stderr.strip().splitlines()) == 1 and "unavailable" in cli.stderr

        proxy.resume()
        started = time.monotonic()
        while (status := _get(base + "/records/ons")[0]) != 200:
            assert status == 503 and time.monotonic() - started < RECOVER_WITHIN, status
            time.sleep(0.25)
        measured("pages answering again after the server is back", time.monotonic() - started, RECOVER_WITHIN)
        assert _get(base + "/api/v1/nodes")[0] == 200
    finally:
        server.close()
        close_app(app)


# -- real crashes: kill -9 at a known point, then a real restart ------------------------------

def _answer_matches_store(response, neo, ids) -> set:
    """After the server is back: a 2xx means every record is there; "not saved" means none is;
    "could not be checked" allows either, but never part, and the change id says which."""
    store = open_store(neo)
    try:
        present = set(store.get_nodes(ids))
        assert present in (set(), set(ids)), f"{len(present)} of {len(ids)} records: a half-saved change"
        if response.status_code < 300:
            assert present == set(ids)
            return present
        body = response.get_json()
        assert response.status_code == 503 and set(body) == {"code", "status", "message", "errors"}
        change = body["errors"].get("change")
        assert change is not None, body
        if change["saved"] is False:
            assert present == set()
        else:
            assert change["saved"] is None and "could not be checked" in body["message"]
            assert (store.change_saved(change["id"]) is not None) == bool(present)
        no_infrastructure(body["message"], neo)
        return present
    finally:
        store.close()


def test_kill_after_the_server_committed_an_api_write(neo, proxy):
    """The server commits an API write and is killed before its answer reaches the app: the app
    cannot tell and says so (503, "could not be checked", with the change id), never "not
    saved"; after the restart the record is there, the change id reads back as saved, and the
    same app serves it (and refuses it again as a duplicate)."""
    fresh(neo)
    app = make_app(neo, proxy.port, limits={**FAST, "readback_time": 3.0})
    client = app.test_client()
    try:
        headers = admin(app)
        proxy.arm(COMMIT, "drop-answer", after=b"SET c.change_id", then=neo.kill)
        started = time.monotonic()
        response = client.post("/api/v1/nodes", json=topic(3), headers=headers)
        measured("API write answered after the kill", time.monotonic() - started)
        assert proxy.done.wait(30), (response.status_code, response.get_data(as_text=True)[:500])  # the kill may still be finishing
        body = response.get_json()
        assert response.status_code == 503, body
        assert body["errors"]["change"]["saved"] is None, body
        restart(neo, "after an API write's COMMIT")
        assert _answer_matches_store(response, neo, ["t00003"]) == {"t00003"}  # it was committed
        until_ok(client, "/api/v1/nodes/t00003", "after the restart (API write)")
        assert client.post("/api/v1/nodes", json=topic(3), headers=headers).status_code == 409
    finally:
        close_app(app)


IMPORT_SIZE = 6000  # two batches of records (graph.stores.neo4j.BATCH = 5000)


def test_kill_in_the_middle_of_an_import(neo, proxy):
    """The server is killed once the import's second batch of records has reached it (the first
    is written, inside the transaction): 503 "not saved", none of the records after the restart,
    and the same app takes the same import again in full."""
    fresh(neo)
    app = make_app(neo, proxy.port)
    client = app.test_client()
    ids = [f"t{i:05d}" for i in range(IMPORT_SIZE)]
    doc = {"format": "pathways-graph", "version": 1, "nodes": [topic(i) for i in range(IMPORT_SIZE)], "edges": []}
    try:
        headers = admin(app)
        proxy.arm(RUN, "forward", nth=2, containing=b"CREATE (n:Node", then=neo.kill)
        started = time.monotonic()
        response = client.post("/api/v1/import", json=doc, headers=headers)
        measured("import answered after the kill", time.monotonic() - started)
        assert proxy.done.wait(30), (response.status_code, response.get_data(as_text=True)[:500])  # the kill may still be finishing
        body = response.get_json()
        assert response.status_code == 503, body
        assert body["errors"]["change"]["saved"] is False, body  # it died before COMMIT
        restart(neo, "in the middle of an import")
        assert _answer_matches_store(response, neo, ids) == set()
        until_ok(client, "/api/v1/nodes/ons", "after the restart (import)")
        started = time.monotonic()
        again = client.post("/api/v1/import", json=doc, headers=headers)
        measured(f"the same import of {IMPORT_SIZE} records again", time.monotonic() - started)
        assert again.status_code < 300, again.get_json()
        assert client.get(f"/api/v1/nodes/{ids[-1]}").status_code == 200
    finally:
        close_app(app)
    store = open_store(neo)
    try:
        assert store.count_nodes("Topic") == IMPORT_SIZE
    finally:
        store.close()
