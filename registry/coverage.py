"""What the burden figures rest on (:func:`graph.burden.coverage`), once per registry revision.

The dashboard, a public's page, the planning check, the API and the CLI all state it, so a
low burden is never shown as "OK" without saying how few engagements it rests on.
"""
from __future__ import annotations

import datetime as _dt

from graph import burden

from .cache import per_revision
from .store import get_graph, get_settings


def coverage_for(as_of: _dt.date | None = None) -> burden.Coverage:
    """The registry's coverage as of a date (default today), computed once per revision and date
    over the registry as this request reads it (only its Engagements and RAN edges are read)."""
    day = as_of or _dt.date.today()
    return per_revision("burden_coverage", day,
                        lambda: burden.coverage(get_graph(), day, get_settings()))
