"""Pathways: the Flask application. ``create_app`` is the only entry point.

Nothing connects at import time: the store opens on first use (and, for
``pathways serve``, once at start so a bad URL or a down server is reported
before anyone visits).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from . import config as _config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from defaults, then the environment, then ``config``."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static")
    app.config.update(_config.DEFAULTS)
    app.config.update(_config.from_environment())
    app.config.update(config or {})
    app.config["PUBLIC_BASE_URL"], app.config["TRUSTED_HOSTS"] = _config.public_address(
        app.config["PUBLIC_BASE_URL"], app.config["TRUSTED_HOSTS"])
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    if not app.config["REGISTRY_STORE"]:
        app.config["REGISTRY_STORE"] = "sqlite:///" + os.path.join(app.instance_path, "registry.db")

    from . import api, csrf, errors, limits, ratelimit, security, store, templating, web
    limits.init_app(app)  # bodies too large or too deep are refused before anything parses them
    ratelimit.init_app(app)
    store.init_app(app)
    templating.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    api.init_app(app)  # the blueprints, sections and commands are listed in registry/areas.py
    web.init_app(app)
    errors.init_app(app)  # last, so the one error envelope overrides smorest's handlers
    from . import requestlog
    requestlog.init_app(app)
    return app


def _instance_secret(instance_path: str) -> str:
    """A random secret kept in the instance folder, for one-machine use without SECRET_KEY."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
