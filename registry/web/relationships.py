"""Add and remove a record's relationships in the web interface (signed-in editors).

An editor starts from a record's page: "Add a relationship" asks which kind (only
the kinds the model allows for this record's label, each read in the direction it
goes from this record), then which other record (by registry id or by name, with
a choice when several match) and the kind's properties, all from ``graph.model``.
The store checks the edge with the model's rules; each problem is shown beside its
field and in the error summary. "Remove" asks for confirmation first. Every write
is one ``Change`` with the editor as its actor, so it is in the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from graph import model
from graph.errors import EdgeNotFound, InvalidRecord, NodeNotFound
from graph.records import PHRASES
from graph.search import search as search_records
from graph.stores import Change

from ..auth import current_identity, require_role
from ..forms import box_value, form_status, refusal, sign_in_first
from ..ratelimit import check as rate_limit
from ..store import get_settings, get_store
from ..templating import LABEL_WORDS, humanise

bp = Blueprint("relationships", __name__)
MAX_OTHER = 200
MAX_CANDIDATES = 10
PROP_WORDS = {"strength": "Strength", "trust": "Trust", "role": "Role", "since": "Since", "note": "Note",
              "participants": "Participants", "source": "Source", "verified": "Date of the source"}
SOURCE_HINT = ("Where this comes from: a web address, or a citation of a document and its section. For a reach, "
               "the organisation's own statement of whom it represents or serves, or a case study")
VERIFIED_HINT = "When that source was published or recorded, or when you last checked it. For example, 2025-11-01"
PROP_HINTS = {
    ("REACHES", "strength"): "Your judgement of how well it reaches them, from 0 (hardly) to 1 (very well), "
                             "resting on the source below. For example, 0.7",
    ("REACHES", "role"): "Whether it represents them, serves them or informs them",
    ("DESCRIBES", "role"): "Whether the statistic is about them, collected from them, affects them or leaves "
                           "them out",
    ("PARTNERS_WITH", "since"): "The date the partnership started. For example, 2023-04-01",
    ("REFERS_TO", "note"): "For example, enquiries about rents in Wales are handled by the Welsh Government",
    ("INVOLVED", "participants"): "How many people from this public took part",
    ("INVOLVED", "confirmed"): "Yes when you have checked that this public took part (a harvest proposes links "
                               "as no; only confirmed links count towards burden)",
}


def a_label(label: str) -> str:
    """A label in words with its article.

    >>> a_label("Intermediary"), a_label("UserGroup"), a_label("Engagement")
    ('a trusted intermediary', 'a user group', 'an engagement')
    """
    words = LABEL_WORDS.get(label, label).lower()
    return ("an " if words[0] in "aeio" else "a ") + words


@dataclass(frozen=True)
class Kind:
    """One kind of relationship a record can have, read from that record's side."""

    type: str
    direction: str  # out: this record is the "from" end; in: it is the "to" end
    phrase: str
    other_labels: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.type}-{self.direction}"

    @property
    def other_words(self) -> str:
        """What the other record is, in words: 'a trusted intermediary or a producer'."""
        return " or ".join(a_label(l) for l in self.other_labels)

    @property
    def other_plain(self) -> str:
        """The other record's kinds without articles: 'trusted intermediary or producer'."""
        return " or ".join(LABEL_WORDS.get(l, l).lower() for l in self.other_labels)

    def edge(self, node_id: str, other_id: str, props: dict) -> dict:
        ends = (node_id, other_id) if self.direction == "out" else (other_id, node_id)
        return {"type": self.type, "from": ends[0], "to": ends[1], **props}


def kinds_for(label: str) -> list[Kind]:
    """The relationships a record of ``label`` may have, in the model's order, each way it can go.

    >>> [(k.key, k.phrase) for k in kinds_for("Topic")][:3]
    [('WORKS_ON-in', 'Intermediaries working on this'), ('COVERS-in', 'User groups covering this'), ('ABOUT-in', 'Statistics about this')]
    >>> [k.key for k in kinds_for("Producer") if k.type == "PART_OF"]
    ['PART_OF-out', 'PART_OF-in']
    """
    out = []
    for type_, rel in model.RELATIONSHIPS.items():
        if label in rel.sources:
            out.append(Kind(type_, "out", PHRASES[type_][0], rel.targets))
        if label in rel.targets:
            out.append(Kind(type_, "in", PHRASES[type_][1], rel.sources))
    return out


def find_kind(label: str, key: str | None) -> Kind | None:
    return next((k for k in kinds_for(label) if k.key == key), None)


@dataclass
class PropField:
    key: str
    label: str
    kind: str
    hint: str
    choices: tuple[str, ...] = ()
    required: bool = False


