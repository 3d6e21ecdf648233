"""An engagement plan for a statistic, drafted from the graph: a page and a Markdown download."""
from __future__ import annotations

import datetime as _dt

from flask import Blueprint, Response, render_template

from graph import engagement_plan as plans

from ..store import get_graph, get_settings

bp = Blueprint("plans", __name__)


def _draft(statistic_id: str) -> plans.Plan:
    return plans.draft_plan(get_graph(), statistic_id, _dt.date.today(), get_settings())


@bp.get("/statistics/<statistic_id>/plan")
def plan_page(statistic_id: str):
    """The OSR toolkit's plan (Boxes 1 to 3) pre-filled from the registry."""
    plan = _draft(statistic_id)
    return render_template("plan/plan.html", plan=plan, for_producer=plans.FOR_PRODUCER)


@bp.get("/statistics/<statistic_id>/plan.md")
def plan_markdown(statistic_id: str):
    """The same plan as a Markdown file to edit."""
    plan = _draft(statistic_id)
    return Response(plans.markdown(plan), mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="engagement-plan-{statistic_id}.md"'})


def plan_section(node: dict) -> dict:
    """A link to draft an engagement plan for this statistic."""
    return {}
