"""Tokens and roles. A token is shown once; only its SHA-256 hash is stored.

>>> token = new_token(); token.startswith("pw_") and len(token) > 40
True
>>> hash_token("abc") == hash_token("abc") != hash_token("abd")
True
>>> allows("admin", "editor"), allows("editor", "admin"), allows("viewer", "editor")
(True, False, False)
"""
from __future__ import annotations

import hashlib
import secrets

ROLES = ("viewer", "editor", "admin")  # each role can do what the ones before it can


def new_token() -> str:
    return "pw_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what needs ``needed``."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


# -- who is asking --------------------------------------------------------

from dataclasses import dataclass  # noqa: E402
from functools import wraps  # noqa: E402

from flask import g, request, session  # noqa: E402

from graph.errors import AuthError  # noqa: E402


@dataclass(frozen=True)
class Identity:
    name: str
    role: str

    @property
    def actor(self) -> str:
        """How the audit trail names this identity."""
        return f"token:{self.name}"


def current_identity() -> Identity | None:
    """The caller: a Bearer token on the request, or an editor signed in to the web interface.

    The API (``/api/``) knows only Bearer tokens: a browser's session cookie is sent with
    requests other sites make it send, so it never authorises an API call. A token revoked
    after sign-in stops working at once: the session keeps the token's hash and each
    request looks it up again.
    """
    if "pathways_identity" in g:
        return g.pathways_identity
    from .store import get_store
    identity = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthError("the Authorization header must be 'Bearer <token>'")
        found = get_store().find_token(hash_token(value.strip()))
        if found is None:
            raise AuthError("the token is not recognised or has been revoked")
        identity = Identity(found["name"], found["role"])
    elif session.get("token_hash") and not request.path.startswith("/api/"):
        live = session_is_live(session.get("sid"), session["token_hash"])
        found = get_store().find_token(session["token_hash"]) if live else None
        if found is None:
            session.clear()
        else:
            identity = Identity(found["name"], found["role"])
    g.pathways_identity = identity
    return identity


def require_role(needed: str) -> Identity:
    """The caller's identity if its role allows ``needed``; AuthError (401) or Forbidden (403) otherwise."""
    from .errors import Forbidden
    identity = current_identity()
    if identity is None:
        raise AuthError(f"this needs a token with the {needed} role: send 'Authorization: Bearer <token>'")
    if not allows(identity.role, needed):
        raise Forbidden(f"your token has the {identity.role} role; this needs {needed}")
    return identity


def requires(needed: str):
    """Decorator form of :func:`require_role`; the identity is in ``g.pathways_identity``."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require_role(needed)
            return view(*args, **kwargs)
        wrapper.required_role = needed  # read by registry.limits: an anonymous caller gets 401, not a parse
        return wrapper
    return decorate


# -- web sign-ins ---------------------------------------------------------
# Flask's session is a signed cookie: clearing it at sign-out does nothing to a copy taken before.
# So each sign-in is also a row on the server, named by a random id in the cookie (only its hash
# is kept), and a signed-in request counts only while its row is there. Signing out deletes the
# row. This is per sign-in rather than a per-token version number: signing out in one browser
# does not sign out the same token elsewhere, and the stores' schema is unchanged. The rows live
# in a SQLite file (:func:`sessions_path`) that every worker on the host shares.

import sqlite3  # noqa: E402
import time  # noqa: E402
from contextlib import closing  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import current_app  # noqa: E402

_SESSIONS_SQL = "CREATE TABLE IF NOT EXISTS sessions (sid_hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, started REAL NOT NULL)"


def sessions_path(config, instance_path: str) -> str:
    """Where the sign-ins are kept: SESSION_DB, else beside an embedded store, else the instance folder.

    >>> sessions_path({"REGISTRY_STORE": "sqlite:///data/registry.db"}, "/srv/instance")
    'data/registry.db.sessions'
    >>> sessions_path({"REGISTRY_STORE": "neo4j://db:7687"}, "/srv/instance")
    '/srv/instance/sessions.db'
    """
    if config.get("SESSION_DB"):
        return config["SESSION_DB"]
    store = config.get("REGISTRY_STORE") or ""
    if store.startswith("sqlite:///"):
        return store[len("sqlite:///"):] + ".sessions"
    return str(Path(instance_path) / "sessions.db")


def _sessions_db():
    path = sessions_path(current_app.config, current_app.instance_path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.execute(_SESSIONS_SQL)
    return closing(conn)


def start_session(token_hash: str) -> str:
    """Record a new sign-in for ``token_hash`` and return its id (kept in the cookie as ``sid``)."""
    sid = secrets.token_urlsafe(32)
    now = time.time()
    with _sessions_db() as conn:
        conn.execute("DELETE FROM sessions WHERE started < ?", [now - current_app.config["SESSION_MAX_AGE_SECONDS"]])
        conn.execute("INSERT INTO sessions(sid_hash, token_hash, started) VALUES (?,?,?)",
                     [hash_token(sid), token_hash, now])
    return sid


def session_is_live(sid, token_hash: str) -> bool:
    """Whether the sign-in ``sid`` for ``token_hash`` has neither ended nor grown too old."""
    if not isinstance(sid, str) or not sid:
        return False
    oldest = time.time() - current_app.config["SESSION_MAX_AGE_SECONDS"]
    with _sessions_db() as conn:
        row = conn.execute("SELECT 1 FROM sessions WHERE sid_hash = ? AND token_hash = ? AND started >= ?",
                           [hash_token(sid), token_hash, oldest]).fetchone()
    return row is not None


def end_session(sid) -> None:
    """End the sign-in ``sid``: every copy of its cookie stops working."""
    if isinstance(sid, str) and sid:
        with _sessions_db() as conn:
            conn.execute("DELETE FROM sessions WHERE sid_hash = ?", [hash_token(sid)])
