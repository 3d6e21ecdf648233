"""The JSON API under /api/v1 (placeholder until the API issue lands its modules)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    return None
