"""Discovery: the trusted intermediaries that reach a public, and Box 1 for a statistic.

The ranking rules are in :mod:`graph.discovery` (and on the About page); every
factor comes from the app's settings. Each answer is read locally from the store
around the public or statistic asked about.
"""
from __future__ import annotations

import math

from flask import current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from graph import box1 as B
from graph import discovery as D
from graph.model import LABELS, NATIONS

from ..rankings import beside_ranking, rank, ranking
from ..store import get_graph, get_settings

blp = Blueprint("discovery_api", __name__, description="Which trusted intermediaries can help a producer reach "
                                                       "a public: ranked, with the route and the reasons.")
ID = validate.Length(min=1, max=100)


class DiscoveryQuerySchema(Schema):
    producer = fields.String(load_default=None, validate=ID,
                             metadata={"description": "the asking producer's id: intermediaries it already "
                                                      "partners with are raised"})
    topic = fields.String(load_default=None, validate=ID,
                          metadata={"description": "a topic id: only routes through an intermediary working on "
                                                   "it (or a narrower or broader topic)"})
    nation = fields.String(load_default=None, validate=validate.OneOf(NATIONS), metadata={
        "description": "a nation: only intermediaries working there (or whose nations are not known), that "
                       "nation's own bodies first"})


class Box1QuerySchema(Schema):
    producer = fields.String(load_default=None, validate=ID, metadata={"description": "the asking producer's id"})
    top = fields.Integer(load_default=None, validate=validate.Range(min=1, max=20),
                         metadata={"description": "how many intermediaries to give for each public "
                                                  "(default: the discovery.box1_top setting, 3)"})


class RefSchema(Schema):
    id = fields.String()
    name = fields.String()
    label = fields.String()


class PartnerSchema(Schema):
    id = fields.String()
    name = fields.String()
    how = fields.List(fields.String())


class FamilyPartnerSchema(Schema):
    id = fields.String()
    name = fields.String()
    relation = fields.String(metadata={"enum": ["itself", "part", "parent"]})


class FactorSchema(Schema):
    key = fields.String()
    kind = fields.String(metadata={"enum": ["points", "multiplier"]})
    value = fields.Float()
    words = fields.String()


class EngagementEvidenceSchema(Schema):
    id = fields.String()
    name = fields.String()
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)
    age_days = fields.Integer()
    recency = fields.Float(metadata={"description": "0.5 ** (age / the burden model's half-life)"})
    participants = fields.Integer(allow_none=True)
    feedback = fields.String(metadata={"enum": ["published", "owed", "not_due"]})
    points = fields.Float()
    producers = fields.List(fields.String())


class JudgementSchema(Schema):
    strength = fields.Float()
    trust = fields.String()
    trust_factor = fields.Float()
    points = fields.Float()
    source = fields.String()
    verified = fields.String(allow_none=True)


class EvidenceSchema(Schema):
    points = fields.Float()
    factors = fields.List(fields.Nested(FactorSchema))
    engagements = fields.List(fields.Nested(EngagementEvidenceSchema))
    role = fields.String(allow_none=True)
    source = fields.String(allow_none=True, metadata={"description": "the REACHES relationship's source"})
    verified = fields.String(allow_none=True)
    judgement = fields.Nested(JudgementSchema, allow_none=True, metadata={
        "description": "an editor's strength and trust, with the source and date: only when sourced"})
    summary = fields.String()


_DECLARED = LABELS["Intermediary"]  # the declarations' allowed values are the model's, not restated here


class DeclarationsSchema(Schema):
    accepting_requests = fields.String(metadata={"enum": list(_DECLARED["accepting_requests"].choices)})
    stated_capacity = fields.String()
    how_to_approach = fields.String(metadata={"enum": list(_DECLARED["how_to_approach"].choices)})
    expects_remuneration = fields.Boolean()
    words = fields.List(fields.String())


class RouteFeedbackSchema(Schema):
    total = fields.Integer(metadata={"description": "counted route reports about it as the first contact, in the "
                                                    "window (not held or spam)"})
    days = fields.Integer(metadata={"description": "how many different days they were sent on"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "by outcome"})
    enough_reports = fields.Boolean(metadata={"description": "at least route_reports.min_reports on at least "
                                                             "route_reports.ranking_min_days days: only then "
                                                             "does it move the score"})
    factor = fields.Float(metadata={"description": "1 + reach.route_feedback_weight × (share answered − share no "
                                                   "reply or wrong details); 1 without enough reports"})
    words = fields.String()


class CandidateSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String(allow_none=True)
    contact = fields.Dict(allow_none=True)
    score = fields.Float(metadata={"description": "the evidence points of the route × umbrella × nation × "
                                                  "geography × load × partner × route feedback (see factors and "
                                                  "evidence)"})
    path = fields.List(fields.String(), metadata={"description": "ids from this intermediary to the public"})
    path_names = fields.List(fields.String())
    direct = fields.Boolean(metadata={"description": "true when it reaches the public itself"})
    hops = fields.Integer()
    trust = fields.String(allow_none=True, metadata={
        "enum": ["low", "medium", "high", None],
        "description": "an editor's judgement, given only when the REACHES relationship has a source"})
    strength = fields.Float(allow_none=True, metadata={"description": "likewise"})
    role = fields.String(allow_none=True, metadata={"description": "the role it states (represents, serves, "
                                                                   "informs), given only with a source"})
    factors = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "the points (engagements, role, sourced, recorded, judgement; evidence is their sum) and "
                       "the multipliers (umbrella, nation, geography, load, partner, route_feedback): score = "
                       "evidence × the multipliers"})
    evidence = fields.Nested(EvidenceSchema, metadata={"description": "what the points rest on"})
    summary = fields.String(metadata={"description": "the engagements through it with this public, in words"})
    nation_tier = fields.Integer(metadata={"description": "0 the nation's own body, 1 works there and elsewhere, "
                                                          "2 nations not known, 3 another nation; ranked first"})
    declarations = fields.Nested(DeclarationsSchema)
    not_accepting = fields.Boolean(metadata={"description": "it says it is not accepting requests: ranked after "
                                                            "those that are"})
    load_status = fields.String(allow_none=True, metadata={"enum": ["ok", "high", "over", None]})
    partner = fields.Boolean(metadata={"description": "the asking producer or its family already partners with it"})
    partner_via = fields.List(fields.Nested(FamilyPartnerSchema), metadata={
        "description": "who in the asking producer's family (itself, its teams, the bodies it is part of) "
                       "partners with it"})
    partners = fields.List(fields.Nested(PartnerSchema),
                           metadata={"description": "other producers already working with it: join up with them"})
    topics = fields.List(fields.Nested(RefSchema))
    reasons = fields.List(fields.String())
    route_feedback = fields.Nested(RouteFeedbackSchema, allow_none=True, metadata={
        "description": "what people who contacted it told Pathways (route reports), and its factor"})


class LeadSchema(RefSchema):
    why = fields.String()


class BurdenSchema(Schema):
    units = fields.Float()
    capacity = fields.Float()
    ratio = fields.Float(allow_none=True)
    status = fields.String()
    engagements = fields.Integer()
    producers = fields.List(fields.String())
    href = fields.String()


class DiscoverySchema(Schema):
    public = fields.Nested(RefSchema)
    producer = fields.Nested(RefSchema, allow_none=True)
    topic = fields.Nested(RefSchema, allow_none=True)
    nation = fields.String(allow_none=True)
    burden = fields.Nested(BurdenSchema, allow_none=True)
    no_route = fields.Boolean()
    intermediaries = fields.List(fields.Nested(CandidateSchema))
    leads = fields.List(fields.Nested(LeadSchema), metadata={"description": "when there is no route: "
                                                                            "organisations to ask"})
    advice = fields.List(fields.String())


class PublicRowSchema(Schema):
    public = fields.Nested(RefSchema)
    no_route = fields.Boolean()
    total = fields.Integer()
    intermediaries = fields.List(fields.Nested(CandidateSchema))
    leads = fields.List(fields.Nested(LeadSchema))


class RoleGroupSchema(Schema):
    role = fields.String(metadata={"enum": list(B.ROLES)})
    heading = fields.String()
    question = fields.String()
    publics = fields.List(fields.Nested(PublicRowSchema))


