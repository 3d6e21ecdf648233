"""The site's own address, for the absolute links the app writes (feeds today; HSDS and emails next)."""
from __future__ import annotations

from flask import current_app, request


def public_base_url() -> str:
    """PUBLIC_BASE_URL when it is set; otherwise the address the request came to.

    The request's host is never arbitrary: Flask has already checked it against
    TRUSTED_HOSTS and answered 400 to any other (see registry/config.py).
    """
    return current_app.config.get("PUBLIC_BASE_URL") or request.url_root.rstrip("/")
