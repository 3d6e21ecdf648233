"""The coordinator's page of gaps in the system (/gaps), and the report the API and CLI share."""
from __future__ import annotations

import datetime as _dt

from flask import Blueprint, render_template, request

from graph import gaps, model, tables
from graph.errors import InvalidRecord, Problem

from .. import downloads
from ..cache import burden_index as cached_burden_index
from ..cache import per_revision
from ..store import get_graph, get_settings, get_store

bp = Blueprint("gaps", __name__)


def current_report(as_of: _dt.date | None = None) -> gaps.GapReport:
    """Every gap rule over the current registry as of a date (default today), once per revision and date."""
    day = as_of or _dt.date.today()
    from ..route_reports import wrong_detail_gaps
    return per_revision("gap_report", (day, get_store().reports_stamp()), lambda: gaps.find_gaps(get_graph(), gaps.GapContext(
        as_of=day, settings=get_settings(), burden_index=lambda _graph, when, _settings: cached_burden_index(when),
        wrong_details=wrong_detail_gaps)))


@bp.get("/gaps")
def gaps_page():
    """Every gap rule with its count, each item linking to its record and saying what would close it.

    ``?format=csv`` (one row per finding) or ``json`` (as ``/api/v1/gaps``) downloads the findings.
    """
    fmt = downloads.requested_format()
    raw = (request.args.get("as_of") or "").strip()
    as_of = None
    if raw:
        as_of = model.parse_date(raw)
        if as_of is None:
            raise InvalidRecord([Problem("gaps", "as_of", "must be a date as YYYY-MM-DD")])
    report = current_report(as_of)
    if fmt:
        return downloads.download(fmt, "gaps", tables.gaps_table(report), report.as_stream(), report.as_of)
    return render_template("gaps/gaps.html", report=report, total=sum(len(items) for _r, items in report.results),
                           downloads=downloads.download_links())
