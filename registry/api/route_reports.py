"""Route reports: ``POST /api/v1/signpost/feedback`` (open, rate-limited) and ``GET /api/v1/routes/health`` (editors)."""
from __future__ import annotations

import datetime as _dt

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from graph import model

from .. import route_reports as reporting
from ..auth import require_role, requires
from .schemas import ModelDate

blp = Blueprint("route_reports_api", __name__,
                description="Did the contact help? Reports on the routes the signpost gives, and route health.")
EDITOR = [{"bearer": []}]


class FeedbackSchema(Schema):
    ticket = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                           metadata={"description": "feedback.ticket from the signpost answer (GET /api/v1/signpost): "
                                                    "names the route and when the answer was given"})
    outcome = fields.String(required=True, validate=validate.OneOf(model.REPORT_OUTCOMES))
    passed_to = fields.String(load_default=None, validate=validate.Length(max=model.MAX_ID),
                              metadata={"description": "with passed_on: the id of the producer, user group or "
                                                       "intermediary you were passed on to"})
    passed_to_text = fields.String(load_default=None, validate=validate.Length(max=model.MAX_PASSED_TO_TEXT),
                                   metadata={"description": "with passed_on: who, typed, when not in the registry"})
    times_passed_on = fields.Integer(load_default=None, strict=True,
                                     validate=validate.Range(min=1, max=model.MAX_TIMES_PASSED_ON),
                                     metadata={"description": "with passed_on: 1, 2, or 3 for three or more"})
    comment = fields.String(load_default=None, validate=validate.Length(max=model.MAX_REPORT_COMMENT),
                            metadata={"description": "plain text, at most 500 characters and one web address, no "
                                                     "email address; one that looks like spam is held for review"})


class StoredReportSchema(Schema):
    id = fields.String()
    at = fields.String(metadata={"description": "when it was sent (UTC)"})
    status = fields.String(metadata={"enum": list(model.REPORT_STATUSES),
                                     "description": "open (counted), or held for an editor to review"})
    statistic = fields.String(allow_none=True)
    contact = fields.String()
    outcome = fields.String()


class HealthQuerySchema(Schema):
    as_of = ModelDate(load_default=None, metadata={"description": "the last day of the 12 months (default today)"})


TALLY = {"counts": fields.Dict(keys=fields.String(), values=fields.Integer()), "total": fields.Integer(),
         "enough_reports": fields.Boolean(), "days": fields.Integer(),
         "shares": fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True,
                               metadata={"description": "null below min_reports: not enough reports"}),
         "ping_pong": fields.Integer(metadata={"description": "questions passed on more than once"}),
         "ping_pong_rate": fields.Float(allow_none=True)}
TallySchema = Schema.from_dict(TALLY, name="RouteTallySchema")
RouteHealthSchema = Schema.from_dict({**TALLY, "statistic": fields.String(allow_none=True), "contact": fields.String(),
                                      "name": fields.String(), "producers": fields.List(fields.String()),
                                      "open_wrong_details": fields.Integer()}, name="RouteHealthSchema")
ProducerHealthSchema = Schema.from_dict({**TALLY, "producer": fields.String(), "name": fields.String(),
                                         "routes": fields.Integer()}, name="ProducerHealthSchema")


class HealthSchema(Schema):
    since = fields.String()
    until = fields.String()
    min_reports = fields.Integer()
    overall = fields.Nested(TallySchema)
    routes = fields.List(fields.Nested(RouteHealthSchema),
                         metadata={"description": "routes with open wrong-details reports first"})
    producers = fields.List(fields.Nested(ProducerHealthSchema))


@blp.route("/signpost/feedback")
class Feedback(MethodView):
    @blp.arguments(FeedbackSchema)
    @blp.response(201, StoredReportSchema)
    def post(self, body):
        """Did this help? Report what happened when you used the route a signpost answer gave

        Open: no token. No personal details are asked for or kept. Each client may send a few
        reports an hour and one a day about one route (429 beyond); the ticket must be at least a
        few seconds old (400 sooner) and from the last day.
        """
        ticket = body.pop("ticket")
        return reporting.submit(ticket, body), 201


@blp.route("/routes/health")
class Health(MethodView):
    @requires("editor")
    @blp.arguments(HealthQuerySchema, location="query")
    @blp.response(200, HealthSchema)
    @blp.doc(security=EDITOR)
    def get(self, args):
        """Route health over 12 months: per route and per producer, shares answered, passed on, no reply and wrong details

        Counts go with every share; below min_reports the shares are null ("not enough reports").
        """
        require_role("editor")
        return reporting.current_health(args.get("as_of") or _dt.date.today()).as_dict()
