"""Editors record engagements: what was done, with whom, through whom, on what, and by which producer.

One form writes the Engagement record and its INVOLVED, VIA, ON and RAN
relationships in one change; an edit sends the version it read, so a change
made by someone else meanwhile is not lost.
"""
from __future__ import annotations

import datetime as _dt
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request

from graph import engagement_upload, model, proposals
from graph.errors import EdgeNotFound, InvalidRecord, NodeNotFound, Problem, VersionConflict
from graph.harvest import consultations, fetch
from graph.harvest.base import HarvestError, Offline
from graph.harvest.run import plan_in_store, run as run_harvest
from graph.stores import Change

from ..auth import require_role
from ..forms import box_value, date_parts, form_date, form_status, refusal, sign_in_first
from ..ratelimit import check as rate_limit
from ..redirects import local_path
from ..store import get_graph, get_store, snapshot

bp = Blueprint("engagements", __name__)

PROPS = model.LABELS["Engagement"]
TEXT_FIELDS = ("name", "description", "source", "you_said", "we_did", "feedback_url")
DATE_FIELDS = ("start", "end", "feedback_published")
LINKS = {"publics": ("INVOLVED", ("Public",)), "via": ("VIA", ("Intermediary", "UserGroup")),
         "on": ("ON", ("Statistic", "Topic"))}
FORM_FIELD = {rel: key for key, (rel, _labels) in LINKS.items()}  # a store problem on a relationship -> its box
ANCHORS = {"start": "start-day", "end": "end-day", "feedback_published": "feedback_published-day",
           "id": "id", "remunerated": "remunerated", "producer": "producer"}


def _value(form, key: str):
    """One box's value (None when blank); what cannot be converted is left for the model to name."""
    return box_value(PROPS.get(key), form.get(key))


def record_from_form(form, node_id: str) -> dict:
    """The Engagement record a filled-in form describes (checked by the model in the store).

    >>> record_from_form({"name": "E", "participants": "١٢", "you_said": "a\\r\\nb"}, "e")
    {'id': 'e', 'label': 'Engagement', 'name': 'E', 'you_said': 'a\\nb', 'participants': '١٢'}
    """
    record: dict = {"id": node_id, "label": "Engagement"}
    for key in TEXT_FIELDS:
        record[key] = _value(form, key)
    for key in ("method", "iap2", "status"):
        record[key] = form.get(key) or None
    for key in DATE_FIELDS:
        record[key] = form_date(form, key)
    record["participants"] = _value(form, "participants")
    record["hours_per_participant"] = _value(form, "hours_per_participant")
    remunerated = form.get("remunerated")
    record["remunerated"] = {"yes": True, "no": False}.get(remunerated)
    record["name"] = record["name"] or ""
    return {k: v for k, v in record.items() if v is not None}


def links_from_form(form) -> dict[str, list[str]]:
    out = {key: list(dict.fromkeys(v for v in form.getlist(key) if v)) for key in LINKS}
    out["producer"] = [form["producer"]] if form.get("producer") else []
    return out


def link_problems(record: dict, links: dict[str, list[str]], labels: dict[str, str]) -> list[Problem]:
    """Problems with the relationships chosen on the form: each must be a record of the right kind.

    >>> [str(p) for p in link_problems({"id": "e"}, {"publics": ["x"], "via": [], "on": [], "producer": []}, {})]
    ["node 'e': publics: 'x' is not a Public in the registry"]
    """
    where = model.node_where(record)
    problems = []
    wanted = dict(LINKS, producer=("RAN", ("Producer",)))
    for key, (_type, allowed) in wanted.items():
        for node_id in links[key]:
            if labels.get(node_id) not in allowed:
                problems.append(Problem(where, key, f"'{node_id}' is not a {' or '.join(allowed)} in the registry"))
    return problems


def _choices(_store, *labels):
    here = snapshot()
    return sorted(((r["id"], r.get("name", r["id"]), r["label"]) for label in labels for r in here.records(label)),
                  key=lambda t: (t[1].lower(), t[0]))


