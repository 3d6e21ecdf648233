"""Relationships: create (or update) one, and delete one, by its (type, from, to)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from graph.errors import EdgeNotFound
from graph.stores import Change

from ..auth import require_role, requires
from ..ratelimit import check as rate_limit
from ..store import get_store
from .schemas import EdgeKeySchema, EdgeSchema, WriteSummarySchema

blp = Blueprint("edges", __name__, description="Relationships between records, identified by (type, from, to).")
WRITE = [{"bearer": []}]


@blp.route("/edges")
class Edges(MethodView):
    @requires("editor")
    @blp.arguments(EdgeSchema)
    @blp.response(201, EdgeSchema)
    @blp.doc(security=WRITE)
    def post(self, edge):
        """Create a relationship, or update the properties of the one with the same (type, from, to) (editor)

        Both ends must exist and have the labels the relationship type allows;
        a 400 names the field otherwise.
        """
        identity = require_role("editor")
        rate_limit("write")
        store = get_store()
        store.apply(Change(put_edges=[edge], actor=identity.actor, action="api"))
        stored = [e for e in store.edges_of(edge["from"], "out", [edge["type"]]) if e["to"] == edge["to"]]
        return stored[0] if stored else edge, 201

    @requires("editor")
    @blp.arguments(EdgeKeySchema, location="query")
    @blp.response(200, WriteSummarySchema)
    @blp.doc(security=WRITE)
    def delete(self, key):
        """Delete one relationship (editor); 404 when there is none with that (type, from, to)"""
        identity = require_role("editor")
        rate_limit("write")
        triple = (key["type"], key["from_"], key["to"])
        store = get_store()
        if not any(e["to"] == triple[2] for e in store.edges_of(triple[1], "out", [triple[0]])):
            raise EdgeNotFound(*triple)
        result = store.apply(Change(delete_edges=[triple], actor=identity.actor, action="api"))
        return {"edges_deleted": result.edges_deleted, "revision": result.revision}
