"""The public waiting list of user needs, a need's history on its record page, and editors' forms."""
from __future__ import annotations

import datetime as _dt

from flask import Blueprint, flash, redirect, render_template, request

from graph import model, needs, tables
from graph.errors import InvalidRecord, NodeNotFound, Problem, VersionConflict
from graph.stores import Change

from .. import downloads
from ..api.needs import NeedWaitingListSchema
from ..auth import current_identity, require_role
from ..cache import joined_needs
from ..forms import box_value, form_status, sign_in_first
from ..store import get_graph, get_settings, get_store

bp = Blueprint("needs", __name__)
FILTERS = ("status", "producer", "topic", "statistic")
# Which form control each field's error links to.
ANCHORS = {"statement": "as_a", "as_a": "as_a", "i_need": "i_need", "so_that": "so_that", "name": "name",
           "priority": "priority", "owned_by": "owned_by", "raised_by": "raised_by", "concerns": "concerns",
           "status": "status", "decision_reason": "reason", "reason": "reason", "response": "response",
           "id": "name"}


def _options(graph, labels: tuple[str, ...], used: set[str] | None = None) -> list[dict]:
    """Select options for records of ``labels`` (only those in ``used`` when given), by name."""
    rows = [(rec.get("name", n), n, rec.get("label")) for n, rec in graph.nodes(data=True)
            if rec.get("label") in labels and (used is None or n in used)]
    return [{"value": n, "text": name + (f" ({rec_label.lower()})" if len(labels) > 1 else "")}
            for name, n, rec_label in sorted(rows, key=lambda r: r[0].lower())]


def _linked(graph, type_: str) -> set[str]:
    return {v for _, v, k in graph.edges(keys=True) if k == type_}


@bp.get("/needs")
def waiting_list():
    """The prioritised waiting list, filtered by status, producer, topic or statistic.

    ``?format=csv`` or ``json`` (as ``/api/v1/needs``) downloads the list with the same filters.
    """
    fmt = downloads.requested_format()
    graph, settings = get_graph(), get_settings()
    args = {k: (request.args.get(k) or "").strip() or None for k in FILTERS}
    errors = {}
    if args["status"] and args["status"] not in needs.STATUSES:
        errors["status"] = "Select a status from the list"
    for key, label in (("producer", "Producer"), ("topic", "Topic"), ("statistic", "Statistic")):
        if args[key] and (args[key] not in graph or graph.nodes[args[key]].get("label") != label):
            errors[key] = f"Select a {label.lower()} from the list"
    if fmt and errors:
        raise InvalidRecord([Problem("query", k, m) for k, m in errors.items()])
    wanted = {k: v for k, v in args.items() if v and k not in errors}
    result = needs.waiting_list(graph, settings, **wanted, joined=joined_needs())
    if fmt:
        return downloads.download(fmt, "waiting list of user needs", tables.needs_table(result, needs.STATUS_WORDS),
                                  NeedWaitingListSchema().dump(result.as_dict()))
    producers = {p for p in _linked(graph, "OWNED_BY")}
    for p in list(producers):  # a department's list includes its teams' needs
        producers |= {v for _, v, k in graph.out_edges(p, keys=True) if k == "PART_OF"}
    options = {
        "status": [{"value": "", "text": "Open needs (not yet delivered or decided)"}]
        + [{"value": s, "text": needs.STATUS_WORDS[s]} for s in needs.STATUSES],
        "producer": [{"value": "", "text": "Any producer"}] + _options(graph, ("Producer",), producers),
        "topic": [{"value": "", "text": "Any topic"}] + _options(graph, ("Topic",)),
        "statistic": [{"value": "", "text": "Any statistic"}] + _options(graph, ("Statistic",),
                                                                        _linked(graph, "CONCERNS")),
    }
    for key, opts in options.items():
        for opt in opts:
            opt["selected"] = opt["value"] == (args[key] or "")
    return render_template("needs/list.html", result=result, args=args, options=options, errors=errors,
                           error_title=bool(errors), words=needs.STATUS_WORDS, downloads=downloads.download_links(),
                           editor=_is_editor()), form_status(errors)


def _is_editor() -> bool:
    try:
        identity = current_identity()
    except Exception:  # a bad header is for the API to report, not the page
        return False
    from ..auth import allows
    return identity is not None and allows(identity.role, "editor")


def need_section(node: dict) -> dict:
    """Where the need is, what was decided, its history, and similar needs raised with other producers."""
    store = get_store()
    item = needs.need_detail(get_graph(), node["id"], get_settings(), joined=joined_needs())
    trail = needs.history(node, store.audit_entries(target=node["id"], limit=500))
    return {"item": item, "history": list(reversed(trail)), "words": needs.STATUS_WORDS,
            "next_statuses": needs.TRANSITIONS[node.get("status") or "captured"], "editor": _is_editor()}


def _problems(exc: InvalidRecord) -> list[dict]:
    """GOV.UK error summary items, each linking to its field."""
    out = []
    for p in exc.problems:
        field = p.field if p.field in ANCHORS else ("raised_by" if "RAISED_BY" in p.record else
                                                    "concerns" if "CONCERNS" in p.record else
                                                    "owned_by" if "OWNED_BY" in p.record else p.field)
        out.append({"text": p.message[:1].upper() + p.message[1:], "href": "#" + ANCHORS.get(field, "as_a"),
                    "field": field})
    return out


