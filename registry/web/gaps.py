"""The coordinator's pages of gaps in the system (/gaps, /gaps/<rule>), and the report the API and CLI share.

/gaps shows each rule's count and its first few findings (setting ``gaps.preview``);
/gaps/<rule> every finding of one rule, a page at a time (setting ``gaps.page_size``). At
100,000 records there are over 100,000 findings: as one page that was about 60 MB of HTML.
"""
from __future__ import annotations

import datetime as _dt
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request

from graph import gaps, model, tables
from graph.errors import InvalidRecord, Problem
from graph.settings import section_of

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


def _requested_report() -> tuple[gaps.GapReport, str]:
    """The report as of the page's ``as_of`` (400 naming it when it is not a date), and that
    ``as_of`` as a query string for the pages' links to each other ("" when none was given)."""
    raw = (request.args.get("as_of") or "").strip()
    as_of = None
    if raw:
        as_of = model.parse_date(raw)
        if as_of is None:
            raise InvalidRecord([Problem("gaps", "as_of", "must be a date as YYYY-MM-DD")])
    return current_report(as_of), ("?" + urlencode({"as_of": raw}) if raw else "")


@bp.get("/gaps")
def gaps_page():
    """Every gap rule with its count and first findings, each linking to its record and saying what
    would close it, and a link to the rest of each rule's findings.

    ``?format=csv`` (one row per finding) or ``json`` (as ``/api/v1/gaps``) downloads every finding.
    """
    fmt = downloads.requested_format()
    report, query = _requested_report()
    if fmt:
        return downloads.download(fmt, "gaps", tables.gaps_table(report), report.as_stream(), report.as_of)
    return render_template("gaps/gaps.html", report=report, total=sum(len(items) for _r, items in report.results),
                           preview=int(section_of(get_settings(), "gaps")["preview"]), query=query,
                           downloads=downloads.download_links())


@bp.get("/gaps/<rule_key>")
def rule_page(rule_key: str):
    """One rule's findings, a page at a time (an out-of-range page shows the nearest one); 404 for
    a rule there is not. ``?format=csv`` or ``json`` downloads all of this rule's findings."""
    rule = next((r for r in gaps.RULES if r.key == rule_key), None)
    if rule is None:
        abort(404)
    fmt = downloads.requested_format()
    report, query = _requested_report()
    items = report.findings(rule.key)
    if fmt:
        return downloads.download(fmt, f"gaps {rule.title}", tables.gaps_table(report, only=rule.key),
                                  report.as_stream(only=rule.key), report.as_of)
    page = tables.page_of(items, request.args.get("page"), section_of(get_settings(), "gaps")["page_size"])
    return render_template("gaps/rule.html", rule=rule, items=page.rows, page=page,
                           as_of=report.as_of, query=query, kept=query.lstrip("?"),
                           downloads=downloads.download_links(leave_out=("page",)))
