"""The burden dashboard, the "Check before you consult" form, and a burden section on record pages."""
from __future__ import annotations

import datetime as _dt
import math

from flask import Blueprint, render_template, request

from graph import burden, burden_check, model, tables
from graph.errors import InvalidRecord, Problem

from .. import downloads
from ..api.burden import index_body
from ..cache import burden_index as cached_burden_index
from ..cache import feedback_debt as cached_feedback_debt
from ..coverage import coverage_for
from ..forms import date_parts, form_date
from ..store import get_graph, get_settings, snapshot

bp = Blueprint("burden", __name__)

CHART_W, CHART_H, PAD_L, PAD_B, PAD_T, PAD_R = 560, 200, 44, 28, 12, 12
SMALL_W, SMALL_H = 300, 120
METHODS = model.LABELS["Engagement"]["method"].choices
# Which form control each field's error links to.
FIELD_ANCHORS = {"method": "method", "start": "start-day", "end": "end-day", "publics": "publics",
                 "intermediaries": "intermediaries", "on": "on", "producer": "producer",
                 "remunerated": "remunerated", "participants": "participants", "name": "name"}


def chart(points: list[burden.Point], settings: dict, width: int = CHART_W, height: int = CHART_H) -> dict:
    """Geometry for a line chart of burden ratio by month, with the high and over lines.

    >>> from graph.settings import DEFAULTS
    >>> pts = [burden.Point(_dt.date(2024, 1, 31), 0.0, 0.0, "ok"), burden.Point(_dt.date(2024, 2, 29), 12.0, 1.2, "over")]
    >>> c = chart(pts, DEFAULTS, 100, 60)
    >>> c["top"], c["points"][1]["y"] < c["points"][0]["y"], [t["label"] for t in c["thresholds"]]
    (1.5, True, ['high', 'over'])
    """
    conf = burden.conf(settings)
    ratios = [p.ratio if p.ratio != float("inf") else 0.0 for p in points]
    top = max([1.5, *(math.ceil(r * 1.1 * 4) / 4 for r in ratios)])
    inner_w, inner_h = width - PAD_L - PAD_R, height - PAD_T - PAD_B
    step = inner_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(PAD_T + inner_h * (1 - min(value, top) / top), 1)

    coords = [{"x": round(PAD_L + i * step, 1), "y": y(r), "point": p} for i, (p, r) in enumerate(zip(points, ratios))]
    ticks = [{"y": y(v), "label": f"{v:g}"} for v in (0, top / 2, top)]
    months = [c for i, c in enumerate(coords) if i % 6 == 0 or i == len(coords) - 1]
    return {"width": width, "height": height, "top": top, "points": coords,
            "path": " ".join(f"{'M' if i == 0 else 'L'}{c['x']},{c['y']}" for i, c in enumerate(coords)),
            "thresholds": [{"label": "high", "y": y(conf["high_from"]), "value": conf["high_from"]},
                           {"label": "over", "y": y(conf["over_from"]), "value": conf["over_from"]}],
            "ticks": ticks, "months": months, "left": PAD_L, "right": width - PAD_R,
            "bottom": height - PAD_B}


def _as_of() -> tuple[_dt.date, str | None]:
    """The date asked for: the day, month and year boxes, or ``as_of=YYYY-MM-DD`` in a link."""
    raw = form_date(request.args, "as_of") or (request.args.get("as_of") or "").strip()
    if not raw:
        return _dt.date.today(), None
    parsed = model.parse_date(raw)
    if parsed is None:
        return _dt.date.today(), "The date must be a real date, for example 31 3 2025"
    return parsed, None


