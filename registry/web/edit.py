"""Add, change and delete records in the web interface (signed-in editors; deletes need admin).

The form for each label is generated from ``graph.model``; the store validates
the record with the model's rules and each problem is shown beside its field and
in the error summary. The version the editor opened travels in a hidden field, so
a record changed by someone else meanwhile is not overwritten: the editor is shown
what changed and decides. Every write goes to the audit trail, shown on the record
page under "History of changes".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from graph import model
from graph.errors import DuplicateNode, InvalidRecord, NodeNotFound, VersionConflict
from graph.records import record_view
from graph.stores import Change
from graph.stores.base import strip_meta

from ..auth import current_identity, require_role
from ..forms import box_value, date_parts, form_date, form_status, refusal, sign_in_first
from ..ratelimit import check as rate_limit
from ..store import get_settings, get_store
from ..templating import LABEL_WORDS, PROPERTY_WORDS

bp = Blueprint("edit", __name__)
# Form labels beyond the record page's words (templating.PROPERTY_WORDS).
FIELD_WORDS = {"rest_until": "Do not approach before", "source": "Source", "verified": "Last checked",
               "tags": "Keywords", "aliases": "Other names people use", "url": "Web page",
               "nations": "Nations"}
FIRST, LAST = ("description",), ("contact", "aliases", "tags", "source", "verified")
# Every date property of any label: shown as GOV.UK day, month and year boxes.
DATE_KEYS = sorted({k for props in model.LABELS.values() for k, p in props.items() if p.kind == "date"})


@dataclass
class Field:
    key: str
    label: str
    kind: str
    hint: str
    choices: tuple[str, ...] = ()
    required: bool = False


def field_label(key: str) -> str:
    """How a property is named on a form.

    >>> field_label("hours_per_participant"), field_label("kind")
    ('Hours per participant', 'Kind')
    """
    return FIELD_WORDS.get(key) or PROPERTY_WORDS.get(key) or key.replace("_", " ").capitalize()


def form_fields(label: str) -> list[Field]:
    """The fields of the form for ``label``, in reading order, from the model.

    >>> [f.key for f in form_fields("Topic")]
    ['description', 'aliases', 'tags', 'source', 'verified']
    """
    props = {k: p for k, p in model.LABELS[label].items() if k not in model.MACHINE_PROPS}
    order = [k for k in FIRST if k in props] + [k for k in props if k not in FIRST + LAST] + \
            [k for k in LAST if k in props]
    hints = {"date": "For example, 27 3 2025", "tags": "One on each line", "url": "Starting https://",
             "nations": "Select all that apply"}
    return [Field(k, field_label(k), props[k].kind,
                  " ".join(x for x in (props[k].doc.capitalize() if props[k].doc else "", hints.get(props[k].kind, ""))
                           if x),
                  props[k].choices, props[k].required) for k in order]


def record_from_form(label: str, form: MultiDict, node_id: str) -> dict:
    """The record a submitted form describes; an empty field means the property is not set.

    Each box is converted by :func:`graph.model.value_from_text`, the one conversion from text
    (the CSV reader uses it too); values that cannot be converted are kept as typed, so the
    model's message names them.

    >>> record_from_form("Public", MultiDict({"name": " Renters ", "capacity": "8", "seldom_heard": "yes",
    ...                                       "tags": "renting\\n\\ntenants ", "geography": ""}), "renters")
    {'id': 'renters', 'label': 'Public', 'name': 'Renters', 'seldom_heard': True, 'capacity': 8, 'tags': ['renting', 'tenants']}
    >>> record_from_form("Producer", MultiDict({"name": "ONS", "contact-email": "a@b.uk"}), "ons")["contact"]
    {'email': 'a@b.uk'}
    >>> record_from_form("Topic", MultiDict({"name": "T", "verified-day": "1", "verified-month": "11",
    ...                                      "verified-year": "2026"}), "t")["verified"]
    '2026-11-01'
    >>> record_from_form("Public", MultiDict({"name": "P", "capacity": "²"}), "p")["capacity"].why
    'must be a number'
    """
    record = {"id": node_id, "label": label, "name": (form.get("name") or "").strip()}
    for f in form_fields(label):
        if f.kind == "contact":
            contact = {k: (form.get(f"contact-{k}") or "").strip() for k in model.CONTACT_FIELDS}
            contact = {k: v for k, v in contact.items() if v}
            if contact:
                record["contact"] = contact
            continue
        if f.kind == "nations":
            ticked = [n for n in form.getlist(f.key) if n]
            if ticked:
                record[f.key] = ticked
            continue
        if f.kind == "date":
            value = form_date(form, f.key)
            if value is not None:
                record[f.key] = value
            continue
        raw = form.get(f.key) or ""
        if f.kind == "tags":  # one on each line of a text area
            tags = [t.strip() for t in raw.splitlines() if t.strip()]
            if tags:
                record[f.key] = tags
            continue
        value = box_value(model.LABELS[label][f.key], raw)
        if value is not None:
            record[f.key] = value
    return record


def form_values(record: dict) -> dict:
    """What each form field shows for a stored record.

    >>> form_values({"tags": ["a", "b"], "seldom_heard": False, "contact": {"email": "x@y.uk"}, "capacity": 8})
    {'tags': 'a\\nb', 'seldom_heard': 'no', 'contact-email': 'x@y.uk', 'capacity': '8'}
    >>> form_values({"verified": "2026-11-01"})["verified-month"]
    '11'
    """
    out = {}
    for key, value in record.items():
        if key == "contact" and isinstance(value, dict):
            out.update({f"contact-{k}": v for k, v in value.items()})
        elif isinstance(value, bool):
            out[key] = "yes" if value else "no"
        elif key == "nations" and isinstance(value, list):
            out[key] = list(value)
        elif isinstance(value, list):
            out[key] = "\n".join(map(str, value))
        else:
            out[key] = "" if value is None else str(value)
    return date_parts(out, DATE_KEYS)


def field_errors(problems) -> dict[str, str]:
    """The first message for each field, phrased for a form: ``{field: "Capacity must be at least 0"}``.

    A date is typed as day, month and year here, so its message says so rather than YYYY-MM-DD.

    >>> from graph.errors import Problem
    >>> field_errors([Problem("node 'x'", "verified", "must be a date as YYYY-MM-DD")])
    {'verified': 'Last checked must be a real date, for example 27 3 2025'}
    """
    out: dict[str, str] = {}
    for p in problems:
        key = p.field or "name"
        message = "must be a real date, for example 27 3 2025" if key in DATE_KEYS else p.message
        if key not in out:
            out[key] = f"{field_label(key)} {message}" if p.field else message
    return out


def error_anchor(key: str) -> str:
    return "contact-email" if key == "contact" else key


def _form(label, values, errors, *, node=None, version=None, conflict=None):
    status = 409 if conflict else form_status(errors)
    return render_template("edit/form.html", label=label, label_word=LABEL_WORDS.get(label, label),
                           fields=form_fields(label), values=values, errors=errors, node=node, version=version,
                           conflict=conflict, contact_fields=model.CONTACT_FIELDS,
                           nation_names=model.NATION_NAMES), status


@bp.route("/records/new", methods=["GET", "POST"])
@sign_in_first()
def new():
    """Choose a kind of record, then fill in its form."""
    label = request.values.get("label")
    if label not in model.LABELS:
        error = "Select what kind of record to add" if "label" in request.values else None
        return render_template("edit/choose.html", labels=list(model.LABELS), error=error), form_status(error)
    if request.method == "GET":
        return _form(label, {}, {})
    identity = require_role("editor")
    rate_limit("write")
    node_id = (request.form.get("id") or "").strip()
    record = record_from_form(label, request.form, node_id)
    values = {**request.form.to_dict(), "id": node_id, "nations": request.form.getlist("nations")}
    try:
        if node_id and get_store().get_node(node_id) is not None:
            raise DuplicateNode(node_id)
        get_store().apply(Change(put_nodes=[record], expect={node_id: 0}, actor=identity.actor, action="web"))
    except InvalidRecord as exc:
        return _form(label, values, field_errors(exc.problems))
    except DuplicateNode:
        return _form(label, values, {"id": "A record with this id already exists. Choose another id"})
    flash(f"{record['name']} has been added", "success")
    return redirect(f"/records/{node_id}")


@bp.route("/records/<node_id>/edit", methods=["GET", "POST"])
@sign_in_first()
def edit(node_id: str):
    """Change a record; refused with an explanation if someone else changed it meanwhile."""
    store = get_store()
    current = store.get_node(node_id)
    if current is None:
        raise NodeNotFound(node_id)
    label = current["label"]
    if request.method == "GET":
        return _form(label, form_values(current), {}, node=current, version=current["version"])
    identity = require_role("editor")
    rate_limit("write")
    # What a form does not show (the harvest's fingerprints, ids in other registers) is kept as it was.
    record = {**{k: current[k] for k in model.MACHINE_PROPS if k in current},
              **record_from_form(label, request.form, node_id)}
    values = {**request.form.to_dict(), **{k: request.form.getlist(k) for k in ("nations",) if k in request.form}}
    version = model.number_from_text(request.form.get("version", ""), whole=True)
    if not isinstance(version, int):
        abort(400, "This form is missing the record's version. Go back, reload the page and try again.")
    try:
        store.apply(Change(put_nodes=[record], expect={node_id: version}, actor=identity.actor, action="web"))
    except InvalidRecord as exc:
        return _form(label, values, field_errors(exc.problems), node=current, version=version)
    except VersionConflict:
        theirs = store.get_node(node_id)
        if theirs is None:
            flash(f"{current['name']} was deleted by someone else while you were changing it. "
                  "Your changes were not saved", "important")
            return redirect("/")
        return _form(label, values, {}, node=theirs, version=theirs["version"],
                     conflict=differences(strip_meta(theirs), record))
    flash(f"Your changes to {record['name']} have been saved", "success")
    return redirect(f"/records/{node_id}")


def differences(theirs: dict, yours: dict) -> list[dict]:
    """Fields where the stored record and the submitted one differ, for the conflict message.

    >>> differences({"name": "A", "kind": "team"}, {"name": "B", "kind": "team"})
    [{'field': 'Name', 'theirs': 'A', 'yours': 'B'}]
    """
    keys = [k for k in dict.fromkeys([*theirs, *yours]) if k not in ("id", "label", "version")]
    show = form_values
    return [{"field": field_label(k), "theirs": show({k: theirs.get(k)}).get(k, ""),
             "yours": show({k: yours.get(k)}).get(k, "")}
            for k in keys if theirs.get(k) != yours.get(k)]


@bp.route("/records/<node_id>/delete", methods=["GET", "POST"])
@sign_in_first("admin")
def delete(node_id: str):
    """Delete a record (admin), after a page that says which relationships go with it."""
    store = get_store()
    view = record_view(store.graph(), node_id, stale_after_days=get_settings()["stale_after_days"])
    if request.method == "GET":
        return render_template("edit/delete.html", view=view, node=view.node, error=None)
    identity = require_role("admin")
    rate_limit("write")
    try:
        version = model.number_from_text(request.form.get("version", ""), whole=True)
        if not isinstance(version, int):
            raise ValueError("no version")
        store.apply(Change(delete_nodes=[node_id], expect={node_id: version}, actor=identity.actor, action="web"))
    except InvalidRecord as exc:  # a rule of the model needs this record, e.g. an engagement's only public
        return render_template("edit/delete.html", view=view, node=view.node, error=refusal(exc)), 400
    except (ValueError, VersionConflict):
        fresh = record_view(store.graph(), node_id, stale_after_days=get_settings()["stale_after_days"])
        return render_template("edit/delete.html", view=fresh, node=fresh.node,
                               error="Someone else changed this record since you opened this page. Check what "
                                     "will be deleted, then confirm again"), 409
    flash(f"{view.node['name']} and its {sum(len(g.neighbours) for g in view.groups)} relationships have been "
          "deleted", "success")
    return redirect("/")


# -- sections on the record page -------------------------------------------------

def actions_section(node: dict) -> dict | None:
    """Change and delete links, for signed-in editors."""
    identity = current_identity()
    if identity is None or identity.role not in ("editor", "admin"):
        return None
    return {"node_id": node["id"], "can_delete": identity.role == "admin"}


def history_section(node: dict) -> dict:
    """The audit trail of this record: when, what changed, and (for signed-in editors) who."""
    entries = get_store().audit_entries(target=node["id"], limit=20)
    identity = current_identity()
    rows = []
    for e in entries:
        before, after = e["before"] or {}, e["after"] or {}
        changed = [field_label(k) for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)
                   and k not in ("id", "label")]
        kind = e["action"].rsplit(": ", 1)[-1]
        rows.append({"at": e["at"], "what": {"create": "Added", "update": "Changed", "delete": "Deleted"}.get(kind,
                                                                                                          kind),
                     "fields": changed if kind == "update" else [], "actor": e["actor"]})
    return {"rows": rows, "show_actor": identity is not None}
