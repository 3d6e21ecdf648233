"""Route reports on the pages: "Did this help?" under every signpost answer, "Report a wrong contact"
on a record's page, the editors' queue (accept a suggested REFERS_TO in one click, resolve reports),
route health for coordinators, and the editors' Atom feed of new reports."""
from __future__ import annotations

import datetime as _dt

from flask import Blueprint, Response, abort, flash, redirect, render_template, request

from graph import model
from graph import route_reports as R
from graph.errors import InvalidRecord, StoreUnavailable
from graph.feeds import TAG, atom
from graph.stores import Change

from .. import route_reports as reporting
from ..auth import current_identity
from ..rankings import signpost
from ..forms import sign_in_first
from ..store import get_graph, get_settings, get_store
from ..urls import public_base_url
from .signpost import asker

bp = Blueprint("route_reports", __name__)
WITH_CONTACT = ("Producer", "Statistic", "Intermediary", "UserGroup")
HONEYPOT = "website"  # hidden from people (and from assistive technology); robots fill it in


def passed_to_options(graph, statistic: str | None, contact: str, chosen: str | None = None) -> list[dict]:
    """The choices of "Who were you passed on to?" for a route: the records near it
    (:func:`graph.route_reports.passed_to_near`) by name, and the one already chosen."""
    from ..templating import LABEL_WORDS
    offered = [r.id for r in signpost(statistic, *asker(graph)).everyone()] if statistic in graph else []
    ids = R.passed_to_near(graph, statistic, contact, offered)
    if chosen in graph and chosen not in ids and chosen != contact \
            and graph.nodes[chosen].get("label") in model.PASSED_TO_LABELS:
        ids.append(chosen)
    found = sorted(((str(graph.nodes[n].get("name", n)), n, graph.nodes[n]["label"]) for n in ids),
                   key=lambda t: (t[0].lower(), t[1]))
    return [{"value": "", "text": "Choose who, if they are listed"}] + [
        {"value": n, "text": f"{name} ({LABEL_WORDS.get(label, label).lower()})"} for name, n, label in found]


def did_this_help(node: dict) -> dict | None:
    """"Did this help?" under the signpost answer on a statistic's page (None when there is no first contact)."""
    graph = get_graph()
    answer = signpost(node["id"], *asker(graph))
    first = answer.first_contact
    if first is None or first.id is None:
        return None
    return {"ticket": reporting.ticket_for(node["id"], first.id), "contact_name": first.name,
            "options": passed_to_options(graph, node["id"], first.id), "values": {}, "errors": {}}


def wrong_contact(node: dict) -> dict | None:
    """"Report a wrong contact" on the page of a record that lists contact details."""
    if not node.get("contact"):
        return None
    return {"ticket": reporting.ticket_for(None, node["id"]), "node": node}


def _form_fields(form) -> dict:
    outcome = form.get("outcome") or None
    fields = {"outcome": outcome, "comment": (form.get("comment") or "").replace("\r\n", "\n").strip() or None}
    if outcome == "passed_on":
        times = (form.get("times_passed_on") or "").strip()
        fields.update(passed_to=(form.get("passed_to") or "").strip() or None,
                      passed_to_text=(form.get("passed_to_text") or "").strip() or None,
                      times_passed_on=int(times) if times.isdigit() and len(times) < 3 else (times or None))
    return fields


@bp.post("/route-reports/new")
def new_report():
    """A report from "Did this help?" or "Report a wrong contact": stored, then back to the page."""
    form = request.form
    back = None
    try:
        statistic, contact = reporting.read_ticket(form.get("ticket"))
        back = f"/records/{statistic or contact}"
        if form.get(HONEYPOT):  # a robot: thanked, and nothing kept
            flash("Thank you: your report has been recorded", "success")
            return redirect(back + "#did-this-help", 303)
        fields = _form_fields(form)
        if form.get("kind") == "wrong":
            fields = {"outcome": "wrong_details", "comment": fields["comment"]}
        stored = reporting.submit(form.get("ticket"), fields)
    except InvalidRecord as exc:
        kind = "wrong" if form.get("kind") == "wrong" else "help"
        first_field = "comment" if kind == "wrong" else "outcome"
        errors: dict[str, str] = {}
        for p in exc.problems:  # a problem with the ticket is shown at the form's first field
            key = p.field if p.field in ("outcome", "comment", "passed_to", "passed_to_text", "times_passed_on") \
                else first_field
            errors.setdefault(key, (p.message[:1].upper() + p.message[1:]) if p.field == key else
                              f"The form {p.message}")
        anchors = {"comment": "wrong-comment" if kind == "wrong" else "comment"}
        summary = [{"href": "#" + anchors.get(k, k), "text": v} for k, v in errors.items()]
        graph = get_graph()
        statistic, contact = (None, None)
        try:
            statistic, contact = reporting.read_ticket(form.get("ticket"))
        except InvalidRecord:
            pass
        return render_template("route_reports/form.html", errors=errors, summary=summary, values=form,
                               ticket=reporting.ticket_for(statistic, contact) if contact else None,
                               contact_name=graph.nodes[contact].get("name", contact) if contact in graph else None,
                               back=back, kind=kind,
                               options=passed_to_options(graph, statistic, contact, form.get("passed_to"))
                               if contact in graph else []), 400
    held = " It will be read by an editor before it counts." if stored["status"] == "held" else ""
    flash(f"Thank you: your report has been recorded.{held}", "success")
    return redirect(back + "#did-this-help", 303)


