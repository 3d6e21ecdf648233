"""Rate limits for sign-in attempts and writes: an in-memory sliding window per identity or address.

The limits are settings (``RATELIMIT_SIGNIN_PER_MINUTE``, ``RATELIMIT_WRITES_PER_MINUTE``).
Going over answers 429 in the one error envelope, with ``Retry-After``. The window
lives in the process, so with several worker processes each counts its own share.

>>> w = SlidingWindow(limit=2, seconds=60)
>>> w.hit("a", now=0.0), w.hit("a", now=1.0), w.hit("a", now=2.0), w.hit("a", now=61.0)
(None, None, 58, None)
"""
from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict, deque

from flask import current_app, request

from .errors import RateLimited

MAX_KEYS = 10_000  # the oldest keys are forgotten beyond this, so memory stays bounded


class SlidingWindow:
    """At most ``limit`` hits per key in any ``seconds``-long window."""

    def __init__(self, limit: int, seconds: float = 60.0):
        self.limit, self.seconds = limit, seconds
        self._hits: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> int | None:
        """Count one hit; None when allowed, else the whole seconds to wait (the hit is not counted)."""
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                while len(self._hits) > MAX_KEYS:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.seconds - now))
            hits.append(now)
            return None


def _window(kind: str) -> SlidingWindow:
    setting = {"signin": "RATELIMIT_SIGNIN_PER_MINUTE", "write": "RATELIMIT_WRITES_PER_MINUTE"}[kind]
    limit = int(current_app.config.get(setting) or 60)
    windows = current_app.extensions.setdefault("pathways.ratelimit", {})
    window = windows.get(kind)
    if window is None or window.limit != limit:
        window = windows[kind] = SlidingWindow(limit)
    return window


def caller_key() -> str:
    """Who is asking: the token (hashed) when one is sent, otherwise the signed-in session or the address."""
    from flask import session
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode("utf-8")).hexdigest()[:32]
    if session.get("token_hash"):
        return "session:" + session["token_hash"][:32]
    return "ip:" + (request.remote_addr or "unknown")


def check(kind: str, key: str | None = None) -> None:
    """Count one ``kind`` ("signin" or "write") for the caller; RateLimited (429) when over the limit."""
    import time
    wait = _window(kind).hit(key or (caller_key() if kind == "write" else "ip:" + (request.remote_addr or "unknown")),
                             time.monotonic())
    if wait is not None:
        what = "sign-in attempts" if kind == "signin" else "changes"
        raise RateLimited(f"too many {what} in a minute: try again in {wait} seconds", retry_after=wait)
