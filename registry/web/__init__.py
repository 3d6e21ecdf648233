"""Web pages: the blueprints and record-page sections listed in ``registry/areas.py``."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from ..areas import RECORD_SECTIONS, WEB_BLUEPRINTS
    for blueprint in WEB_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.extensions["pathways.sections"] = sorted(RECORD_SECTIONS, key=lambda s: s.order)

