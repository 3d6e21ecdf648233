"""Burden of consultation: the index, one public's burden, and the planning check.

The model is in :mod:`graph.burden` (and on the About page); every weight,
window and threshold comes from the app's settings.
"""
from __future__ import annotations

import datetime as _dt
import math

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from graph import burden, burden_check
from graph.errors import NodeNotFound
from graph.jsonstream import json_chunks

from ..cache import burden_index as cached_burden_index
from ..cache import per_revision
from ..coverage import coverage_for
from ..store import get_graph, get_settings
from .schemas import CoverageSchema, ModelDate

blp = Blueprint("burden_api", __name__, description="How much each public and intermediary has been consulted, "
                                                "across all producers, and a check before you consult.")


class BurdenAsOfSchema(Schema):
    as_of = ModelDate(load_default=None, metadata={"description": "the date to measure as of (YYYY-MM-DD); "
                                                                    "default today"})


class BurdenContributionSchema(Schema):
    engagement = fields.String()
    name = fields.String()
    producer = fields.String(allow_none=True)
    producer_name = fields.String(allow_none=True)
    method = fields.String()
    start = fields.String()
    end = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    feedback_published = fields.String(allow_none=True)
    feedback_given = fields.Boolean(metadata={"description": "the record shows feedback was published by as_of "
                                                             "(graph.feedback.feedback_given)"})
    age_days = fields.Integer()
    units = fields.Float()
    factors = fields.Dict(keys=fields.String(), values=fields.Float())


class BurdenScoreSchema(Schema):
    id = fields.String()
    name = fields.String()
    label = fields.String()
    units = fields.Float()
    capacity = fields.Float()
    ratio = fields.Float(allow_none=True, metadata={"description": "units ÷ capacity; null when capacity is 0 "
                                                                   "and there is a burden"})
    status = fields.String(metadata={"enum": ["ok", "high", "over"]})
    engagements = fields.Integer(metadata={"description": "how many engagements count in the window"})
    producers = fields.Integer(metadata={"description": "how many distinct producers ran them"})
    producer_ids = fields.List(fields.String())
    contributions = fields.List(fields.Nested(BurdenContributionSchema))


class BurdenIndexSchema(Schema):
    as_of = fields.String()
    window_days = fields.Integer()
    coverage = fields.Nested(CoverageSchema)
    publics = fields.List(fields.Nested(BurdenScoreSchema))
    intermediaries = fields.List(fields.Nested(BurdenScoreSchema))


class BurdenPointSchema(Schema):
    date = fields.String()
    units = fields.Float()
    ratio = fields.Float(allow_none=True)
    status = fields.String()


class PublicBurdenSchema(BurdenScoreSchema):
    as_of = fields.String()
    window_days = fields.Integer()
    coverage = fields.Nested(CoverageSchema)
    rest_until = fields.String(allow_none=True)
    history = fields.List(fields.Nested(BurdenPointSchema))


class BurdenDraftSchema(Schema):
    """A draft engagement; nothing is saved. The check names each wrong field."""

    name = fields.Raw(metadata={"type": "string"})
    method = fields.Raw(required=True, metadata={"type": "string"})
    start = fields.Raw(required=True, metadata={"type": "string", "format": "date"})
    end = fields.Raw(metadata={"type": "string", "format": "date"})
    publics = fields.Raw(required=True, metadata={"type": "array", "items": {"type": "string"}})
    intermediaries = fields.Raw(metadata={"type": "array", "items": {"type": "string"}})
    on = fields.Raw(metadata={"type": "array", "items": {"type": "string"},
                              "description": "statistic or topic ids"})
    producer = fields.Raw(metadata={"type": "string"})
    remunerated = fields.Raw(metadata={"type": "boolean"})
    participants = fields.Raw(metadata={"type": "integer"})


class BurdenChangeSchema(Schema):
    id = fields.String()
    name = fields.String()
    label = fields.String()
    before = fields.Nested(BurdenScoreSchema)
    after = fields.Nested(BurdenScoreSchema)


class BurdenWarningSchema(Schema):
    kind = fields.String(metadata={"enum": ["over", "high", "rest_until", "join_up", "coverage"]})
    node = fields.String()
    node_name = fields.String()
    message = fields.String()
    engagements = fields.List(fields.Dict())


class BurdenSuggestionSchema(Schema):
    kind = fields.String(metadata={"enum": ["use_existing_evidence", "less_loaded_intermediary", "remunerate"]})
    message = fields.String()
    node = fields.String(allow_none=True)
    node_name = fields.String(allow_none=True)
    engagements = fields.List(fields.Dict())
    intermediaries = fields.List(fields.Dict())


class BurdenCheckSchema(Schema):
    as_of = fields.String()
    saved = fields.Boolean(metadata={"description": "always false: a check saves nothing"})
    coverage = fields.Nested(CoverageSchema, metadata={"description": "what the before figures rest on, as of "
                                                                      "the draft's start"})
    publics = fields.List(fields.Nested(BurdenChangeSchema))
    intermediaries = fields.List(fields.Nested(BurdenChangeSchema))
    warnings = fields.List(fields.Nested(BurdenWarningSchema))
    suggestions = fields.List(fields.Nested(BurdenSuggestionSchema))


