"""About Pathways: what it is, where its records come from, and the rules it decides by."""
from __future__ import annotations

from flask import Blueprint, render_template

from .. import ROOT
from ..store import get_settings

bp = Blueprint("about", __name__)


@bp.get("/about")
def about():
    """Each area documents its rules in templates/about/_<area>.html; they are shown in name order."""
    parts = sorted(p.name for p in (ROOT / "templates" / "about").glob("_*.html"))
    return render_template("about.html", parts=[f"about/{p}" for p in parts], settings=get_settings())
