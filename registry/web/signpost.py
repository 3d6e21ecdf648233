"""Signposting pages: the "Contact first" card on a statistic's page, and /contact?q=."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request

from graph import asking as A
from graph import model

from ..cache import public_options
from ..store import get_graph, get_settings, snapshot

bp = Blueprint("signpost_pages", __name__)
MAX_QUERY = 200


def asker(graph) -> tuple[str | None, str | None]:
    """The asker's public and nation from the query string, each None unless it is a real one."""
    public = (request.args.get("public") or "").strip() or None
    if public and (public not in graph or graph.nodes[public].get("label") != "Public"):
        public = None
    nation = request.args.get("nation") or None
    return public, nation if nation in model.NATIONS else None


def contact_card(node: dict) -> dict:
    """Who to contact about the statistic on this page."""
    from ..rankings import signpost
    return {"answer": signpost(node["id"], *asker(get_graph()))}


@bp.get("/contact")
def contact():
    """The home page's question, answered: one statistic goes to its page; otherwise choices, a topic, or nothing."""
    here = snapshot()
    q = (request.args.get("q") or "").strip()
    public, nation = asker(here.graph)
    keep = {k: v for k, v in (("public", public), ("nation", nation)) if v}
    page = {"q": q[:MAX_QUERY], "public": public, "nation": nation, "keep": keep, "error": None, "choices": None,
            "topic": None, "closest": [], "public_options": public_options,
            "nation_names": model.NATION_NAMES}
    if not q:
        page["error"] = "Enter the name of a statistic"
    elif len(q) > MAX_QUERY:
        page["error"] = f"The name must be {MAX_QUERY} characters or fewer"
    if page["error"]:
        return render_template("signpost/contact.html", **page), 400
    try:
        found = A.ask(here, q, nation, get_settings())
    except A.NoMatch as exc:
        return render_template("signpost/contact.html", **{**page, "closest": exc.closest}), 404
    if isinstance(found, A.Choices):
        return render_template("signpost/contact.html", **{**page, "choices": found})
    if isinstance(found, A.TopicAnswer):
        return render_template("signpost/contact.html", **{**page, "topic": found})
    return redirect(f"/records/{found}" + (f"?{urlencode(keep)}" if keep else "") + "#contact-first")
