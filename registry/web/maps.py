"""The map page (/map), its downloads, and vis-network served from the installed pyvis package.

pyvis builds the vis-network node and edge data; the page is our own template
(pyvis's template loads vis-network and Bootstrap from CDNs and shows titles as
HTML). Names reach the browser as JSON and are drawn on the canvas or set with
``textContent``; no node has a ``title``, so vis-network never makes a tooltip.
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
from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory

from graph import maps, model
from graph.errors import InvalidRecord

from ..store import get_settings, get_store
from ..templating import LABEL_WORDS

bp = Blueprint("maps", __name__)
VIS_VERSION = "vis-9.1.2"
VIS_FILES = ("vis-network.min.js", "vis-network.css")
EDGE_TABLE_MAX = 1500  # above this the relationships are offered as downloads instead of a table

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


def layouts():
    """The app's cache of positions, one per (revision, filters)."""
    return current_app.extensions.setdefault("pathways.map_layouts", maps.LayoutCache())


def view_for(store, settings: dict, filters: maps.MapFilters, as_of: _dt.date | None = None,
             cache: maps.LayoutCache | None = None) -> maps.MapView:
    """The map view of the store's whole-graph cache (rebuilt only after a write)."""
    graph = store.graph()
    layout = (cache or maps.LayoutCache(size=1)).layout_for(graph.graph.get("revision"), filters.key())
    return maps.build_view(graph, filters, settings, burden=burden_lookup(graph, as_of or _dt.date.today(), settings),
                           layout=layout)


def query_args(args) -> dict:
    """Query arguments with repeated keys joined by commas (``labels=A&labels=B`` is ``labels=A,B``)."""
    return {key: ",".join(v for v in args.getlist(key) if v) for key in args}


def current_view(args) -> maps.MapView:
    settings = get_settings()
    args = query_args(args)
    return view_for(get_store(), settings, maps.parse_filters(args, settings), cache=layouts())


def vis_data(view: maps.MapView) -> dict:
    """vis-network's nodes, edges and options for a view, built with pyvis, plus each record's card."""
    from pyvis.network import Network  # imported on first use: it is slow to import
    net = Network(directed=True, cdn_resources="local")
    cards = {}
    for n in view.nodes:
        style = STYLE.get(n.label, STYLE["Topic"])
        color, border, words = style["color"], 1, None
        if n.label == "Public":
            b = BURDEN_STYLE.get((n.burden or {}).get("status"), BURDEN_STYLE[None])
            color, border, words = b["color"], b["border"], b["words"]
        options = {"size": round(n.size / 2 + 6, 1), "color": {"background": color, "border": "#0b0c0c"},
                   "borderWidth": border}
        if style.get("dashes"):
            options["shapeProperties"] = {"borderDashes": [4, 3]}
        if n.x is not None:
            options.update(x=n.x, y=n.y, physics=False)
        name = n.name if len(n.name) <= 60 else n.name[:57] + "…"
        net.add_node(n.id, label=f"{name} ({words})" if words else name, shape=style["shape"], **options)
        cards[n.id] = {"name": n.name, "label": n.label, "kind": n.kind, "contact": n.contact, "burden": n.burden,
                       "importance": n.importance}
    # Edges are appended as pyvis's Edge would make them: its add_edge scans every node per edge.
    for e in view.edges:
        width = 1 + 4 * e.strength if e.strength is not None else 1
        net.edges.append({"from": e.source, "to": e.target, "arrows": "to", "width": round(width, 2)})
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "cards": cards, "physics": view.physics, "label_words": LABEL_WORDS,
            "burden_words": {k or "unknown": v["words"] for k, v in BURDEN_STYLE.items()}}


@bp.get("/map")
def map_page():
    """The whole system, or a slice of it, as an interactive map with a table of the same records."""
    settings = get_settings()
    args = query_args(request.args)
    error, view = None, None
    try:
        view = current_view(request.args)
    except InvalidRecord as exc:
        error = exc
    filters = view.filters if view else maps.MapFilters()
    names = {n.id: n.name for n in view.nodes} if view else {}
    query = urlencode(view.filters.as_query()) if view else ""
    choices = _choices()
    status = 400 if error else 200
    return render_template(
        "map/map.html", view=view, error=error, filters=filters, names=names, choices=choices,
        data=vis_data(view) if view else None, style=STYLE, burden_style=BURDEN_STYLE,
        labels=list(model.LABELS), edge_table_max=EDGE_TABLE_MAX, types=list(model.RELATIONSHIPS), query=query,
        max_depth=int((settings.get("map") or {}).get("max_depth", maps.MAX_DEPTH)),
        args=args, field_errors={p.field: p.message for p in error.problems} if error else {}), status


def _choices() -> dict:
    """Topics, publics and producers for the filter form's lists, by name."""
    graph = get_store().graph()
    out: dict = {"Topic": [], "Public": [], "Producer": []}
    for node_id, record in graph.nodes(data=True):
        if record.get("label") in out:
            out[record["label"]].append((node_id, record.get("name", node_id)))
    return {k: sorted(v, key=lambda item: item[1].lower()) for k, v in out.items()}


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
