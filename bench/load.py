"""A load test: the app under waitress (the production WSGI server) on 127.0.0.1, taking
concurrent reads and writes from a second process for a bounded time.

    nice -n 19 .venv/bin/python -m bench.load --nodes 10000 --seconds 20 --clients 8

It generates and imports a synthetic system into a fresh embedded store, creates an
editor token, starts ``pathways serve`` on a free port, then runs the client in a
second process: ``--clients`` threads, each with its own keep-alive connection, sending
reads (a record as JSON, a record page, a word search of the records) and, one time
in ``--write-every``, a write (``POST /api/v1/nodes`` of a new Public) until
``--seconds`` have passed or ``--max-requests`` were sent. Afterwards every write the
server acknowledged (201) is looked for in the store: none may be lost. One JSON line
with the throughput, latencies and errors; exit 1 when there were errors or lost writes.
If the write API is not routed (404/405), writes go through ``pathways import`` of
one-record documents instead, and the report says so.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import ROOT, emit, summary_ms

READS = ("/api/v1/nodes/{id}", "/records/{id}", "/api/v1/nodes?q={word}&limit=10")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = getattr(proc, "log_path", None)
            raise SystemExit(f"the server exited with {proc.returncode} before answering: "
                             f"{Path(log).read_text(errors='replace')[-1000:] if log else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer on port {port} within {timeout} s")


# -- the client process ------------------------------------------------------------

def client(args) -> None:
    """Send the load; print one JSON line: counts, latencies, acknowledged write ids (to a file)."""
    ids = json.loads(Path(args.ids).read_text())
    deadline = time.monotonic() + args.seconds
    lock = threading.Lock()
    sent = [0]
    reads, writes, errors, acked = [], [], [], []
    mode = {"write": "api"}

    def next_slot() -> int | None:
        with lock:
            if sent[0] >= args.max_requests or time.monotonic() >= deadline:
                return None
            sent[0] += 1
            return sent[0]

    def write_via_import(record: dict) -> int:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"format": "pathways-graph", "version": 1, "nodes": [record], "edges": []}, handle)
        try:
            done = subprocess.run([sys.executable, "-m", "registry", "--store", args.store, "import", handle.name],
                                  cwd=ROOT, capture_output=True, text=True)
            return 201 if done.returncode == 0 else 500
        finally:
            os.unlink(handle.name)

    def worker(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
        i = 0
        while (slot := next_slot()) is not None:
            i += 1
            is_write = bool(args.write_every) and slot % args.write_every == 0
            start = time.perf_counter()
            try:
                if is_write:
                    record = {"id": f"load-{n}-{i}", "label": "Public", "name": f"Load test public {n} {i}",
                              "kind": "citizens"}
                    if mode["write"] == "api":
                        conn.request("POST", "/api/v1/nodes", body=json.dumps(record), headers=headers)
                        response = conn.getresponse()
                        body = response.read()
                        status = response.status
                        if status in (404, 405):
                            mode["write"] = "import"
                    if mode["write"] == "import":
                        status, body = write_via_import(record), b""
                    if status == 201:
                        with lock:
                            acked.append(record["id"])
                else:
                    path = rng.choice(READS).format(id=rng.choice(ids["any"]), word=rng.choice(ids["words"]))
                    conn.request("GET", path)
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, body = 0, str(exc).encode()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            elapsed = time.perf_counter() - start
            with lock:
                (writes if is_write else reads).append(elapsed)
                if not 200 <= status < 300:
                    errors.append(f"{'write' if is_write else 'read'} -> {status}: {body[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    Path(args.acked).write_text(json.dumps(acked))
    total = len(reads) + len(writes)
    emit({"measure": "load_client", "seconds": round(seconds, 2), "requests": total,
          "requests_per_s": round(total / seconds, 1), "reads": summary_ms(reads) if reads else {},
          "writes": summary_ms(writes) if writes else {}, "acknowledged_writes": len(acked),
          "write_path": "POST /api/v1/nodes" if mode["write"] == "api" else "pathways import (write API not routed)",
          "errors": len(errors), "first_errors": errors[:5]})


# -- the orchestrating process -------------------------------------------------------

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--write-every", type=int, default=5,
                        help="one request in this many is a write (0: reads only)")
    parser.add_argument("--use-store", help="an already loaded store (sqlite:///… or bolt://…) instead of "
                        "generating --nodes into a fresh embedded one")
    parser.add_argument("--targets", type=Path, help="with --use-store: bench.run's targets file of ids")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--base", default="{}", help="JSON fields to put on the report line")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    parser.add_argument("--acked", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        return client(args)

    from graph import transfer
    from graph.generate import generate
    from graph.stores import open_store
    from registry.auth import hash_token, new_token

    args.out.mkdir(parents=True, exist_ok=True)
    ids_path, acked_path = args.out / "load-ids.json", args.out / "load-acked.json"
    if args.use_store:
        url = args.use_store
        options = {}
        if not url.startswith("sqlite"):
            options = {"user": os.environ.get("NEO4J_USER", "neo4j"), "password": os.environ.get("NEO4J_PASSWORD"),
                       "database": os.environ.get("NEO4J_DATABASE")}
        store = open_store(url, **options)
        targets = json.loads(args.targets.read_text())
        ids_path.write_text(json.dumps({"any": targets["any"],
                                        "words": [w.split()[0] for w in targets["words"][:500]]}))
    else:
        db = args.out / f"load-{args.nodes}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
        doc = generate(args.nodes, seed=7)
        store = open_store(url)
        transfer.import_document(store, doc, actor="load-test")
        rng = random.Random(7)
        ids_path.write_text(json.dumps({"any": rng.sample([n["id"] for n in doc.nodes], min(2000, len(doc.nodes))),
                                        "words": [n["name"].split()[0] for n in rng.sample(doc.nodes, 500)]}))
        del doc
    token = new_token()
    store.add_token(f"load-test-{time.time_ns()}", "editor", hash_token(token))

    port = free_port()
    env = {**os.environ, "RATELIMIT_WRITES_PER_MINUTE": str(10**9), "SECRET_KEY": "load-test"}
    # The server logs a line per request on stderr: into a file, never a pipe nobody reads (a full
    # pipe blocks the server mid-request once about 800 lines are written).
    server_log = args.out / f"server-{'writes' if args.write_every else 'reads'}.log"
    with open(server_log, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "registry", "--store", url, "serve", "--port", str(port),
                                   "--threads", str(args.threads)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=log, text=True)
    server.log_path = server_log
    try:
        wait_until_up(port, server)
        # The server loads its read model at its first read: do that before the clock starts.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", "/api/v1/nodes?limit=1")
        conn.getresponse().read()
        done = subprocess.run(
            [sys.executable, "-m", "bench.load", "--client", "--port", str(port), "--token", token,
             "--ids", str(ids_path), "--acked", str(acked_path), "--store", url, "--seconds", str(args.seconds),
             "--max-requests", str(args.max_requests), "--clients", str(args.clients),
             "--write-every", str(args.write_every)],
            cwd=ROOT, capture_output=True, text=True, timeout=args.seconds + 600)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        raise SystemExit(f"the load client failed: {done.stderr[-2000:]}")
    report = json.loads(line)
    acked = json.loads(acked_path.read_text())
    found = store.get_nodes(acked)
    lost = [i for i in acked if i not in found]
    report.update(measure="load" if args.write_every else "load_read_only", nodes=args.nodes,
                  clients=args.clients, server_threads=args.threads,
                  server="waitress (pathways serve)", lost_writes=len(lost), lost_examples=lost[:5],
                  records_after=store.count_nodes())
    report.update(json.loads(args.base))
    emit(report)
    (args.out / f"{report['measure']}.json").write_text(json.dumps(report, indent=1) + "\n")
    store.close()
    if report["errors"] or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
