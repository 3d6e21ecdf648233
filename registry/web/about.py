"""About Pathways: what it is, where its records come from, and the rules it decides by."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..store import get_settings

bp = Blueprint("about", __name__)


@bp.get("/about")
def about():
    """Each area explains its rules in a part listed in ``registry/areas.py`` (ABOUT_PARTS)."""
    from ..areas import ABOUT_PARTS
    return render_template("about.html", parts=ABOUT_PARTS, settings=get_settings())
