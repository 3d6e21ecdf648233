"""The map's data: ``GET /api/v1/map`` — a bounded view of the registry chosen by filters."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..web.maps import current_view

blp = Blueprint("api_maps", __name__, description="The registry, or a slice of it, as nodes and edges for a map.")


class MapQuerySchema(Schema):
    focus = fields.String(metadata={"description": "a record's id or name: the map is drawn around it"})
    topic = fields.String(metadata={"description": "a topic's id or name: the topic, its narrower topics and what "
                                                   "is linked to them"})
    public = fields.String(metadata={"description": "a public's id or name"})
    producer = fields.String(metadata={"description": "a producer's id or name, with the teams that are part of it"})
    labels = fields.String(metadata={"description": "kinds of record to show, comma-separated (e.g. "
                                                    "Public,Intermediary); default all"})
    types = fields.String(metadata={"description": "relationship types to follow and show, comma-separated; "
                                                   "default all"})
    depth = fields.String(metadata={"description": "steps out from the chosen records (0–4, default 1)"})
    nation = fields.String(metadata={"description": "england, wales, scotland or northern_ireland: records whose "
                                                    "nations leave it out are not shown (records that do not say stay)"})
    burden = fields.String(metadata={"description": "publics and intermediaries with these burden statuses only, "
                                                    "comma-separated: ok, high, over, unknown"})
    expand = fields.String(metadata={"description": "record ids whose neighbours are added to the view, "
                                                    "comma-separated (at most 50)"})
    layout = fields.String(metadata={"description": "pathway (default with a record chosen), clusters (default for "
                                                    "the whole system) or bands (the earlier layout)"})


class MapBurdenSchema(Schema):
    status = fields.String(metadata={"enum": ["ok", "high", "over"]})
    ratio = fields.Float(allow_none=True)
    units = fields.Float()
    capacity = fields.Float()


class MapNodeSchema(Schema):
    id = fields.String()
    label = fields.String()
    name = fields.String()
    kind = fields.String(allow_none=True)
    importance = fields.Integer(metadata={"description": "relationships the record has in the whole registry"})
    size = fields.Float()
    burden = fields.Nested(MapBurdenSchema, allow_none=True, metadata={"description": "publics and "
                                                                                      "intermediaries"})
    contact = fields.Dict(allow_none=True)
    x = fields.Float(allow_none=True)
    y = fields.Float(allow_none=True)
    lines = fields.List(fields.String(), metadata={"description": "the label as the map draws it, wrapped"})
    cluster = fields.String(allow_none=True, metadata={"description": "the cluster it is drawn in (clusters layout)"})


class MapClusterSchema(Schema):
    id = fields.String()
    name = fields.String(metadata={"description": "its best-connected topic, else its best-connected record"})
    count = fields.Integer()
    x = fields.Float()
    y = fields.Float()
    radius = fields.Float()
    lines = fields.List(fields.String())


class MapEdgeSchema(Schema):
    type = fields.String()
    from_ = fields.String(data_key="from")
    to = fields.String()
    strength = fields.Float(allow_none=True)
    bundle = fields.Integer(allow_none=True, metadata={
        "description": "pathway view: the bundle the line is drawn in (an index into bundles), or null"})


class MapViewSchema(Schema):
    nodes = fields.List(fields.Nested(MapNodeSchema))
    edges = fields.List(fields.Nested(MapEdgeSchema))
    total = fields.Integer(metadata={"description": "records the filters matched before the bound"})
    truncated = fields.Boolean(metadata={"description": "true when more records matched than a map can show"})
    message = fields.String(allow_none=True, metadata={"description": "when truncated: how to narrow the view"})
    physics = fields.Boolean(metadata={"description": "always false: every view has its positions (x, y)"})
    filters = fields.Dict()
    revision = fields.Integer(allow_none=True)
    layout = fields.String(metadata={"enum": ["pathway", "clusters", "bands"]})
    clusters = fields.List(fields.Nested(MapClusterSchema))
    collapsed = fields.Boolean(metadata={"description": "true when the map opens with its clusters closed"})
    bundles = fields.List(fields.List(fields.Float()), metadata={
        "description": "pathway view: [x, y] of the middle that each bundle's lines are drawn through "
                       "(lines running side by side between the same two columns)"})


@blp.route("/map")
class MapResource(MethodView):
    @blp.arguments(MapQuerySchema, location="query")
    @blp.response(200, MapViewSchema)
    def get(self, args):
        """A view of the registry chosen by filters

        The chosen records (a focus record, a topic with its narrower topics, a public, a
        producer with its teams) and everything within ``depth`` steps; with none chosen,
        the whole registry. Never more than the configured maximum of records: then
        ``truncated`` is true and ``message`` says how to narrow it.
        """
        from flask import request
        view = current_view(request.args).as_dict()
        for edge in view["edges"]:
            edge["from_"] = edge.pop("from")
        return view