def _current_links(store, node_id: str) -> dict[str, list[str]]:
    edges = store.edges_of(node_id)
    out = {key: sorted(e["to"] for e in edges if e["type"] == t and e["from"] == node_id)
           for key, (t, _labels) in LINKS.items()}
    out["producer"] = sorted(e["from"] for e in edges if e["type"] == "RAN" and e["to"] == node_id)
    return out


def _render(node: dict | None, values: dict, links: dict, problems: list[Problem], version: int | None, status=200):
    store = get_store()
    errors: dict = {}
    for p in problems:
        errors.setdefault(p.field, p.message)
    choices = {"publics": _choices(store, "Public"), "via": _choices(store, "Intermediary", "UserGroup"),
               "on": _choices(store, "Statistic", "Topic"), "producer": _choices(store, "Producer")}
    proposed = {p.public for p in proposals.proposed_publics(get_graph(), node["id"])} if node else set()
    return render_template("engagements/form.html", node=node, values=values, links=links, problems=problems,
                           errors=errors, anchors=ANCHORS, choices=choices, version=version, props=PROPS,
                           proposed=proposed, error_title=bool(problems)), status


def _date_parts(values: dict) -> dict:
    """Form values with each ISO date split into day, month and year for the date inputs."""
    out = date_parts(values, DATE_FIELDS)
    if isinstance(values.get("remunerated"), bool):
        out["remunerated"] = "yes" if values["remunerated"] else "no"
    return out


def _save(node_id: str, existing: dict | None):
    identity = require_role("editor")
    store = get_store()
    form = request.form
    record = record_from_form(form, node_id)
    links = links_from_form(form)
    version = model.number_from_text(form.get("version") or "", whole=True)
    version = version if isinstance(version, int) else 0
    labels = store.labels_of([i for ids in links.values() for i in ids])
    problems = model.validate_node(record) + link_problems(record, links, labels)
    values = {**dict(form.items()), **{k: form.getlist(k) for k in LINKS}}
    if problems:
        return _render(existing, values, links, problems, version, 400)
    old = _current_links(store, node_id) if existing else {k: [] for k in (*LINKS, "producer")}
    put_edges, delete_edges = [], []
    for key, ids in links.items():
        rel = "RAN" if key == "producer" else LINKS[key][0]
        for other in ids:
            if other not in old[key]:
                put_edges.append({"type": rel, "from": other, "to": node_id} if rel == "RAN"
                                 else {"type": rel, "from": node_id, "to": other})
        for other in old[key]:
            if other not in ids:
                delete_edges.append((rel, other, node_id) if rel == "RAN" else (rel, node_id, other))
    try:
        store.apply(Change(put_nodes=[record], put_edges=put_edges, delete_edges=delete_edges,
                           expect={node_id: version}, actor=identity.actor, action="web"))
    except (InvalidRecord, VersionConflict) as exc:
        found = [Problem(p.record, FORM_FIELD.get(p.field, p.field), p.message) for p in exc.problems] \
            if isinstance(exc, InvalidRecord) else [Problem(model.node_where(record), "", str(exc))]
        return _render(existing, values, links, found, version, 409 if isinstance(exc, VersionConflict) else 400)
    flash(f"Engagement ‘{record['name']}’ saved", "success")
    return redirect(f"/records/{node_id}", 303)


@bp.route("/engagements/new", methods=["GET", "POST"])
@sign_in_first()
def new():
    """Record a new engagement (editors)."""
    if request.method == "POST":
        node_id = (request.form.get("id") or "").strip()
        if node_id and get_store().get_node(node_id) is not None:
            problem = Problem(f"node '{node_id}'", "id", "is already used by another record; choose another")
            values = {**dict(request.form.items()), **{k: request.form.getlist(k) for k in LINKS}}
            return _render(None, values, links_from_form(request.form), [problem], 0, 400)
        return _save(node_id, None)
    return _render(None, {"status": "held"}, {k: [] for k in (*LINKS, "producer")}, [], 0)