# -- the editors' queue -------------------------------------------------------------------------

def _actor() -> str:
    return current_identity().actor


@bp.get("/route-reports")
@sign_in_first("editor")
def queue():
    """Suggested referrals to accept, reports held for review, open reports, recently resolved ones."""
    graph, store = get_graph(), get_store()
    recent = store.reports(limit=2000)
    return render_template("route_reports/queue.html", graph=graph,
                           suggestions=R.suggestions(graph, recent),
                           held=[r for r in recent if r["status"] == "held"],
                           open_reports=[r for r in recent if r["status"] == "open"][:300],
                           resolved=[r for r in recent if r["status"] not in ("open", "held")][:50],
                           words=model.REPORT_OUTCOME_WORDS, route_name=R.route_name)


@bp.post("/route-reports/accept")
@sign_in_first("editor")
def accept():
    """One click: the suggested REFERS_TO is recorded with its source, and the reports behind it are fixed."""
    graph, store = get_graph(), get_store()
    contact, to = request.form.get("contact") or "", request.form.get("passed_to") or ""
    found = [s for s in R.suggestions(graph, store.reports(statuses=["open"])) if (s.contact, s.passed_to) == (contact, to)]
    if not found:
        flash("There are no open reports suggesting that referral any more", "important")
        return redirect("/route-reports", 303)
    suggestion, today = found[0], _dt.date.today()
    if not suggestion.recorded:
        store.apply(Change(put_edges=[R.referral_edge(suggestion, today)], actor=_actor(),
                           action="accept route reports"))
    try:
        store.resolve_reports(suggestion.report_ids, "fixed", _actor(),
                              note=f"accepted: {suggestion.contact_name} refers enquiries to {suggestion.passed_to_name}")
    except StoreUnavailable:
        if suggestion.recorded:
            raise  # this request wrote nothing: the error page says so
        # The referral is committed; say so rather than let the error page call the click lost.
        flash(f"Recorded: {suggestion.contact_name} refers enquiries to {suggestion.passed_to_name}. The "
              f"reports of the {R.people(suggestion.count)} behind it could not be marked fixed just now: "
              "choose Accept again to mark them.", "important")
        return redirect("/route-reports", 303)
    flash(f"Recorded: {suggestion.contact_name} refers enquiries to {suggestion.passed_to_name} "
          f"({R.people(suggestion.count)} reported it)", "success")
    return redirect("/route-reports", 303)


@bp.post("/route-reports/<report_id>/resolve")
@sign_in_first("editor")
def resolve(report_id: str):
    """An editor's resolution of one report (fixed, not a problem, spam, or released to count)."""
    status = request.form.get("status") or ""
    note = (request.form.get("note") or "").strip() or None
    store = get_store()
    if store.get_report(report_id) is None:
        abort(404, "There is no route report with that id")
    store.resolve_reports([report_id], status, _actor(), note)
    words = {"fixed": "fixed", "not_a_problem": "not a problem", "spam": "spam", "open": "released to count"}
    flash(f"Report marked {words.get(status, status)}", "success")
    return redirect("/route-reports", 303)


# -- for coordinators ---------------------------------------------------------------------------

@bp.get("/route-health")
@sign_in_first("editor")
def health():
    """Per route and per producer over the window: shares answered, passed on, unanswered, wrong details."""
    return render_template("route_reports/health.html", health=reporting.current_health(),
                           outcomes=model.REPORT_OUTCOMES, words=model.REPORT_OUTCOME_WORDS)


@bp.get("/feeds/route-reports.atom")
@sign_in_first("editor")
def feed():
    """New route reports for editors (sign in, or send an editor's token as ``Authorization: Bearer``)."""
    base = public_base_url()
    cfg = R.config(get_settings())
    reports = get_store().reports(limit=cfg["feed_entries"])
    body = atom(f"{TAG}route-reports", "Pathways: new route reports", f"{base}/route-reports",
                f"{base}/feeds/route-reports.atom", R.feed_entries(get_graph(), reports, base),
                subtitle="What people said happened when they used a route Pathways gave them")
    return Response(body, mimetype="application/atom+xml")
