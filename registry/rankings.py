"""A public's ranked intermediaries, shared by its page, its record page and the API.

:func:`graph.discovery.discover` weighs every route to the public, so it is kept on the read
model's snapshot (:func:`registry.cache.per_revision`) per filters, day and route reports, instead
of ranked again on every request; a write or a new report starts afresh.
"""
from __future__ import annotations

from graph import discovery as D

from . import cache
from .route_reports import recent_reports, reports_key
from .store import get_graph, get_settings

KEEP = 256  # rankings kept per revision (publics times the filters people use)


def ranking(public_id: str, producer: str | None = None, topic: str | None = None,
            nation: str | None = None) -> D.Discovery:
    """:func:`graph.discovery.discover` for a public and filters, once per revision and reports."""
    key = reports_key()
    return cache.per_revision(
        "ranking", (public_id, producer, topic, nation, key),
        lambda: D.discover(get_graph(), public_id, get_settings(), producer=producer, topic=topic, nation=nation,
                           load_status=cache.load_status(), reports=recent_reports(key)), keep=KEEP)
