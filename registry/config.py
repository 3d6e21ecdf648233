"""Settings: defaults, then the environment, then the mapping given to create_app."""
from __future__ import annotations

import json
import os

ENV_KEYS = ("REGISTRY_STORE", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "SECRET_KEY",
            "PATHWAYS_SETTINGS", "COORDINATOR_EMAIL", "RATELIMIT_WRITES_PER_MINUTE", "RATELIMIT_SIGNIN_PER_MINUTE")

DEFAULTS = {
    "REGISTRY_STORE": None,  # None: sqlite file registry.db in the app's instance folder
    "NEO4J_USER": "neo4j",
    "NEO4J_PASSWORD": None,
    "NEO4J_DATABASE": None,
    "SECRET_KEY": None,  # None: a random key kept in the instance folder
    "PATHWAYS_SETTINGS": None,  # path to a JSON file of algorithm settings (see graph/settings.py)
    "ALGORITHMS": {},
    "COORDINATOR_EMAIL": None,
    "RATELIMIT_WRITES_PER_MINUTE": 120,
    "RATELIMIT_SIGNIN_PER_MINUTE": 10,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_SORT_KEYS": False,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
}


def from_environment(environ=os.environ) -> dict:
    """The settings the environment gives (only those that are set)."""
    found = {k: environ[k] for k in ENV_KEYS if environ.get(k)}
    for key in ("RATELIMIT_WRITES_PER_MINUTE", "RATELIMIT_SIGNIN_PER_MINUTE"):
        if key in found:
            found[key] = int(found[key])
    if environ.get("SESSION_COOKIE_SECURE"):
        found["SESSION_COOKIE_SECURE"] = environ["SESSION_COOKIE_SECURE"].lower() in ("1", "true", "yes")
    return found


def load_algorithm_file(path: str | None) -> dict:
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
