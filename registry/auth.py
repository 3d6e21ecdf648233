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
import time

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

from flask import current_app, g, request, session  # noqa: E402

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
        found = signed_in_token(session.get("sid"), session["token_hash"])
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
# So each sign-in is also a row in the store, named by a random id in the cookie (only its hash
# is kept), and a signed-in request counts only while its row is there. Signing out deletes the
# row. This is per sign-in rather than a per-token version number: signing out in one browser
# does not sign out the same token elsewhere. Being in the store, the sign-ins are the same for
# every worker and every app server on it.


def _oldest() -> float:
    return time.time() - current_app.config["SESSION_MAX_AGE_SECONDS"]


def start_session(token_hash: str) -> str:
    """Record a new sign-in for ``token_hash`` and return its id (kept in the cookie as ``sid``)."""
    from .store import get_store
    sid = secrets.token_urlsafe(32)
    get_store().add_session(hash_token(sid), token_hash, time.time(), _oldest())
    return sid


def signed_in_token(sid, token_hash: str) -> dict | None:
    """The live token of the sign-in ``sid`` for ``token_hash``, unless it has ended or grown too old."""
    if not isinstance(sid, str) or not sid:
        return None
    from .store import get_store
    return get_store().session_token(hash_token(sid), token_hash, _oldest())


def end_session(sid) -> None:
    """End the sign-in ``sid``: every copy of its cookie stops working."""
    if isinstance(sid, str) and sid:
        from .store import get_store
        get_store().end_session(hash_token(sid))