@bp.get("/burden")
def dashboard():
    """Publics and intermediaries by ratio, a chart of each public's last 24 months, and feedback debt.

    ``?format=csv`` or ``json`` downloads the index (JSON as ``/api/v1/burden``), as of the date asked for.
    """
    fmt = downloads.requested_format()
    as_of, error = _as_of()
    if fmt and error:
        raise InvalidRecord([Problem("query", "as_of", error)])
    graph, settings = get_graph(), get_settings()
    index = cached_burden_index(as_of)
    if fmt:
        return downloads.download(fmt, "burden of consultation", tables.burden_table(index), index_body(as_of), as_of)
    charts = []
    for score in index.publics:
        if not burden.engagements_of(graph, score.id):
            continue
        points = burden.history(graph, score.id, as_of, settings)
        if any(p.units for p in points):
            charts.append({"score": score, "chart": chart(points, settings, SMALL_W, SMALL_H)})
    debts = cached_feedback_debt(as_of)
    names = {d.engagement: [graph.nodes[p].get("name", p) for p in d.publics] for d in debts}
    return render_template("burden/dashboard.html", index=index, charts=charts, debts=debts, debt_publics=names,
                           as_of=as_of, as_of_error=error, conf=burden.conf(settings), coverage=coverage_for(as_of),
                           as_of_values=date_parts(request.args.to_dict(), ["as_of"]),
                           downloads=downloads.download_links(),
                           today=_dt.date.today()), 400 if error else 200


def _choices(*labels: str) -> list[tuple[str, str, str]]:
    here = snapshot()
    return sorted(((r["id"], r.get("name", r["id"]), r["label"]) for label in labels for r in here.records(label)),
                  key=lambda t: (t[1].lower(), t[0]))


def draft_from_form(form) -> dict:
    """The draft engagement a filled-in check form describes (validated by :func:`burden_check.check`)."""
    remunerated = form.get("remunerated")
    return {"name": (form.get("name") or "").strip() or None, "method": form.get("method") or None,
            "start": form_date(form, "start"), "end": form_date(form, "end"),
            "publics": form.getlist("publics"), "intermediaries": form.getlist("intermediaries"),
            "on": [v for v in form.getlist("on") if v], "producer": form.get("producer") or None,
            "remunerated": remunerated == "yes" if remunerated in ("yes", "no") else False}


@bp.route("/burden/check", methods=["GET", "POST"])
def check():
    """Check before you consult: a draft engagement's effect on each public, with warnings and suggestions."""
    graph, settings = get_graph(), get_settings()
    form = request.form if request.method == "POST" else request.args
    result, problems = None, []
    if request.method == "POST":
        try:
            result = burden_check.check(graph, draft_from_form(form), settings)
        except InvalidRecord as exc:
            problems = exc.problems
    preselect = request.args.getlist("public") if request.method == "GET" else []
    choices = {"publics": _choices("Public"), "intermediaries": _choices("Intermediary", "UserGroup"),
               "on": _choices("Statistic", "Topic"), "producers": _choices("Producer")}
    errors = {}
    for p in problems:
        errors.setdefault(p.field, p.message)
    return render_template("burden/check.html", form=form, choices=choices, result=result, problems=problems,
                           errors=errors, anchors=FIELD_ANCHORS, methods=METHODS, preselect=preselect,
                           selected_publics=set(form.getlist("publics")) | set(preselect),
                           selected_intermediaries=set(form.getlist("intermediaries")),
                           error_title=bool(problems), conf=burden.conf(settings)), 400 if problems else 200


def record_burden(node: dict) -> dict | None:
    """A public's (or intermediary's) gauge, its last 24 months, and the engagements that make its number."""
    graph, settings = get_graph(), get_settings()
    if node["id"] not in graph:
        return None
    if node["label"] == "UserGroup" and not burden.engagements_of(graph, node["id"]):
        return None
    today = _dt.date.today()
    score = burden.score_node(graph, node["id"], today, settings)
    points = burden.history(graph, node["id"], today, settings)
    return {"score": score, "points": points, "chart": chart(points, settings), "as_of": today,
            "conf": burden.conf(settings), "rest_until": node.get("rest_until"), "coverage": coverage_for(today)}
