"""Jinja set-up: our templates, the GOV.UK Frontend Jinja macros, and the assets.

GOV.UK Frontend's CSS, JavaScript, fonts and images come from the npm package
installed by ``make setup`` (node_modules/govuk-frontend) and are served here
under /assets, where its stylesheet expects them. Nothing loads from a CDN.
"""
from __future__ import annotations

import datetime as _dt

from flask import Flask, abort, current_app, request, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

from graph import model

from . import ROOT

GOVUK_DIST = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
NAVIGATION = [
    ("Find a contact", "/"),
    ("Find intermediaries", "/publics"),
    ("Burden", "/burden"),
    ("Map", "/map"),
    ("Waiting list", "/needs"),
    ("About", "/about"),
]
LABEL_WORDS = {
    "Producer": "Producer", "Statistic": "Statistic", "Topic": "Topic", "Public": "Public",
    "Intermediary": "Trusted intermediary", "UserGroup": "User group", "Engagement": "Engagement",
    "Need": "User need",
}

PROPERTY_WORDS = {
    "url": "Web page", "iap2": "Level of involvement (IAP2)", "you_said": "You said", "we_did": "We did",
    "feedback_url": "Published feedback", "feedback_published": "Feedback published", "rest_until": "Rest until",
    "seldom_heard": "Seldom heard", "volunteer_led": "Volunteer-led", "how_to_join": "How to join",
    "hours_per_participant": "Hours per participant", "decision_reason": "Reason for the decision",
    "aliases": "Also known as", "latest_release": "Latest release", "latest_url": "Latest edition",
    "release": "Released",
    "accepting_requests": "Accepting requests", "stated_capacity": "What it says it can take on",
    "how_to_approach": "How to approach it", "expects_remuneration": "Expects participants to be paid",
}


def humanise(value) -> str:
    """Enumeration values as words: ``accredited_official`` → ``accredited official``.

    >>> humanise("accredited_official"), humanise(True), humanise(None)
    ('accredited official', 'yes', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def long_date(value) -> str:
    """ISO date as GOV.UK writes it: ``2024-01-18`` → ``18 January 2024``.

    >>> long_date("2024-01-18"), long_date("not a date")
    ('18 January 2024', 'not a date')
    """
    parsed = model.parse_date(value) if isinstance(value, str) else value
    if isinstance(parsed, _dt.date):
        return f"{parsed.day} {parsed:%B %Y}"
    return "" if value is None else str(value)


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.jinja_env.filters["humanise"] = humanise
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["nation_name"] = lambda n: model.NATION_NAMES.get(n, str(n))
    app.jinja_env.tests["web_address"] = lambda v: isinstance(v, str) and bool(model.WEB_ADDRESS.fullmatch(v))
    app.jinja_env.globals.update(NAVIGATION=NAVIGATION, LABEL_WORDS=LABEL_WORDS, PROPERTY_WORDS=PROPERTY_WORDS,
                                 SERVICE_NAME="Pathways")
    app.jinja_env.globals["signed_in_identity"] = signed_in_identity
    app.jinja_env.globals["page_chrome"] = page_chrome

    @app.route("/assets/<path:filename>")
    def govuk_assets(filename: str):
        """GOV.UK Frontend's built files and its fonts and images, from the installed package."""
        for folder in (GOVUK_DIST / "assets", GOVUK_DIST):
            if (folder / filename).is_file():
                return send_from_directory(folder, filename, max_age=86400)
        abort(404)


def navigation(path: str) -> list[dict]:
    """The menu's items for a page at ``path``, the section it is in marked active.

    >>> [i["text"] for i in navigation("/publics/carers") if i["active"]], [i["active"] for i in navigation("/")][:2]
    (['Find intermediaries'], [True, False])
    """
    return [{"href": href, "text": text, "active": path == href if href == "/" else path.startswith(href)}
            for text, href in NAVIGATION]


def page_chrome(part: str) -> Markup:
    """The GOV.UK parts of the header (``"header"``: the menu, its active item this page's section,
    and the phase banner) or the footer (``"footer"``), from ``templates/chrome/``.

    Each is rendered once per app and active item and kept: they are the same on every page, and
    rendering their GOV.UK macros was about half of a simple page's time. Not kept while templates
    reload (debugging), so an edited template shows at once.
    """
    items = navigation(request.path) if part == "header" else []
    key = (part, tuple(i["active"] for i in items))
    kept = current_app.extensions.setdefault("pathways.chrome", {})
    found = kept.get(key)
    if found is None:
        found = Markup(current_app.jinja_env.get_template(f"chrome/{part}.html").render(navigation=items))
        if not current_app.jinja_env.auto_reload:
            kept[key] = found
    return found


def signed_in_identity():
    """The editor signed in to the web interface, for the header link (None when nobody is)."""
    from graph.errors import AuthError

    from .auth import current_identity
    try:
        return current_identity()
    except AuthError:  # a bad Authorization header on a page: nobody is signed in
        return None


def asset_missing() -> str | None:
    """A message when the front-end assets are not installed (``make setup`` installs them)."""
    if not (GOVUK_DIST / "govuk-frontend.min.css").exists():
        return f"GOV.UK Frontend is not installed at {GOVUK_DIST}: run `make setup` (npm ci)"
    return None


def option_tags(choices, chosen: str | None = None) -> Markup:
    """``<option>`` tags of ``choices`` (records or ``{id, name}``) in the order given, ``chosen``
    selected. Every value and name is escaped: a name is text, never HTML. Made in one join rather
    than through a template, because the lists run to thousands (a public's filters, the ask form).

    >>> str(option_tags([{"id": "a", "name": "A & <b>"}, {"id": "b"}], "b"))
    '<option value="a">A &amp; &lt;b&gt;</option><option value="b" selected>b</option>'
    """
    return with_chosen(Markup("".join(f'<option value="{escape(c["id"])}">{escape(c.get("name", c["id"]))}</option>'
                                      for c in choices)), chosen)


def with_chosen(tags: Markup, chosen: str | None) -> Markup:
    """:func:`option_tags` ``tags`` with ``chosen`` selected (nothing when it is not among them), so a
    list made once can be kept and marked per request."""
    if not chosen:
        return tags
    tag = str(Markup('<option value="{}">').format(chosen))
    return Markup(str(tags).replace(tag, tag[:-1] + " selected>", 1))
