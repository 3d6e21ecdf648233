"""The map page (/map), its downloads, and vis-network served from the installed pyvis package.

pyvis builds the vis-network options (physics, edges, interaction); the page is our
own template (pyvis's template loads vis-network and Bootstrap from CDNs and shows
titles as HTML). The records and relationships reach the browser as compact JSON
arrays (a 2,000-record view is a few hundred kilobytes, not megabytes) and
``static/map.js`` turns them into vis-network's nodes and edges. Names are drawn on
the canvas or set with ``textContent``; no node has a ``title``, so vis-network
never makes a tooltip. A view and its data are built once per (registry revision,
filters, day, settings) and kept in a small cache, so opening the same map again
costs only the page.
"""
from __future__ import annotations

import datetime as _dt
import importlib.util
import io
import json
import math
from pathlib import Path
from urllib.parse import urlencode

import networkx as nx
from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from graph import layouts, maps, model, tables
from graph.errors import InvalidRecord
from graph.resolve import Ambiguous, NotNamed, resolve_each

from ..store import get_settings, snapshot
from ..templating import LABEL_WORDS

bp = Blueprint("maps", __name__)
VIS_VERSION = "vis-9.1.2"
VIS_FILES = ("vis-network.min.js", "vis-network.css")
EDGE_TABLE_MAX = 1500  # above this the relationships are offered as downloads instead of a table
# The columns of each node in the page's data (static/map.js reads them by position).
NODE_COLUMNS = ("id", "name", "label", "group", "size", "x", "y", "kind", "importance", "burden", "contact", "lines",
                "cluster")
# The columns of each cluster in the page's data.
CLUSTER_COLUMNS = ("id", "name", "count", "x", "y", "radius", "lines")
# Gap rules the map can highlight, and the records each finding marks.
MAP_GAP_RULES = ("publics_without_route", "single_route_publics", "referral_loops", "referral_dead_ends",
                 "over_consulted")

# Colour and shape for each label (the legend repeats these in words).
STYLE = {
    "Producer": {"color": "#1d70b8", "shape": "square", "shape_words": "square"},
    "Statistic": {"color": "#4c2c92", "shape": "diamond", "shape_words": "diamond"},
    "Topic": {"color": "#505a5f", "shape": "hexagon", "shape_words": "hexagon"},
    "Public": {"color": "#b1b4b6", "shape": "dot", "shape_words": "circle"},
    "Intermediary": {"color": "#28a197", "shape": "triangle", "shape_words": "triangle"},
    "UserGroup": {"color": "#d53880", "shape": "triangleDown", "shape_words": "upside-down triangle"},
    "Engagement": {"color": "#b58840", "shape": "star", "shape_words": "star"},
    "Need": {"color": "#f499be", "shape": "dot", "shape_words": "circle with a dashed edge", "dashes": True},
}
# A public's colour and the words added to its name by burden status.
BURDEN_STYLE = {
    "ok": {"color": "#00703c", "words": "burden ok", "border": 1},
    "high": {"color": "#f47738", "words": "burden high", "border": 3},
    "over": {"color": "#d4351c", "words": "over capacity", "border": 5},
    None: {"color": "#b1b4b6", "words": "burden not known", "border": 1},
}


def vis_folder() -> Path:
    """The vis-network files inside the installed pyvis package (found without importing pyvis)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed: run `make setup`")
    return Path(list(spec.submodule_search_locations)[0]) / "lib" / VIS_VERSION


@bp.get("/map/vendor/<name>")
def vis_asset(name: str):
    """vis-network's script and stylesheet, from the pyvis wheel (nothing from a CDN)."""
    if name not in VIS_FILES:
        abort(404)
    return send_from_directory(vis_folder(), name, max_age=86400)


