"""Signposting pages: the "Contact first" card on a statistic's page, and /contact?q=."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from graph import signpost as S

from ..store import get_settings, get_store
from .sections import record_section

bp = Blueprint("signpost_pages", __name__)
MAX_QUERY = 200


@record_section("Statistic", template="signpost/_card.html", order=10, position="lead")
def contact_card(node: dict) -> dict:
    """Who to contact about the statistic on this page."""
    public = (request.args.get("public") or "").strip() or None
    store = get_store()
    if public and store.labels_of([public]).get(public) != "Public":
        public = None
    return {"answer": S.signpost_in_store(store, node["id"], public, get_settings())}


@bp.get("/contact")
def contact():
    """The home page's question, answered: one statistic goes to its page, several are offered as choices."""
    q = (request.args.get("q") or "").strip()
    error = None
    if not q:
        error = "Enter the name of a statistic"
    elif len(q) > MAX_QUERY:
        error = f"The name must be {MAX_QUERY} characters or fewer"
    if error:
        return render_template("signpost/contact.html", q=q[:MAX_QUERY], error=error, choices=[], closest=[]), 400
    try:
        found = S.find_statistic(get_store(), q, get_settings())
    except S.NoMatch as exc:
        return render_template("signpost/contact.html", q=q, error=None, choices=[], closest=exc.closest), 404
    if isinstance(found, S.Choices):
        return render_template("signpost/contact.html", q=q, error=None, choices=found.choices, closest=[])
    return redirect(f"/records/{found}#contact-first")
