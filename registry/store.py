"""The app's one store and algorithm settings, opened on first use."""
from __future__ import annotations

import threading

from flask import Flask, current_app, request

from graph import settings as _settings
from graph.stores import GraphStore, open_store

from .config import load_algorithm_file

_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions["pathways.store"] = None
    app.config.setdefault("WARM_GRAPH", not app.testing)

    @app.after_request
    def _warm_after_write(response):
        """After a successful write, rebuild the whole-registry caches in the background."""
        if app.config["WARM_GRAPH"] and request.method in ("POST", "PUT", "PATCH", "DELETE") \
                and response.status_code < 400:
            from .cache import warm
            warm(app)
        return response
    app.extensions["pathways.settings"] = _settings.merge(
        _settings.merge(_settings.DEFAULTS, load_algorithm_file(app.config.get("PATHWAYS_SETTINGS"))),
        app.config.get("ALGORITHMS"))


def store_for(app: Flask) -> GraphStore:
    """The app's store, opened (and, for Neo4j, verified) once."""
    store = app.extensions.get("pathways.store")
    if store is None:
        with _lock:
            store = app.extensions.get("pathways.store")
            if store is None:
                cfg = app.config
                options = {}
                if not cfg["REGISTRY_STORE"].startswith("sqlite:"):
                    options = {"user": cfg.get("NEO4J_USER"), "password": cfg.get("NEO4J_PASSWORD"),
                               "database": cfg.get("NEO4J_DATABASE")}
                store = open_store(cfg["REGISTRY_STORE"], **options)
                app.extensions["pathways.store"] = store
    return store


def get_store() -> GraphStore:
    return store_for(current_app)


def get_settings() -> dict:
    """The algorithm settings (graph/settings.py defaults with this app's overrides)."""
    return current_app.extensions["pathways.settings"]