def burden_lookup(graph, as_of: _dt.date, settings: dict):
    """``(node_id, label) -> {"status", "ratio", "units", "capacity"}`` from graph.burden's local score."""
    from graph import burden

    def look(node_id: str, _label: str) -> dict | None:
        score = burden.score_node(graph, node_id, as_of, settings)
        ratio = score.ratio if isinstance(score.ratio, (int, float)) and math.isfinite(score.ratio) else None
        return {"status": score.status, "ratio": None if ratio is None else round(ratio, 3),
                "units": round(score.units, 2), "capacity": score.capacity}
    return look


def view_for(graph, settings: dict, filters: maps.MapFilters, as_of: _dt.date | None = None,
             layout=None) -> maps.MapView:
    """The map view of a registry graph."""
    return maps.build_view(graph, filters, settings, burden=burden_lookup(graph, as_of or _dt.date.today(), settings),
                           layout=layout)


def registry_communities(here) -> list[list]:
    """The registry's communities (Louvain, :func:`graph.layouts.communities`), found once per
    revision on the snapshot; every whole-system view narrows them to its records."""
    return here.value("map_communities", lambda snap: layouts.communities(snap.graph))


def cached_view(filters: maps.MapFilters) -> dict:
    """``{"view": MapView, "data": page data or None}`` for the current registry, built once per
    (revision, filters, day, settings); its positions once per (revision, filters). Callers must
    not change what it holds."""
    here, settings = snapshot(), get_settings()
    today = _dt.date.today()
    key = (filters.key(), today.isoformat(), json.dumps(settings, sort_keys=True, default=str))

    def layout(view_graph):
        kind = filters.layout_kind
        groups = registry_communities(here) if kind == "clusters" else None
        return here.value("map_layout", lambda _s: maps.default_layout(view_graph, kind, groups),
                          key=filters.key(), keep=16)
    return here.value("map_view", lambda _s: {"view": view_for(here.graph, settings, filters, today, layout),
                                              "data": None}, key=key, keep=16)


def query_args(args) -> dict:
    """Query arguments with repeated keys joined by commas (``labels=A&labels=B`` is ``labels=A,B``)."""
    return {key: ",".join(v for v in args.getlist(key) if v) for key in args}


def named_filters(args: dict) -> maps.MapFilters:
    """The map filters from query arguments, a record typed by its name (with choices when several fit)
    as well as by its id."""
    settings = get_settings()
    seeds = {k: args.get(k) for k, _ in maps.SEED_FILTERS}
    return maps.parse_filters({**args, **resolve_each(snapshot(), seeds, dict(maps.SEED_FILTERS), settings)},
                              settings)


def current_view(args) -> maps.MapView:
    return cached_view(named_filters(query_args(args)))["view"]


def groups() -> dict:
    """vis-network groups: one per kind of record, and one per burden status for publics.

    >>> groups()["Public-over"]["color"]["background"], groups()["Need"]["shapeProperties"]
    ('#d4351c', {'borderDashes': [4, 3]})
    """
    out = {}
    for label, style in STYLE.items():
        group = {"shape": style["shape"], "color": {"background": style["color"], "border": "#0b0c0c"},
                 "borderWidth": 1}
        if style.get("dashes"):
            group["shapeProperties"] = {"borderDashes": [4, 3]}
        out[label] = group
    for status, b in BURDEN_STYLE.items():
        out[f"Public-{status or 'unknown'}"] = {**out["Public"], "borderWidth": b["border"],
                                                 "color": {"background": b["color"], "border": "#0b0c0c"}}
    return out


