"""The JSON API under /api/v1, described at /api/v1/openapi.json.

The blueprints are listed in ``registry/areas.py`` (API_BLUEPRINTS). Every error, including webargs' validation errors,
goes through the one envelope in ``registry.errors`` (our handlers are
registered after smorest's, so they win).
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from flask_smorest import Blueprint as _Blueprint

from .answers import ErrorAnswers

API_PREFIX = "/api/v1"


class _Api(Api):
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists its own error answers (registry.api.answers)
# A bad query or body is a 400 naming the field, not webargs' default 422.
_Blueprint.ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS = 400


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Pathways API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Reads are open. Writes need `Authorization: Bearer <token>` with a role "
                                "(editor for records, admin for tokens, deletes and imports). Every error is "
                                "`{code, status, message, errors}`."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })
    api = _Api(app, spec_kwargs={"extra_plugins": [ErrorAnswers()]})
    app.extensions["pathways.api"] = api
    from ..areas import API_BLUEPRINTS
    for blueprint, prefix in API_BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + prefix)
