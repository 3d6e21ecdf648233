"""Signposting: ``GET /api/v1/signpost?statistic=`` or ``?q=`` — who to contact about a statistic."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import NotFound

from graph import asking as A
from graph import model
from graph import search as _search
from graph.errors import InvalidRecord, NodeNotFound, Problem

from .. import rankings
from .. import route_reports as reporting
from ..store import get_settings, snapshot
from .search import HitSchema, query_text

blp = Blueprint("signpost_api", __name__, description="Who do I contact about this statistic? One first contact "
                                                      "(the end of any referral chain), then user groups and "
                                                      "trusted intermediaries, each with the route and the reason.")
ID = validate.Length(min=1, max=100)


class SignpostQuerySchema(Schema):
    statistic = fields.String(load_default=None, validate=ID, metadata={"description": "a statistic's id"})
    q = fields.String(load_default=None, metadata={"description": "words naming a statistic (when there is no id)"})
    public = fields.String(load_default=None, validate=ID,
                           metadata={"description": "the asker's own public (an id): its intermediaries come first"})
    nation = fields.String(load_default=None, validate=validate.OneOf(model.NATIONS),
                           metadata={"description": "the asker's nation: its user groups and intermediaries come "
                                                    "first, and none of another nation is offered"})


class RouteSchema(Schema):
    id = fields.String(allow_none=True, metadata={"description": "null for a configured coordinator contact"})
    label = fields.String()
    name = fields.String()
    contact = fields.Dict(allow_none=True)
    path = fields.List(fields.String(), metadata={"description": "ids from the statistic to this contact"})
    via = fields.List(fields.String(), metadata={"description": "the path without its end"})
    why = fields.String()
    kind = fields.String(metadata={"enum": ["owner", "producer", "user_group", "intermediary", "coordinator"]})
    how_to_join = fields.String(allow_none=True)
    membership = fields.String(allow_none=True)
    group = fields.Dict(allow_none=True, metadata={"description": "the user group, when reached through its convener"})


class SignpostSchema(Schema):
    statistic = fields.Dict(allow_none=True)
    first_contact = fields.Nested(RouteSchema, allow_none=True)
    routes = fields.List(fields.Nested(RouteSchema))
    no_contact = fields.Boolean()
    alternative = fields.Nested(RouteSchema, allow_none=True,
                                metadata={"description": "offered instead when there is no reachable contact"})
    coordinator = fields.Nested(RouteSchema, allow_none=True)
    warnings = fields.List(fields.String())
    choices = fields.List(fields.Nested(HitSchema),
                          metadata={"description": "when q= could be several statistics: pick one and ask by id"})
    topics = fields.List(fields.Nested(HitSchema), metadata={"description": "topics that match q= as well"})
    did_you_mean = fields.String(allow_none=True, metadata={"description": "q= with typos corrected"})
    topic = fields.Dict(allow_none=True, metadata={"description": "when q= names a subject, not one statistic: "
                                                                 "the topic, with its producers and user groups"})
    feedback = fields.Dict(allow_none=True, metadata={"description": "Did this help? POST the ticket with what "
                                                                    "happened to the url (see /signpost/feedback)"})


def not_found(message: str, closest: list) -> None:
    error = NotFound(description=message)
    error.data = {"errors": {"closest": [h.as_dict() for h in closest]}}
    raise error


@blp.route("/signpost")
class Signpost(MethodView):
    @blp.arguments(SignpostQuerySchema, location="query")
    @blp.response(200, SignpostSchema)
    def get(self, args):
        """Who to contact about a statistic: the first contact, further routes and the coordinator.

        With ``q=``, the answer is given only when one statistic clearly fits; otherwise
        ``choices`` (with ``did_you_mean`` for a typo), or ``topic`` for a question about
        a subject, or 404 with the closest records.
        """
        here, settings = snapshot(), get_settings()
        statistic = args["statistic"]
        if statistic is None:
            if args["q"] is None:
                raise InvalidRecord([Problem("query", "statistic", "give a statistic's id (statistic=) or words "
                                                                   "naming it (q=)")])
            try:
                found = A.ask(here, query_text(args["q"]), args["nation"], settings)
            except A.NoMatch as exc:
                not_found(str(exc), exc.closest)
            if isinstance(found, A.Choices):
                return {**EMPTY, **found.as_dict(),
                        "warnings": [f"‘{found.query}’ could be {len(found.choices)} statistics: choose one."]}
            if isinstance(found, A.TopicAnswer):
                return {**EMPTY, "topic": found.as_dict(), "did_you_mean": found.did_you_mean,
                        "warnings": [f"No one statistic matches ‘{found.query}’; it matches the topic "
                                     f"{found.topic['name']}."]}
            statistic = found
        try:
            answer = rankings.signpost(statistic, args["public"], args["nation"])
            return {**answer.as_dict(), "feedback": reporting.feedback_for(answer)}
        except NodeNotFound as exc:
            not_found(f"no statistic with id '{exc.node_id}'", _search.closest(here, exc.node_id, settings=settings))


EMPTY = {"statistic": None, "first_contact": None, "routes": [], "no_contact": False, "alternative": None,
         "coordinator": None, "choices": [], "topics": [], "did_you_mean": None, "topic": None, "feedback": None}