def vis_options() -> dict:
    """vis-network options from pyvis: no physics (every view has its positions from ``graph.layouts``),
    records cannot be dragged, no hover and no tooltips. ``static/map.js`` draws the relationships
    and the labels itself, under and over the records: vis-network makes a heavy object for every
    edge (a second for 10,000 of them), and drawing labels itself lets the map show the best-connected
    labels first and never draw one over another."""
    from pyvis.network import Network  # imported on first use: it is slow to import
    net = Network(directed=True, cdn_resources="local", layout=False)
    net.toggle_physics(False)
    net.toggle_drag_nodes(False)
    net.toggle_stabilization(False)
    net.set_edge_smooth("straightCross")
    options = json.loads(net.options.to_json())
    options.pop("configure", None)
    options["edges"]["smooth"]["enabled"] = False
    options["interaction"].update(hover=False, tooltipDelay=100000, zoomSpeed=0.6,
                                  keyboard={"enabled": True, "bindToWindow": False})
    options["layout"] = {"improvedLayout": False, "randomSeed": 7}
    options["physics"] = {"enabled": False}
    options["nodes"] = {"font": {"size": 13, "face": "arial", "color": "#0b0c0c"}}
    options["groups"] = groups()
    return options


def vis_data(view: maps.MapView) -> dict:
    """The page's data for a view: vis-network options and groups, and the records and relationships
    as compact arrays (nodes by :data:`NODE_COLUMNS`; edges ``[from index, to index, width, bundle]``,
    width left out when it is 1 and the line is in no bundle, bundle (an index into ``bundles``, the
    middles bundled lines pass through) only for a line in one; a label's ``lines`` null when it is the name on one line, to keep the
    page small). Every record's card is in its row; nothing here is HTML."""
    index = {}
    nodes = []
    for i, n in enumerate(view.nodes):
        index[n.id] = i
        group = n.label if n.label in STYLE else "Topic"
        if n.label == "Public":
            status = (n.burden or {}).get("status")
            group = f"Public-{status if status in BURDEN_STYLE and status else 'unknown'}"
        burden = {"status": n.burden.get("status"), "ratio": n.burden.get("ratio")} if n.burden else None
        nodes.append([n.id, n.name, n.label, group, maps.drawn_radius(n.size), n.x, n.y, n.kind, n.importance,
                      burden, n.contact, None if n.lines == [n.name] else n.lines, n.cluster])
    edges = []
    for e in view.edges:
        width = round(1 + 4 * e.strength, 2) if e.strength is not None else 1
        row = [index[e.source], index[e.target]]
        if e.bundle is not None:
            row += [width, e.bundle]
        elif width != 1:
            row.append(width)
        edges.append(row)
    clusters = [[c[k] for k in CLUSTER_COLUMNS] for c in view.clusters]
    return {"columns": list(NODE_COLUMNS), "nodes": nodes, "edges": edges, "physics": view.physics,
            "layout": view.layout, "cluster_columns": list(CLUSTER_COLUMNS), "clusters": clusters,
            "collapsed": view.collapsed, "bundles": view.bundles, "options": vis_options(), "label_words": LABEL_WORDS,
            "focus": next((getattr(view.filters, k) for k in ("focus", "public", "producer", "topic")
                           if getattr(view.filters, k)), None),
            "line_height": layouts.LINE_HEIGHT, "label_gap": layouts.LABEL_GAP,
            "burden_words": {k or "unknown": v["words"] for k, v in BURDEN_STYLE.items()}}


def gap_marks(view: maps.MapView) -> dict:
    """``{record id: [what is wrong, …]}`` for the records on the map that a gap rule finds:
    publics with no route, single points of failure, loops, dead ends, over-consulted publics."""
    from .gaps import current_report
    on_map = {n.id for n in view.nodes}
    marks: dict = {}
    for rule, items in current_report().results:
        if rule.key not in MAP_GAP_RULES:
            continue
        for item in items:
            for node_id in item.get("cycle") or [item.id]:
                if node_id in on_map and rule.title not in marks.get(node_id, []):
                    marks.setdefault(node_id, []).append(rule.title)
    return marks


def table_page(view: maps.MapView, page: str | None, settings: dict) -> tables.Page:
    """One page of the table of records beside the map, best connected first (a bad or
    out-of-range page number shows the nearest page: :func:`graph.tables.page_of`)."""
    ordered = sorted(view.nodes, key=lambda n: (-n.importance, n.name.lower(), n.id))
    return tables.page_of(ordered, page, settings["map"]["table_page_size"])


