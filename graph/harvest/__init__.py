"""Harvesting the real statistical system from its sources into the registry.

The sources, each a module with ``from_recorded(path, organisations, progress)`` and
``from_live(reader, organisations, progress)`` returning a :class:`~.base.Harvest`:

- ``govuk``: the GOV.UK Search API (official and accredited official statistics) and
  the Content API of each statistics collection (its organisations and "Contact us").
- ``ons``: the ONS topic taxonomy and the bulletin series under each topic.
- ``nisra``: Northern Ireland's statistics release calendar.

:mod:`.run` merges a harvest into a store without overwriting editors' changes.
"""
from __future__ import annotations

from importlib import import_module

SOURCES = ("govuk", "ons", "nisra")


def source(name: str):
    """The module of one source, by name.

    >>> source("govuk").__name__
    'graph.harvest.govuk'
    """
    if name not in SOURCES:
        raise ValueError(f"unknown harvest source {name!r}; choose one of: {', '.join(SOURCES)}")
    return import_module(f"{__name__}.{name}")
