"""Drive a private Neo4j server through ``scripts/neo4j-local`` (for fault tests).

Fault tests stop and kill their server, so they get their own instance on a
separate Bolt port (with its own data directory under the cache), never the
shared test server that ``NEO4J_URI`` points at.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j-local"


class LocalNeo4j:
    """One ``scripts/neo4j-local`` instance on ``port``: start, stop, kill -9 and its credentials."""

    def __init__(self, port: int, heap: str = "512m", instance_dir: str | None = None,
                 jvm_opts: str = "", pagecache: str = "256m"):
        """``jvm_opts``: extra server JVM options (``NEO4J_JVM_OPTS``), e.g. the quick-start
        ``-XX:TieredStopAtLevel=1`` for a server that is restarted more than it is queried."""
        self.port = port
        self.env = {**os.environ, "NEO4J_BOLT_PORT": str(port), "NEO4J_HEAP": heap,
                    "NEO4J_PAGECACHE": pagecache, "NEO4J_JVM_OPTS": jvm_opts}
        for name in ("NEO4J_HTTP_PORT", "NEO4J_INSTANCE_DIR", "NEO4J_PASSWORD"):
            self.env.pop(name, None)  # the shared server's settings are not this one's
        if instance_dir:  # a throwaway instance (its data deleted with the folder)
            self.env["NEO4J_INSTANCE_DIR"] = instance_dir

    def _run(self, command: str, timeout: float = 300) -> str:
        done = subprocess.run([str(SCRIPT), command], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode not in (0, 3):
            raise RuntimeError(f"scripts/neo4j-local {command} failed: {done.stderr.strip()[-2000:]}")
        return done.stdout

    def start(self) -> float:
        """Start it (or find it running) and wait until Bolt answers; the seconds that took."""
        started = time.monotonic()
        self._run("start")
        return time.monotonic() - started

    def stop(self) -> None:
        self._run("stop")

    def kill(self) -> None:
        self._run("kill")

    def running(self) -> bool:
        return self._run("status").startswith("running")

    def credentials(self) -> dict[str, str]:
        """``{"url", "user", "password"}`` parsed from the script's ``env`` output."""
        values = {}
        for line in self._run("env").splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            values[key] = shlex.split(value)[0] if value else ""
        return {"url": values["NEO4J_URI"], "user": values["NEO4J_USER"], "password": values["NEO4J_PASSWORD"]}