@bp.route("/engagements/<node_id>/edit", methods=["GET", "POST"])
@sign_in_first()
def edit(node_id: str):
    """Change an engagement and its links (editors); refused if someone else changed it meanwhile."""
    node = get_store().get_node(node_id)
    if node is None or node["label"] != "Engagement":
        raise NodeNotFound(node_id)
    if request.method == "POST":
        return _save(node_id, node)
    links = _current_links(get_store(), node_id)
    values = _date_parts({k: v for k, v in node.items() if k not in ("label", "version")})
    values.update({k: links[k] for k in LINKS})
    return _render(node, values, links, [], node["version"])


def edit_link(node: dict) -> dict:
    """A link from an engagement's page to its editor, and the publics a harvest proposed for it."""
    return {"proposals": proposals.proposed_publics(get_graph(), node["id"])}


def _proposal(node_id: str, public_id: str) -> tuple[dict, dict, dict]:
    """The engagement, the public and the stored INVOLVED relationship between them (404 when any is missing)."""
    store = get_store()
    node, public = store.get_node(node_id), store.get_node(public_id)
    if node is None or node["label"] != "Engagement":
        raise NodeNotFound(node_id)
    if public is None or public["label"] != "Public":
        raise NodeNotFound(public_id)
    edge = proposals.proposal_edge(store.edges_of(node_id, "out", [proposals.TYPE]), node_id, public_id)
    return node, public, edge


def _answer_proposal(node_id: str, public_id: str, confirm: bool):
    identity = require_role("editor")
    rate_limit("write")
    back = local_path(request.form.get("next"), f"/records/{node_id}")
    node, public, edge = _proposal(node_id, public_id)
    change = (proposals.confirm_change if confirm else proposals.remove_change)(edge, identity.actor)
    try:
        get_store().apply(change)
    except EdgeNotFound:
        flash(f"{public['name']} was already removed from {node['name']}", "important")
        return redirect(back, 303)
    except InvalidRecord as exc:  # the engagement's last public: a held engagement must involve one
        return render_template("relationships/remove.html", node=node, other=public, phrase="Involved",
                               type=proposals.TYPE, direction="out", props=model.edge_props(edge),
                               error=refusal(exc)), 400
    done = "confirmed as taking part in" if confirm else "removed from"
    flash(f"{public['name']} {done} {node['name']}", "success")
    return redirect(back, 303)


@bp.post("/engagements/<node_id>/publics/<public_id>/confirm")
@sign_in_first()
def confirm_public(node_id: str, public_id: str):
    """Confirm that a public a harvest proposed took part (editors): from now on it counts towards burden."""
    return _answer_proposal(node_id, public_id, confirm=True)


@bp.post("/engagements/<node_id>/publics/<public_id>/remove")
@sign_in_first()
def remove_public(node_id: str, public_id: str):
    """Remove a public from an engagement (editors), as when a harvest proposed it wrongly."""
    return _answer_proposal(node_id, public_id, confirm=False)


@bp.route("/engagements/upload", methods=["GET", "POST"])
@sign_in_first()
def upload():
    """Record many engagements at once from a CSV file (editors): all of them, or none and why."""
    problems: list[Problem] = []
    if request.method == "POST":
        identity = require_role("editor")
        rate_limit("write")
        sent = request.files.get("file")
        try:
            if sent is None or not sent.filename:
                raise InvalidRecord([Problem("upload", "file", "choose a CSV file of engagements")])
            name = sent.filename.rsplit("/", 1)[-1][:100]
            doc = engagement_upload.parse(sent.read(), name)
            result = get_store().apply(Change(put_nodes=doc.nodes, put_edges=doc.edges, node_lines=doc.node_lines,
                                              edge_lines=doc.edge_lines, actor=identity.actor, action="upload"))
        except InvalidRecord as exc:
            problems = exc.problems
        else:
            flash(f"{len(doc.nodes)} engagement{'s' if len(doc.nodes) != 1 else ''} from {name} saved: "
                  f"{result.created} new, {result.updated} changed, {result.unchanged} unchanged", "success")
            return redirect("/burden", 303)
    summary = [{"href": "#file", "text": str(p)} for p in problems[:50]]
    return render_template("engagements/upload.html", problems=problems, summary=summary,
                           columns=engagement_upload.columns(),
                           links=engagement_upload.LINKS, error_title=bool(problems)), form_status(problems)