def prop_fields(type_: str) -> list[PropField]:
    """The form fields for a relationship type's properties, from the model (which says which are required).

    >>> [(f.key, f.required) for f in prop_fields("PARTNERS_WITH")]
    [('since', False), ('source', True), ('verified', True)]
    """
    props = model.RELATIONSHIPS[type_].props
    default = model.EDGE_DEFAULTS.get(type_, {})
    fields = []
    for key, prop in props.items():
        hint = PROP_HINTS.get((type_, key)) or {"source": SOURCE_HINT, "verified": VERIFIED_HINT}.get(key) or \
            ("For example, 2024-05-01" if prop.kind == "date" else "")
        if key in default:
            empty = f"if you leave it empty, {humanise(default[key])} is assumed"
            hint = f"{hint} ({empty})" if hint else empty.capitalize()
        fields.append(PropField(key, PROP_WORDS.get(key, key.replace("_", " ").capitalize()), prop.kind, hint,
                                prop.choices, prop.required))
    return fields


def props_from_form(type_: str, form: MultiDict) -> dict:
    """The properties a submitted form gives; empty fields are left out, unconvertible values kept as typed
    so the model's message names them."""
    props = {}
    for key, prop in model.RELATIONSHIPS[type_].props.items():
        value = box_value(prop, form.get(key))
        if value is not None:
            props[key] = value
    return props


@dataclass
class Resolved:
    node: dict | None
    candidates: list
    error: str | None


def resolve_other(store, text: str, chosen_id: str | None, kind: Kind, node_id: str, settings: dict) -> Resolved:
    """The other end of the relationship: a chosen candidate, a registry id, or one record whose name matches.

    When several records match, they are offered as a choice instead of guessing.
    """
    if chosen_id:
        found = store.get_node(chosen_id)
        if found is None:
            return Resolved(None, [], f"There is no longer a record with id {chosen_id}. Search again")
        text = chosen_id
    text = text.strip()
    if not text:
        return Resolved(None, [], f"Enter the registry id or name of {kind.other_words}")
    if len(text) > MAX_OTHER:
        return Resolved(None, [], f"Registry id or name must be {MAX_OTHER} characters or fewer")
    found = store.get_node(text) if model.ID_PATTERN.fullmatch(text) else None
    if found is not None:
        if found["id"] == node_id:
            return Resolved(None, [], "Choose another record: a record cannot have a relationship with itself")
        if found["label"] not in kind.other_labels:
            return Resolved(None, [], f"{found['name']} is {a_label(found['label'])}"
                                      f" record; this relationship needs {kind.other_words}")
        return Resolved(found, [], None)
    hits = [h for h in search_records(store.snapshot(), text, limit=50, settings=settings)
            if h.label in kind.other_labels and h.id != node_id][:MAX_CANDIDATES]
    exact = [h for h in hits if h.name.strip().lower() == text.lower()]
    if len(exact) == 1:
        return Resolved(store.get_node(exact[0].id), [], None)
    if not hits:
        return Resolved(None, [], f"No {kind.other_plain} matches ‘{text}’. Check the spelling, "
                                  "or use its registry id")
    return Resolved(None, hits, "More than one record matches. Choose the one you mean"
                    if len(hits) > 1 else "Check this is the record you mean, then choose it")


def edge_errors(problems, kind: Kind) -> dict[str, str]:
    """The first message for each form field: the other record's end is the ``other`` field."""
    other_end = "to" if kind.direction == "out" else "from"
    out: dict[str, str] = {}
    for p in problems:
        if p.field in model.RELATIONSHIPS[kind.type].props:
            key, text = p.field, f"{PROP_WORDS.get(p.field, p.field.capitalize())} {p.message}"
        elif p.field == other_end or not p.field:
            key, text = "other", p.message[:1].upper() + p.message[1:]
        else:  # this record's own end: the page was for a record that has since changed or gone
            key, text = "other", f"This record cannot have this relationship: {p.message}"
        out.setdefault(key, text)
    return out


def _node_or_404(node_id: str) -> dict:
    node = get_store().get_node(node_id)
    if node is None:
        raise NodeNotFound(node_id)
    return node


