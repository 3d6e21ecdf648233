"""Gaps in the system: ``GET /api/v1/gaps`` — every gap rule, each item saying what would close it.

The answer is written out as it is sent (:func:`graph.jsonstream.json_chunks`), a batch of
findings at a time: at 100,000 records it is tens of megabytes, which as one string (and the
dicts behind it) was most of the app's peak memory.
"""
from __future__ import annotations

import itertools

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from graph.gaps import RULES
from graph.jsonstream import json_chunks

from ..web.gaps import current_report
from .schemas import ModelDate

blp = Blueprint("api_gaps", __name__, description="Publics nobody reaches, dead-end contacts, referral loops, "
                                              "single points of failure and more.")


class GapQuerySchema(Schema):
    as_of = ModelDate(load_default=None, metadata={"description": "the date to judge burden and staleness as "
                                                                    "of (YYYY-MM-DD); default today"})
    rule = fields.String(load_default=None, validate=validate.OneOf([r.key for r in RULES]),
                         metadata={"description": "only this rule's findings (and count); default every rule"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0),
                            metadata={"description": "leave out each rule's first this many findings"})
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1),
                           metadata={"description": "at most this many findings per rule; default all of them"})


GapReportSchema = Schema.from_dict(
    {**{rule.key: fields.List(fields.Dict(), metadata={"description": f"{rule.title}: {rule.explain} Each item "
                                                                      "has id, label, name, detail and close."})
        for rule in RULES},
     "counts": fields.Dict(keys=fields.String(), values=fields.Integer(),
                           metadata={"description": "every rule's (or `rule`'s) number of findings, whatever "
                                                    "`offset` and `limit` leave out"}),
     "as_of": fields.String()},
    name="GapReportSchema")


@blp.route("/gaps")
class GapsResource(MethodView):
    @blp.arguments(GapQuerySchema, location="query")
    @blp.response(200, GapReportSchema)
    def get(self, args):
        """Every gap rule's findings, with counts

        Each item names the record (id, label, name), says what is wrong (detail) and what
        would close the gap (close). `rule` gives one rule's findings alone; `offset` and
        `limit` page through each rule's findings, `counts` saying how many there are in all.
        """
        report = current_report(args["as_of"])
        top = report.as_stream(args["rule"], args["offset"], args["limit"])
        # as the app's JSON provider writes any other answer: sorted keys, compact, ASCII, a final newline
        body = json_chunks(top, sort_keys=True, separators=(",", ":"))
        return current_app.response_class(itertools.chain(body, ["\n"]), mimetype="application/json")