class Box1Schema(Schema):
    statistic = fields.Nested(RefSchema)
    groups = fields.List(fields.Nested(RoleGroupSchema))
    without_route = fields.List(fields.String())


def burden_json(score, public_id: str) -> dict | None:
    if score is None:
        return None
    return {"units": score.units, "capacity": score.capacity,
            "ratio": score.ratio if math.isfinite(score.ratio) else None, "status": score.status,
            "engagements": len(score.engagements), "producers": list(score.producers),
            "href": f"/api/v1/publics/{public_id}/burden"}


def discovery_json(found: D.Discovery, burden=None) -> dict:
    return {"public": found.public, "producer": found.producer, "topic": found.topic, "nation": found.nation,
            "burden": burden_json(burden, found.public["id"]), "no_route": found.no_route,
            "intermediaries": [c.as_dict() for c in found.intermediaries], "leads": found.leads,
            "advice": found.advice}


def box1_json(box: B.Box1) -> dict:
    return {"statistic": box.statistic, "without_route": [r.public["id"] for r in box.without_route],
            "groups": [{"role": g.role, "heading": g.heading, "question": g.question,
                        "publics": [{"public": r.public, "no_route": r.no_route, "total": r.total,
                                     "intermediaries": [c.as_dict() for c in r.intermediaries], "leads": r.leads}
                                    for r in g.rows]} for g in box.groups]}


@blp.route("/publics/<node_id>/intermediaries")
class PublicIntermediaries(MethodView):
    @blp.arguments(DiscoveryQuerySchema, location="query")
    @blp.response(200, DiscoverySchema)
    def get(self, args, node_id):
        """The trusted intermediaries that can reach a public, ranked, with the route and the reasons

        Each with its score and every factor of it (the evidence: engagements through it with this
        public, the role it states and an editor's judgement, each only with a source), the path, its
        contact, what it declares (accepting requests, capacity, how to approach it, payment), its
        own load, what people who contacted it reported (`route_feedback`: it moves the score only
        with enough route reports), and the other producers already working with it. `nation=` keeps those working
        there, that nation's own bodies first. A public nobody is recorded as
        reaching gives `no_route: true`, leads to ask and what to do.
        """
        settings = get_settings()
        graph = get_graph()
        filters = {"producer": args["producer"], "topic": args["topic"], "nation": args["nation"]}
        found = ranking(node_id, **filters)
        answer = discovery_json(found, D.public_burden(graph, node_id, settings))
        if current_app.debug:  # the provider indents then: the whole answer through the schema
            return jsonify(_THE_REST.dump(answer))
        rest = current_app.json.dumps(_THE_REST.dump({**answer, "intermediaries": None}), separators=(",", ":"))
        listed = beside_ranking(node_id, "api_intermediaries", _intermediaries_json, **filters)
        return current_app.response_class(rest.replace('"intermediaries":null', '"intermediaries":' + listed, 1) + "\n",
                                          mimetype=current_app.json.mimetype)


_THE_REST, _CANDIDATES = DiscoverySchema(), CandidateSchema(many=True)


def _intermediaries_json(_reading, found: D.Discovery) -> str:
    """A ranking's intermediaries as the API writes them, kept beside the ranking as JSON text (put
    into the answer where the rest has ``"intermediaries":null``, the one top-level key of that
    name): dumping them through marshmallow was half of a warm answer (13 of 26 ms for a public
    reached by a few hundred), and the text is a fifth of the dumped dictionaries' memory."""
    return current_app.json.dumps(_CANDIDATES.dump([c.as_dict() for c in found.intermediaries]), separators=(",", ":"))


@blp.route("/statistics/<node_id>/publics")
class StatisticPublics(MethodView):
    @blp.arguments(Box1QuerySchema, location="query")
    @blp.response(200, Box1Schema)
    def get(self, args, node_id):
        """Box 1 for a statistic: who it is about, collected from, affects and leaves out

        The publics the statistic describes, grouped by role, each with its top
        intermediaries; publics with no known route are listed in `without_route`.
        """
        settings, graph = get_settings(), get_graph()
        box = B.box1(graph, node_id, settings, producer=args["producer"], top=args["top"], rank=rank)
        return box1_json(box)
