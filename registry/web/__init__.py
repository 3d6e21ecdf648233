"""Web pages: each module here defines a Blueprint ``bp`` and is registered by discovery."""
from __future__ import annotations

from flask import Flask, request

from .. import discover


def init_app(app: Flask) -> None:
    for module in discover(__name__):
        app.register_blueprint(module.bp)

    @app.context_processor
    def _navigation():
        def nav_items():
            from ..templating import NAVIGATION
            path = request.path
            return [{"href": href, "text": text,
                     "active": path == href if href == "/" else path.startswith(href)}
                    for text, href in NAVIGATION]
        return {"nav_items": nav_items}
