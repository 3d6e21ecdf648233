"""Settings: defaults, then the environment, then the mapping given to create_app."""
from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

ENV_KEYS = ("REGISTRY_STORE", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "SECRET_KEY",
            "PATHWAYS_SETTINGS", "COORDINATOR_EMAIL", "RATELIMIT_WRITES_PER_MINUTE", "RATELIMIT_SIGNIN_PER_MINUTE",
            "RATELIMIT_STORAGE_URI", "PUBLIC_BASE_URL", "GOVUK_BASE_URL", "GOVUK_TIMEOUT")
# How long the app waits for Neo4j (graph.stores.neo4j.TIMEOUTS has the defaults and meanings).
NEO4J_LIMIT_KEYS = ("NEO4J_CONNECT_TIMEOUT", "NEO4J_ACQUIRE_TIMEOUT", "NEO4J_RETRY_TIME", "NEO4J_TRANSACTION_TIMEOUT",
                    "NEO4J_BULK_TIMEOUT", "NEO4J_READBACK_TIME", "NEO4J_BREAKER_FAILURES", "NEO4J_BREAKER_RESET")
ENV_KEYS += NEO4J_LIMIT_KEYS

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
    "RATELIMIT_STORAGE_URI": "memory://",  # where the limits count (registry/ratelimit.py); memory: per process
    "PUBLIC_BASE_URL": None,  # e.g. https://pathways.example.org: every absolute link the app writes starts so
    "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],  # Flask answers 400 to any other Host (PUBLIC_BASE_URL's is added)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: on, except on a local run (see registry/security.py)
    "SESSION_MAX_AGE_SECONDS": 12 * 60 * 60,  # a sign-in ends after this long, whatever the cookie says
    "JSON_SORT_KEYS": False,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # Where /engagements/from-govuk reads a consultation (the Content API), and how long it waits in seconds.
    "GOVUK_BASE_URL": "https://www.gov.uk",
    "GOVUK_TIMEOUT": 10.0,
    "GOVUK_READER": None,  # a graph.harvest.fetch.Reader to read instead (tests: a recording)
}


def from_environment(environ=os.environ) -> dict:
    """The settings the environment gives (only those that are set)."""
    found = {k: environ[k] for k in ENV_KEYS if environ.get(k)}
    for key in ("RATELIMIT_WRITES_PER_MINUTE", "RATELIMIT_SIGNIN_PER_MINUTE"):
        if key in found:
            found[key] = int(found[key])
    if "GOVUK_TIMEOUT" in found:
        found["GOVUK_TIMEOUT"] = float(found["GOVUK_TIMEOUT"])
    if environ.get("TRUSTED_HOSTS"):
        found["TRUSTED_HOSTS"] = [h.strip() for h in environ["TRUSTED_HOSTS"].split(",") if h.strip()]
    if environ.get("SESSION_COOKIE_SECURE"):
        found["SESSION_COOKIE_SECURE"] = environ["SESSION_COOKIE_SECURE"].lower() in ("1", "true", "yes")
    return found


def public_address(base_url: str | None, trusted_hosts) -> tuple[str | None, list[str]]:
    """PUBLIC_BASE_URL without its trailing slash, and the hosts to trust, its own included.

    An empty trusted list would let Flask accept any Host, so it falls back to the default.

    >>> public_address("https://pathways.example.org/", ["localhost"])
    ('https://pathways.example.org', ['localhost', 'pathways.example.org'])
    >>> public_address(None, [])
    (None, ['127.0.0.1', 'localhost'])
    >>> public_address("pathways.example.org", None)
    Traceback (most recent call last):
    ValueError: PUBLIC_BASE_URL must be an http(s) address such as https://pathways.example.org, not 'pathways.example.org'
    """
    hosts = list(trusted_hosts or DEFAULTS["TRUSTED_HOSTS"])
    if not base_url:
        return None, hosts
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.query or parts.fragment:
        raise ValueError("PUBLIC_BASE_URL must be an http(s) address such as https://pathways.example.org, "
                         f"not {base_url!r}")
    if parts.hostname not in hosts:
        hosts.append(parts.hostname)
    return base_url.rstrip("/"), hosts


def load_algorithm_file(path: str | None) -> dict:
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
