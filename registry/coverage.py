"""What the burden figures rest on (:func:`graph.burden.coverage`), once per registry revision.

The dashboard, a public's page, the planning check, the API and the CLI all state it, so a
low burden is never shown as "OK" without saying how few engagements it rests on.
"""
from __future__ import annotations

import datetime as _dt

from graph import burden

from .cache import per_revision
from .store import get_graph, get_settings, snapshot


def coverage_for(as_of: _dt.date | None = None) -> burden.Coverage:
    """The registry's coverage as of a date (default today), computed once per revision and date
    over the registry as this request reads it (only its Engagements and RAN edges are read).
    Today's is kept through changes that touch neither (a record page shows it, and most writes
    are of other records)."""
    today = _dt.date.today()
    day = as_of or today
    settings = get_settings()
    if day != today:
        return per_revision("burden_coverage", day, lambda: burden.coverage(get_graph(), day, settings))

    def build(snap):
        return today, burden.coverage(snap.graph, today, settings)

    def update(old, snap, delta):
        nodes = snap.graph._node
        if old[0] != today or any(t == "RAN" for t, _u, _v in delta.edges) or any(
                n not in nodes or nodes[n].get("label") == "Engagement" for n in delta.nodes):
            return build(snap)
        return old
    built_on, found = snapshot().value("burden_coverage.today", build, update=update)
    return found if built_on == today else per_revision(
        "burden_coverage", day, lambda: burden.coverage(get_graph(), day, settings))  # no write since midnight
