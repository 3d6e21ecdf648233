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
