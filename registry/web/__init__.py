"""Web pages: the blueprints and record-page sections listed in ``registry/areas.py``."""
from __future__ import annotations

from flask import Flask, request


def init_app(app: Flask) -> None:
    from ..areas import RECORD_SECTIONS, WEB_BLUEPRINTS
    for blueprint in WEB_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.extensions["pathways.sections"] = sorted(RECORD_SECTIONS, key=lambda s: s.order)

    @app.context_processor
    def _navigation():
        def nav_items():
            from ..templating import NAVIGATION
            path = request.path
            return [{"href": href, "text": text,
                     "active": path == href if href == "/" else path.startswith(href)}
                    for text, href in NAVIGATION]
        return {"nav_items": nav_items}