# The records a need can be raised by or concern, grouped for the form's checkboxes.
CHOICE_GROUPS = {
    "raised_by": (("Public", "Publics"), ("Intermediary", "Trusted intermediaries"), ("UserGroup", "User groups")),
    "concerns": (("Statistic", "Statistics"), ("Topic", "Topics")),
}
MAX_CHOSEN = 200


def choice_groups(graph, key: str, chosen: list[str]) -> list[dict]:
    """Checkbox groups for one of the form's several-choice fields, each record by name, the chosen ticked.

    A group with a ticked record is open, so the editor sees what they chose.
    """
    groups = []
    for label, heading in CHOICE_GROUPS[key]:
        items = [{**o, "checked": o["value"] in chosen} for o in _options(graph, (label,))]
        if items:
            groups.append({"label": label, "heading": heading, "items": items,
                           "open": any(i["checked"] for i in items)})
    return groups


@bp.route("/needs/new", methods=["GET", "POST"])
@sign_in_first()
def new_need():
    """Record a need as "As a …, I need …, so that …" (editors): owned by one producer, raised by and
    concerning as many records as apply, as the API allows."""
    store = get_store()
    graph = get_graph()
    form = {k: (request.form.get(k) or "").strip() for k in
            ("as_a", "i_need", "so_that", "name", "priority", "owned_by")}
    chosen = {k: list(dict.fromkeys(v.strip() for v in request.form.getlist(k) if v.strip()))
              for k in CHOICE_GROUPS}
    errors: list[dict] = []
    if request.method == "POST":
        fields = {k: v for k, v in form.items() if v and k != "owned_by"}
        fields["owned_by"] = [form["owned_by"]] if form["owned_by"] else []
        fields.update(chosen)
        try:
            too_many = [Problem("new need", k, f"choose at most {MAX_CHOSEN}") for k, v in chosen.items()
                        if len(v) > MAX_CHOSEN]
            if too_many:
                raise InvalidRecord(too_many)
            if form["priority"]:
                fields["priority"] = box_value(model.LABELS["Need"]["priority"], form["priority"])
            if not form["owned_by"]:
                raise InvalidRecord([Problem("new need", "owned_by", "select the producer that owns the need")])
            record, edges = needs.build_need(fields, _dt.date.today(), taken=graph)
            identity = require_role("editor")
            store.apply(Change(put_nodes=[record], put_edges=edges, expect={record["id"]: 0},
                               actor=identity.actor, action="need"))
            flash("The need has been recorded and is on the waiting list", "success")
            return redirect(f"/records/{record['id']}", 303)
        except InvalidRecord as exc:
            errors = _problems(exc)
    options = {
        "owned_by": [{"value": "", "text": "Select a producer"}] + _options(graph, ("Producer",)),
        "priority": [{"value": "", "text": "Not set"}] + [{"value": str(i), "text": f"{i}{' (high)' if i == 1 else ' (low)' if i == 5 else ''}"} for i in range(1, 6)],
    }
    for key, opts in options.items():
        for opt in opts:
            opt["selected"] = opt["value"] == form[key]
    field_errors = {}
    for e in errors:
        field_errors.setdefault(e["field"], e["text"])
    groups = {key: choice_groups(graph, key, chosen[key]) for key in CHOICE_GROUPS}
    for key, key_groups in groups.items():
        if key in field_errors:  # the error links to the first box: show them all
            for group in key_groups:
                group["open"] = True
    return render_template("needs/new.html", form=form, options=options, groups=groups, errors=errors,
                           field_errors=field_errors, error_title=bool(errors)), form_status(errors)


@bp.route("/needs/<need_id>/status", methods=["GET", "POST"])
@sign_in_first()
def change_status(need_id: str):
    """Move a need on: the change and its date go into its history (editors)."""
    store = get_store()
    node = store.get_node(need_id)
    if node is None or node["label"] != "Need":
        raise NodeNotFound(need_id)
    form = {k: (request.form.get(k) or "").strip() for k in ("status", "reason", "response", "version")}
    errors: list[dict] = []
    if request.method == "POST":
        try:
            if not form["status"]:
                raise InvalidRecord([Problem(f"need '{need_id}'", "status", "select where the need is now")])
            version = model.number_from_text(form["version"], whole=True)
            version = version if isinstance(version, int) else node["version"]
            if version != node["version"]:
                raise VersionConflict(need_id, version, node["version"])
            record = needs.change_status(node, form["status"], form["reason"], form["response"])
            identity = require_role("editor")
            store.apply(Change(put_nodes=[record], expect={need_id: version}, actor=identity.actor, action="status"))
            flash(f"The need is now {needs.model_word(form['status'])}", "success")
            return redirect(f"/records/{need_id}", 303)
        except InvalidRecord as exc:
            errors = _problems(exc)
    current = node.get("status") or "captured"
    choices = [{"value": s, "text": needs.STATUS_WORDS[s], "checked": s == form["status"]}
               for s in needs.TRANSITIONS[current]]
    return render_template("needs/status.html", node=node, form=form, choices=choices, errors=errors,
                           field_errors={e["field"]: e["text"] for e in errors}, words=needs.STATUS_WORDS,
                           error_title=bool(errors)), form_status(errors)