@bp.get("/engagements/upload/template.csv")
def upload_template():
    """The upload's columns with one example row, to fill in."""
    return Response(engagement_upload.template(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=engagements-template.csv"})


# -- one engagement from a GOV.UK consultation's address ----------------------------

def govuk_reader() -> fetch.Reader:
    """How the app reads GOV.UK's Content API: ``GOVUK_READER`` when one is given (tests give a
    recording), else the live API once, without the harvest's long retries (an editor is waiting)."""
    given = current_app.config.get("GOVUK_READER")
    if given is not None:
        return given
    return fetch.Live(pause=0, retries=1, timeout=float(current_app.config["GOVUK_TIMEOUT"]))


def _from_address(address: str, confirm: list[str] = ()):
    """The harvest of the one consultation at ``address`` (publics in ``confirm`` confirmed), or the
    problem and the status to answer with: 400 for what the address leads to, 502 when GOV.UK is unreachable."""
    reader = govuk_reader()
    recorded = reader.recorded or _dt.date.today().isoformat()
    try:
        found = consultations.from_address(reader, get_graph(), address, recorded,
                                           current_app.config["GOVUK_BASE_URL"])
    except Offline as exc:
        host = urlsplit(exc.where).netloc or "GOV.UK"
        return None, [Problem("address", "url", f"GOV.UK could not be reached ({host} did not answer). "
                                                "Try again later, or record the engagement by hand")], 502
    except HarvestError as exc:
        where = "" if exc.where == "address" else f"{exc.where}: "
        field = "" if exc.field in ("url", "") else f"{exc.field} "
        return None, [Problem("address", "url", f"{where}{field}{exc.message}")], 400
    if not found.nodes:
        return None, [Problem("address", "url", " ".join(found.notes) or "nothing could be recorded from it")], 400
    found.edges = [{**e, "confirmed": True} if e["type"] == "INVOLVED" and e["to"] in confirm else e
                   for e in found.edges]
    return found, [], 200


@bp.route("/engagements/from-govuk", methods=["GET", "POST"])
@sign_in_first()
def from_govuk():
    """One engagement from a GOV.UK consultation's address (editors): read it, show what would be saved, save it.

    The first POST reads the page and shows the engagement the consultations harvest would
    write, with the publics it proposes; "Save" reads it again and writes it through the
    harvest's one write path, with the editor as its actor.
    """
    address = (request.form.get("url") or request.args.get("url") or "").strip()
    if request.method == "GET" and not address:
        return render_template("engagements/from_govuk.html", address="", problems=[], found=None)
    if request.method == "POST":
        require_role("editor")
        rate_limit("write")
    confirm = request.form.getlist("confirm")
    found, problems, status = _from_address(address, confirm)
    if problems:
        return render_template("engagements/from_govuk.html", address=address[:consultations.MAX_ADDRESS],
                               problems=problems, found=None, error_title=True), status
    if request.method == "POST" and request.form.get("action") == "save":
        identity = require_role("editor")
        try:
            _plan, result = run_harvest(get_store(), found, actor=identity.actor)
        except InvalidRecord as exc:
            return render_template("engagements/from_govuk.html", address=address, found=None, error_title=True,
                                   problems=[Problem("address", "url", refusal(exc))]), 400
        record = found.nodes[0]
        flash(f"Engagement ‘{record['name']}’ saved from GOV.UK"
              + (": nothing had changed" if result is not None and not result.created and not result.updated
                 else ""), "success")
        return redirect(f"/records/{record['id']}", 303)
    plan = plan_in_store(get_store(), found)
    record = found.nodes[0]
    graph = get_graph()
    names = {n: graph.nodes[n].get("name", n) for e in found.edges for n in (e["from"], e["to"]) if n in graph}
    return render_template("engagements/from_govuk.html", address=address, problems=[], found=found, record=record,
                           plan=plan, names=names, existing=record["id"] in graph,
                           proposed=[e["to"] for e in found.edges if e["type"] == "INVOLVED"],
                           producers=[e["from"] for e in found.edges if e["type"] == "RAN"])
