"""Home, search and a page per record."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from graph import model, tables
from graph.records import record_view
from graph.search import search as search_records

from .. import downloads
from ..api.search import SearchResultSchema, query_text
from ..cache import public_options
from ..store import get_settings, snapshot
from .sections import sections_for

bp = Blueprint("records", __name__)
MAX_QUERY = 200


@bp.get("/")
def home():
    """The front door: who do I contact about a statistic?"""
    here = snapshot()
    return render_template("home.html", counts=here.counts(), public_options=public_options,
                           nation_names=model.NATION_NAMES, q="", error=None, nation=None, public=None)


@bp.get("/search")
def search():
    """Records whose names, tags or descriptions match the words typed.

    ``?format=csv`` or ``json`` (as ``/api/v1/search``) downloads the results; it needs ``q``.
    """
    fmt = downloads.requested_format()
    if fmt:
        text = query_text(request.args.get("q"))
        hits = search_records(snapshot(), text, label=request.args.get("label") or None, limit=50,
                              settings=get_settings())
        return downloads.download(fmt, "search results", tables.search_table(hits),
                                  SearchResultSchema().dump({"query": text, "results": [h.as_dict() for h in hits]}))
    if "q" not in request.args:  # arriving at the page: an empty form, not an error
        return render_template("search.html", q="", results=[], error=None)
    q = request.args["q"].strip()
    error = None
    results = []
    if not q:
        error = "Enter the name of a statistic, topic or organisation"
    elif len(q) > MAX_QUERY:
        error = f"Search must be {MAX_QUERY} characters or fewer"
    else:
        results = search_records(snapshot(), q, label=request.args.get("label") or None, limit=50,
                                 settings=get_settings())
    return render_template("search.html", q=q, results=results, error=error,
                           downloads=downloads.download_links()), 400 if error else 200


@bp.get("/records/<node_id>")
def record(node_id: str):
    """One record, its contact and source, and its neighbours grouped by relationship."""
    view = record_view(snapshot().graph, node_id, stale_after_days=get_settings()["stale_after_days"])
    return render_template("record.html", view=view, node=view.node, sections=sections_for(view.node))
