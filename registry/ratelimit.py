"""Rate limits for sign-in attempts and writes: a moving window per identity or address.

The limits are settings (``RATELIMIT_SIGNIN_PER_MINUTE``, ``RATELIMIT_WRITES_PER_MINUTE``).
Going over answers 429 in the one error envelope, with ``Retry-After``. The counting is the
``limits`` library's moving window (the engine of Flask-Limiter; used directly because the checks
sit inside views, keyed on the token or the signed-in editor and answered in the one envelope). Its
storage is ``RATELIMIT_STORAGE_URI``: ``memory://`` (the default) counts in each worker process, a
shared storage such as ``redis://host:6379`` (with ``pip install limits[redis]``) counts across all.

>>> from flask import Flask
>>> with Flask(__name__).app_context():
...     [hit("doc", 2, 60, "a") for _ in range(3)][:2], 0 < hit("doc", 2, 60, "a") <= 60
([None, None], True)
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app, request
from limits import RateLimitItemPerSecond, storage, strategies

from .errors import RateLimited


def init_app(app) -> None:
    """Open the limits' storage at start, so a bad ``RATELIMIT_STORAGE_URI`` is reported before anyone visits."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    try:
        counted_in = storage.storage_from_string(uri)
    except Exception as exc:  # limits raises ConfigurationError or a storage's own error
        raise ValueError(f"RATELIMIT_STORAGE_URI {uri!r} cannot be used: {exc}") from None
    app.extensions["pathways.ratelimit"] = strategies.MovingWindowRateLimiter(counted_in)


def _limiter() -> strategies.MovingWindowRateLimiter:
    if "pathways.ratelimit" not in current_app.extensions:
        init_app(current_app)
    return current_app.extensions["pathways.ratelimit"]


def hit(name: str, limit: int, seconds: int, key: str) -> int | None:
    """Count one hit of ``key`` against at most ``limit`` in any ``seconds``; None when allowed, else the
    whole seconds to wait (a refused hit is not counted)."""
    item = RateLimitItemPerSecond(limit, seconds, namespace=f"pathways.{name}")
    limiter = _limiter()
    if limiter.hit(item, key):
        return None
    reset_at, _remaining = limiter.get_window_stats(item, key)
    return max(1, math.ceil(reset_at - time.time()))


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
    setting = {"signin": "RATELIMIT_SIGNIN_PER_MINUTE", "write": "RATELIMIT_WRITES_PER_MINUTE"}[kind]
    wait = hit(kind, int(current_app.config.get(setting) or 60), 60,
               key or (caller_key() if kind == "write" else "ip:" + (request.remote_addr or "unknown")))
    if wait is not None:
        what = "sign-in attempts" if kind == "signin" else "changes"
        raise RateLimited(f"too many {what} in a minute: try again in {wait} seconds", retry_after=wait)
