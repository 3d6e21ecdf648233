"""User needs: the prioritised waiting list, one need with its history, recording a need and moving it on.

The rules (the lifecycle, the order of the list, joining up similar needs) are in
:mod:`graph.needs` and on the About page.
"""
from __future__ import annotations

import datetime as _dt

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from graph import needs
from graph.errors import NodeNotFound, VersionConflict
from graph.stores import Change

from ..auth import require_role, requires
from ..cache import joined_needs
from ..ratelimit import check as rate_limit
from ..store import get_graph, get_settings, get_store
from .schemas import ModelDate
from .nodes import IF_MATCH, etag, expected_version

blp = Blueprint("needs_api", __name__, description="The prioritised waiting list of user needs: what users need, "
                                               "where each need is, and what was decided.")
WRITE = [{"bearer": []}]
ID = validate.Length(min=1, max=100)


class NeedQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(needs.STATUSES),
                           metadata={"description": "one status; default: every open need "
                                                    "(captured, under review, planned, in progress)"})
    producer = fields.String(load_default=None, validate=ID,
                             metadata={"description": "owned by this producer or one of its teams"})
    topic = fields.String(load_default=None, validate=ID,
                          metadata={"description": "concerning this topic, a narrower one, or a statistic about it"})
    statistic = fields.String(load_default=None, validate=ID, metadata={"description": "concerning this statistic"})


class NeedRefSchema(Schema):
    id = fields.String()
    name = fields.String()
    label = fields.String()
    seldom_heard = fields.Boolean()


class NeedSimilarSchema(Schema):
    id = fields.String()
    name = fields.String()
    status = fields.String()
    owners = fields.List(fields.Nested(NeedRefSchema), metadata={"description": "the other producers it was raised with"})
    score = fields.Float(metadata={"description": "how alike the needs are, 0-100"})


class NeedItemSchema(Schema):
    rank = fields.Integer()
    id = fields.String()
    name = fields.String()
    statement = fields.String()
    status = fields.String(metadata={"enum": list(needs.STATUSES)})
    priority = fields.Integer(allow_none=True, metadata={"description": "the owner's priority, 1 high to 5 low"})
    raised = fields.String(allow_none=True)
    support = fields.Float(metadata={"description": "publics and groups that raised it; seldom-heard publics "
                                                    "count more"})
    decision_reason = fields.String(allow_none=True)
    response = fields.String(allow_none=True)
    owners = fields.List(fields.Nested(NeedRefSchema))
    raised_by = fields.List(fields.Nested(NeedRefSchema))
    concerns = fields.List(fields.Nested(NeedRefSchema))
    also_raised_with = fields.List(fields.Nested(NeedSimilarSchema))


class NeedWaitingListSchema(Schema):
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    count = fields.Integer()
    total_open = fields.Integer()
    needs = fields.List(fields.Nested(NeedItemSchema))


class NeedHistorySchema(Schema):
    date = fields.String()
    event = fields.String(metadata={"enum": ["raised", "recorded", "status", "updated"]})
    status = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)
    changed = fields.List(fields.String())
    reason = fields.String(allow_none=True)
    response = fields.String(allow_none=True)
    at = fields.String(allow_none=True)


class NeedOutSchema(NeedItemSchema):
    version = fields.Integer()
    history = fields.List(fields.Nested(NeedHistorySchema))
    next_statuses = fields.List(fields.String())


class NeedInSchema(Schema):
    statement = fields.String(validate=validate.Length(max=10_000),
                              metadata={"description": '"As a …, I need …, so that …" (or the three fields)'})
    as_a = fields.String(validate=validate.Length(max=1000))
    i_need = fields.String(validate=validate.Length(max=5000))
    so_that = fields.String(validate=validate.Length(max=5000))
    id = fields.String(validate=ID, metadata={"description": "default: made from what is needed"})
    name = fields.String(validate=validate.Length(max=300), metadata={"description": "a short title"})
    priority = fields.Integer(validate=validate.Range(1, 5))
    raised = ModelDate(metadata={"description": "default today"})
    response = fields.String(validate=validate.Length(max=10_000))
    source = fields.String(validate=validate.Length(max=1000))
    raised_by = fields.List(fields.String(validate=ID), load_default=list,
                            metadata={"description": "ids of the publics, intermediaries or user groups"})
    concerns = fields.List(fields.String(validate=ID), load_default=list,
                           metadata={"description": "ids of the statistics or topics"})
    owned_by = fields.List(fields.String(validate=ID), load_default=list, metadata={"description": "producer ids"})


class NeedStatusInSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(needs.STATUSES))
    reason = fields.String(load_default=None, validate=validate.Length(max=10_000),
                           metadata={"description": "required for not_taken_forward"})
    response = fields.String(load_default=None, validate=validate.Length(max=10_000),
                             metadata={"description": "what was decided or done"})


def need_view(need_id: str) -> dict:
    """One need as the API and the record page show it: the list entry, its history and its version."""
    store = get_store()
    record = store.get_node(need_id)
    if record is None or record["label"] != "Need":
        raise NodeNotFound(need_id)
    item = needs.need_detail(get_graph(), need_id, get_settings(), joined=joined_needs())
    trail = needs.history(record, store.audit_entries(target=need_id, limit=500))
    return {**item.as_dict(), "version": record["version"], "history": [h.as_dict() for h in trail],
            "next_statuses": list(needs.TRANSITIONS[record.get("status") or "captured"])}


@blp.route("/needs")
class Needs(MethodView):
    @blp.arguments(NeedQuerySchema, location="query")
    @blp.response(200, NeedWaitingListSchema)
    def get(self, args):
        """The prioritised waiting list

        Open needs in order: the owner's priority, then how many publics and groups
        raised it (seldom-heard publics weighted up), then age. Filter by status,
        producer, topic or statistic.
        """
        for key in ("producer", "topic", "statistic"):
            if args.get(key) and get_store().get_node(args[key]) is None:
                raise NodeNotFound(args[key])
        return needs.waiting_list(get_graph(), get_settings(), **args, joined=joined_needs()).as_dict()

    @requires("editor")
    @blp.arguments(NeedInSchema)
    @blp.response(201, NeedOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.doc(security=WRITE)
    def post(self, fields_in):
        """Record a need (editor)

        Give ``statement`` as "As a …, I need …, so that …", or ``as_a``, ``i_need``
        and ``so_that``. It starts as captured.
        """
        identity = require_role("editor")
        rate_limit("write")
        store = get_store()
        if isinstance(fields_in.get("raised"), _dt.date):
            fields_in["raised"] = fields_in["raised"].isoformat()
        taken = get_graph()
        record, edges = needs.build_need(fields_in, _dt.date.today(), taken=taken)
        store.apply(Change(put_nodes=[record], put_edges=edges, expect={record["id"]: 0},
                           actor=identity.actor, action="need"))
        view = need_view(record["id"])
        return view, 201, {"ETag": etag(view), "Location": f"/api/v1/needs/{record['id']}"}


@blp.route("/needs/<need_id>")
class Need(MethodView):
    @blp.response(200, NeedOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def get(self, need_id):
        """One need: where it is, what was decided, its history and similar needs raised elsewhere"""
        view = need_view(need_id)
        return view, 200, {"ETag": etag(view)}


@blp.route("/needs/<need_id>/status")
class NeedStatus(MethodView):
    @requires("editor")
    @blp.arguments(NeedStatusInSchema)
    @blp.response(200, NeedOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.doc(security=WRITE, parameters=[IF_MATCH])
    def post(self, args, need_id):
        """Move a need on (editor)

        Send the ETag you read in ``If-Match``. ``not_taken_forward`` needs the
        ``reason``; the change and its date are kept in the need's history.
        """
        identity = require_role("editor")
        expected = expected_version()
        rate_limit("write")
        store = get_store()
        current = store.get_node(need_id)
        if current is None or current["label"] != "Need":
            raise NodeNotFound(need_id)
        if current["version"] != expected:
            raise VersionConflict(need_id, expected, current["version"])
        record = needs.change_status(current, args["status"], args.get("reason"), args.get("response"))
        store.apply(Change(put_nodes=[record], expect={need_id: expected}, actor=identity.actor, action="status"))
        view = need_view(need_id)
        return view, 200, {"ETag": etag(view)}
