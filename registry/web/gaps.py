"""The coordinator's page of gaps in the system (/gaps), and the report the API and CLI share."""
from __future__ import annotations

import datetime as _dt
import threading

from flask import Blueprint, current_app, render_template, request

from graph import gaps
from graph.burden import burden_index
from graph.errors import InvalidRecord, Problem

from ..cache import burden_index as cached_burden_index
from ..store import get_settings, get_store

bp = Blueprint("gaps", __name__)
_lock = threading.Lock()


def report_for(store, settings: dict, as_of: _dt.date | None = None, cache: dict | None = None,
               index_of=burden_index) -> gaps.GapReport:
    """Every gap rule over the store's whole-graph cache, remembered per (revision, date)."""
    graph = store.graph()
    as_of = as_of or _dt.date.today()
    key = (graph.graph.get("revision"), as_of)
    if cache is not None and cache.get("key") == key:
        return cache["report"]
    report = gaps.find_gaps(graph, gaps.GapContext(as_of=as_of, settings=settings, burden_index=index_of))
    if cache is not None:
        with _lock:
            cache.update(key=key, report=report)
    return report


def current_report(as_of: _dt.date | None = None) -> gaps.GapReport:
    cache = current_app.extensions.setdefault("pathways.gap_report", {})
    return report_for(get_store(), get_settings(), as_of, cache,
                      index_of=lambda _graph, when, _settings: cached_burden_index(when))


@bp.get("/gaps")
def gaps_page():
    """Every gap rule with its count, each item linking to its record and saying what would close it."""
    raw = (request.args.get("as_of") or "").strip()
    as_of = None
    if raw:
        try:
            as_of = _dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidRecord([Problem("gaps", "as_of", "must be a date as YYYY-MM-DD")]) from None
    report = current_report(as_of)
    return render_template("gaps/gaps.html", report=report, total=sum(len(items) for _r, items in report.results))
