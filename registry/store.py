"""The app's one store, its read model as each request sees it, and the algorithm settings."""
from __future__ import annotations

import threading

from flask import Flask, current_app, g

from graph import settings as _settings
from graph.stores import GraphStore, open_store

from .config import NEO4J_LIMIT_KEYS, load_algorithm_file

_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions["pathways.store"] = None
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
                    options.update((key.removeprefix("NEO4J_").lower(), cfg[key])
                                   for key in NEO4J_LIMIT_KEYS if cfg.get(key) is not None)
                store = open_store(cfg["REGISTRY_STORE"], **options)
                app.extensions["pathways.store"] = store
    return store


def get_store() -> GraphStore:
    return store_for(current_app)


def snapshot():
    """The registry as this request reads it (:class:`graph.readmodel.Snapshot`): caught up with
    the store on the request's first read (one revision read when nothing changed), then with
    this process's own writes as they are made."""
    store = get_store()
    model = store.read_model()
    if g.get("pathways_caught_up"):
        return model.latest()
    revision, g.pathways_reports_stamp = store.stamps()
    g.pathways_caught_up = True
    return model.current(revision)


def get_graph():
    """The whole registry as this request reads it (read-only)."""
    return snapshot().graph


def get_settings() -> dict:
    """The algorithm settings (graph/settings.py defaults with this app's overrides)."""
    return current_app.extensions["pathways.settings"]
