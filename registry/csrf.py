"""CSRF protection for every form: a per-session token in a hidden field.

Every unsafe request (POST, PUT, PATCH, DELETE) to a page — anything outside
/api/, which uses Bearer tokens instead of cookies — must carry the session's
token as ``csrf_token`` (form field) or ``X-CSRF-Token`` (header), or it is
refused with 400 before the view runs.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def csrf_token() -> str:
    """The session's token, created on first use; templates put it in a hidden field."""
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def _check():
        if request.method not in UNSAFE or request.path.startswith("/api/"):
            return None
        if app.config.get("CSRF_DISABLED"):
            return None
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        expected = session.get("csrf_token") or ""
        if not expected or not hmac.compare_digest(sent, expected):
            abort(400, "This form has expired or did not come from Pathways. Go back, reload the page and try again.")
        return None
