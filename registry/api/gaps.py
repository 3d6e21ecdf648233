"""Gaps in the system: ``GET /api/v1/gaps`` — every gap rule, each item saying what would close it."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from graph.gaps import RULES

from ..web.gaps import current_report
from .schemas import ModelDate

blp = Blueprint("api_gaps", __name__, description="Publics nobody reaches, dead-end contacts, referral loops, "
                                              "single points of failure and more.")


class GapQuerySchema(Schema):
    as_of = ModelDate(load_default=None, metadata={"description": "the date to judge burden and staleness as "
                                                                    "of (YYYY-MM-DD); default today"})


GapReportSchema = Schema.from_dict(
    {**{rule.key: fields.List(fields.Dict(), metadata={"description": f"{rule.title}: {rule.explain} Each item "
                                                                      "has id, label, name, detail and close."})
        for rule in RULES},
     "counts": fields.Dict(keys=fields.String(), values=fields.Integer()),
     "as_of": fields.String()},
    name="GapReportSchema")


@blp.route("/gaps")
class GapsResource(MethodView):
    @blp.arguments(GapQuerySchema, location="query")
    @blp.response(200, GapReportSchema)
    def get(self, args):
        """Every gap rule's findings, with counts

        Each item names the record (id, label, name), says what is wrong (detail) and what
        would close the gap (close).
        """
        return current_report(args.get("as_of")).as_dict()