@bp.route("/records/<node_id>/relationships/new", methods=["GET", "POST"])
@sign_in_first()
def add(node_id: str):
    """Choose a kind of relationship, then the other record and the relationship's details."""
    node = _node_or_404(node_id)
    kinds = kinds_for(node["label"])
    key = request.values.get("kind")
    kind = find_kind(node["label"], key)
    if kind is None:
        error = "Select the kind of relationship" if "kind" in request.values else None
        return render_template("relationships/choose.html", node=node, kinds=kinds, error=error), form_status(error)
    fields = prop_fields(kind.type)
    if request.method == "GET":
        return _form(node, kind, fields, {}, {}, [])
    identity = require_role("editor")
    rate_limit("write")
    store = get_store()
    values = request.form.to_dict()
    other = resolve_other(store, request.form.get("other") or "", request.form.get("other_id"), kind, node_id,
                          get_settings())
    if other.node is None:
        values.pop("other_id", None)
        return _form(node, kind, fields, values, {"other": other.error}, other.candidates)
    edge = kind.edge(node_id, other.node["id"], props_from_form(kind.type, request.form))
    existed = any(e["to"] == edge["to"] for e in store.edges_of(edge["from"], "out", [kind.type]))
    try:
        store.apply(Change(put_edges=[edge], actor=identity.actor, action="web"))
    except InvalidRecord as exc:
        values["other"] = other.node["id"]
        return _form(node, kind, fields, values, edge_errors(exc.problems, kind), [])
    what = "updated" if existed else "added"
    flash(f"Relationship {what}: {node['name']} – {kind.phrase.lower()} – {other.node['name']}", "success")
    return redirect(f"/records/{node_id}")


def _form(node, kind, fields, values, errors, candidates):
    errors = {k: v for k, v in errors.items() if v}
    return render_template("relationships/form.html", node=node, kind=kind, fields=fields, values=values,
                           errors=errors, candidates=candidates), form_status(errors)


def _triple_from(values: MultiDict, node_id: str) -> tuple[str, str, str]:
    """The (type, from, to) of the relationship to remove, from this record's side; 404 for nonsense."""
    type_, other, direction = values.get("type"), values.get("other"), values.get("direction")
    if type_ not in model.RELATIONSHIPS or direction not in ("out", "in") or not other \
            or not model.ID_PATTERN.fullmatch(other):
        abort(404, "There is no such relationship. Go back to the record and choose one from its list.")
    return (type_, node_id, other) if direction == "out" else (type_, other, node_id)


@bp.route("/records/<node_id>/relationships/remove", methods=["GET", "POST"])
@sign_in_first()
def remove(node_id: str):
    """Remove one relationship, after a page that asks to confirm."""
    node = _node_or_404(node_id)
    store = get_store()
    triple = _triple_from(request.values, node_id)
    direction = request.values["direction"]
    other_id = triple[2] if direction == "out" else triple[1]
    edge = next((e for e in store.edges_of(triple[1], "out", [triple[0]]) if e["to"] == triple[2]), None)
    other = store.get_node(other_id)
    phrase = PHRASES[triple[0]][0 if direction == "out" else 1]
    if edge is None or other is None:
        flash(f"That relationship of {node['name']} is not in the registry: someone may have removed it already",
              "important")
        return redirect(f"/records/{node_id}")
    if request.method == "GET":
        return render_template("relationships/remove.html", node=node, other=other, phrase=phrase,
                               type=triple[0], direction=direction, props=model.edge_props(edge))
    identity = require_role("editor")
    rate_limit("write")
    try:
        store.apply(Change(delete_edges=[triple], actor=identity.actor, action="web"))
    except InvalidRecord as exc:  # a rule of the model that needs this relationship
        return render_template("relationships/remove.html", node=node, other=other, phrase=phrase, type=triple[0],
                               direction=direction, props=model.edge_props(edge), error=refusal(exc)), 400
    except EdgeNotFound:
        flash(f"That relationship of {node['name']} had already been removed", "important")
        return redirect(f"/records/{node_id}")
    flash(f"Relationship removed: {node['name']} – {phrase.lower()} – {other['name']}", "success")
    return redirect(f"/records/{node_id}")


# -- the section on every record page -------------------------------------------

def relationships_section(node: dict) -> dict | None:
    """For signed-in editors: the record's relationships, each with Remove, and Add a relationship."""
    identity = current_identity()
    if identity is None or identity.role not in ("editor", "admin"):
        return None
    store = get_store()
    edges = store.edges_of(node["id"])
    others = store.get_nodes({e["to"] if e["from"] == node["id"] else e["from"] for e in edges})
    rows = []
    for e in edges:
        direction = "out" if e["from"] == node["id"] else "in"
        other = others.get(e["to"] if direction == "out" else e["from"])
        if other is None:
            continue
        rows.append({"phrase": PHRASES[e["type"]][0 if direction == "out" else 1], "other": other,
                     "props": model.edge_props(e),
                     "remove": f"/records/{node['id']}/relationships/remove?"
                               + urlencode({"type": e["type"], "other": other["id"], "direction": direction})})
    rows.sort(key=lambda r: (r["phrase"], r["other"]["name"].lower()))
    return {"node_id": node["id"], "rows": rows, "can_add": bool(kinds_for(node["label"]))}