def finite(value: float) -> float | None:
    """A number JSON can carry: None for infinity.

    >>> finite(1.5), finite(float("inf"))
    (1.5, None)
    """
    return value if math.isfinite(value) else None


def score_json(score: burden.Score) -> dict:
    """One score as the API gives it: counts, and the contributions that explain it."""
    return {"id": score.id, "name": score.name, "label": score.label, "units": score.units,
            "capacity": score.capacity, "ratio": finite(score.ratio), "status": score.status,
            "engagements": len(score.engagements), "producers": len(score.producers),
            "producer_ids": score.producers,
            "contributions": [vars(c) for c in score.engagements]}


def check_json(result: burden_check.CheckResult) -> dict:
    def change(c):
        return {"id": c.id, "name": c.name, "label": c.label, "before": score_json(c.before),
                "after": score_json(c.after)}
    return {"as_of": result.as_of.isoformat(), "saved": False,
            "coverage": result.coverage.as_dict() if result.coverage else None,
            "publics": [change(c) for c in result.publics],
            "intermediaries": [change(c) for c in result.intermediaries],
            "warnings": [vars(w) for w in result.warnings],
            "suggestions": [vars(s) for s in result.suggestions]}


def _as_of(args) -> _dt.date:
    return args.get("as_of") or _dt.date.today()


def index_body(as_of: _dt.date) -> tuple[bytes, ...]:
    """The JSON of the burden index as of a date, as UTF-8 pieces to send one after another: the
    same for everyone until the next write, so it is built once per revision (and ahead of time
    for today by the background warm-up).

    Each score is dumped on its own (as the schema's nested list would) and written straight
    into bytes (:func:`graph.jsonstream.json_chunks`): at 100,000 records the answer is 17 MB,
    and building every score's dict, the schema's copy of them all and one string of the whole
    first was a large part of the app's peak memory.
    """
    def build() -> tuple[bytes, ...]:
        index = cached_burden_index(as_of)
        scores = BurdenScoreSchema()
        top = {"as_of": index.as_of.isoformat(), "window_days": int(index.window_days),
               "coverage": CoverageSchema().dump(coverage_for(as_of).as_dict()),
               "publics": (scores.dump(score_json(s)) for s in index.publics),
               "intermediaries": (scores.dump(score_json(s)) for s in index.intermediaries)}
        return tuple(chunk.encode("utf-8") for chunk in json_chunks(top, ensure_ascii=False))
    return per_revision("burden_api", as_of, build)


@blp.route("/burden")
class BurdenIndex(MethodView):
    @blp.arguments(BurdenAsOfSchema, location="query")
    @blp.response(200, BurdenIndexSchema)
    def get(self, args):
        """Every public and intermediary by ratio, highest first

        Each with its burden units, capacity, ratio, status (ok, high, over), how many
        engagements and distinct producers, and the engagements that contribute; and
        `coverage`: how many engagements from how many producers the registry records in
        the window, the latest, and `too_few` when that is too few to judge (then `ok`
        only means nothing much is recorded).
        """
        return current_app.response_class(index_body(_as_of(args)), mimetype="application/json")


@blp.route("/publics/<node_id>/burden")
class PublicBurden(MethodView):
    @blp.arguments(BurdenAsOfSchema, location="query")
    @blp.response(200, PublicBurdenSchema)
    def get(self, args, node_id):
        """One public's (or intermediary's) burden, its contributions and 24 months of history"""
        graph = get_graph()
        if node_id not in graph or graph.nodes[node_id].get("label") not in ("Public", "Intermediary", "UserGroup"):
            raise NodeNotFound(node_id)
        as_of, settings = _as_of(args), get_settings()
        score = burden.score_node(graph, node_id, as_of, settings)
        points = burden.history(graph, node_id, as_of, settings)
        return {**score_json(score), "as_of": as_of.isoformat(), "window_days": burden.conf(settings)["window_days"],
                "coverage": coverage_for(as_of).as_dict(),
                "rest_until": graph.nodes[node_id].get("rest_until"),
                "history": [{"date": p.date.isoformat(), "units": p.units, "ratio": finite(p.ratio),
                             "status": p.status} for p in points]}


@blp.route("/burden/check")
class BurdenCheck(MethodView):
    @blp.arguments(BurdenDraftSchema)
    @blp.response(200, BurdenCheckSchema)
    def post(self, draft):
        """Check a draft engagement before you consult (saves nothing)

        Each public's and intermediary's status before and after, warnings (over or
        high, a rest period in force, other producers' planned engagements with the
        same public: join up) and suggestions (use existing evidence, a less-loaded
        intermediary, remuneration). Open to everyone: nothing is written.
        """
        return check_json(burden_check.check(get_graph(), draft, get_settings()))