@bp.get("/map")
def map_page():
    """The whole system, or a slice of it, as an interactive map with a table of the same records."""
    settings = get_settings()
    args = query_args(request.args)
    error, view, data = None, None, None
    try:
        cached = cached_view(named_filters(args))
        view = cached["view"]
        if cached["data"] is None:
            cached["data"] = vis_data(view)
        data = cached["data"]
        if request.args.get("gaps"):
            data = {**data, "gaps": gap_marks(view)}
    except (InvalidRecord, NotNamed) as exc:
        error = exc
    filters = view.filters if view else maps.MapFilters()
    names = {n.id: n.name for n in view.nodes} if view else {}
    query = urlencode(view.filters.as_query()) if view else ""
    choices = _choices()
    status = 404 if isinstance(error, NotNamed) else 400 if error else 200
    return render_template(
        "map/map.html", view=view, error=error, filters=filters, names=names, choices=choices,
        data=data, table=table_page(view, request.args.get("page"), settings) if view else None,
        style=STYLE, burden_style=BURDEN_STYLE, layers=maps.LAYERS, pathway_columns=[c for c in layouts.PATHWAY_COLUMNS if c not in ("Engagement", "Need", "Topic")],
        nations=list(model.NATIONS), burden_choices=[(k or "unknown", v["words"]) for k, v in BURDEN_STYLE.items()],
        labels=list(model.LABELS), edge_table_max=EDGE_TABLE_MAX, types=list(model.RELATIONSHIPS), query=query,
        max_depth=int(settings["map"]["max_depth"]),
        args=args, field_errors={p.field: p.message for p in error.problems} if error else {},
        could_be=_could_be(error, args)), status


def _could_be(error, args: dict) -> list[dict]:
    """When a name fits several records: a link to the map around each, with the other filters kept."""
    if not isinstance(error, Ambiguous):
        return []
    field = next((p.field for p in error.problems), "focus")
    field = field if field in dict(maps.SEED_FILTERS) else "focus"
    kept = {k: v for k, v in args.items() if k in ("depth", "labels", "types", "nation", "burden", "gaps") and v}
    return [{"name": hit.name, "label": LABEL_WORDS.get(hit.label, hit.label) if getattr(hit, "label", None) else "",
             "href": "/map?" + urlencode({**kept, field: hit.id})} for hit in error.choices]


def _choices() -> dict:
    """Topics, publics and producers for the filter form's lists, by name."""
    here = snapshot()
    return {label: [(r["id"], r.get("name", r["id"])) for r in here.records(label)]
            for label in ("Topic", "Public", "Producer")}


def graphml_of(view: maps.MapView) -> bytes:
    """The view as GraphML: every node with its label, name, kind and burden status; edges with type."""
    graph = nx.MultiDiGraph()
    for n in view.nodes:
        attrs = {"label": n.label, "name": n.name, "kind": n.kind or "", "importance": n.importance}
        if n.burden:
            attrs["burden_status"] = n.burden.get("status") or ""
        graph.add_node(n.id, **attrs)
    for e in view.edges:
        attrs = {"type": e.type}
        if e.strength is not None:
            attrs["strength"] = float(e.strength)
        graph.add_edge(e.source, e.target, key=e.type, **attrs)
    out = io.BytesIO()
    nx.write_graphml(graph, out)
    return out.getvalue()


@bp.get("/map/download.<fmt>")
def download(fmt: str):
    """The records and relationships on the map, as GraphML or JSON."""
    if fmt not in ("graphml", "json"):
        abort(404)
    view = current_view(request.args)
    if fmt == "json":
        body = json.dumps(view.as_dict(), ensure_ascii=False, indent=1).encode("utf-8")
        mimetype = "application/json"
    else:
        body, mimetype = graphml_of(view), "application/graphml+xml"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="pathways-map.{fmt}"'})
